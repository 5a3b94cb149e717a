"""The crash tests' invariant checker must itself catch broken stores."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from reviewflow.store import models
from reviewflow.store.consistency import check_consistency
from reviewflow.store.db import Store


def test_clean_store_has_no_problems(store: Store) -> None:
    assert check_consistency(store) == []


def test_half_import_is_reported(store: Store) -> None:
    with store.write() as s:
        imp = models.SearchImport(database="Embase", file_name="e.ris", file_sha256="c" * 64,
                                  format="ris", encoding="utf-8", record_count=3)
        s.add(imp)
        s.flush()
        rec = models.RecordRow(title="only one of three")
        s.add(rec)
        s.flush()
        s.add(models.RecordProvenance(record_id=rec.id, import_id=imp.id, position=1))
    assert check_consistency(store) == ["import 1 (e.ris): says 3 records, store holds 1"]


def test_orphan_rows_are_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'o.db'}"
    Store.create(url, title="t").dispose()
    raw = sa.create_engine(url)  # no foreign_keys pragma: as a buggy writer might
    with raw.begin() as conn:
        conn.execute(sa.text("INSERT INTO record_provenance (record_id, import_id, position) "
                             "VALUES (41, 42, 1)"))
    raw.dispose()
    with Store.open(url) as store:
        problems = check_consistency(store)
    assert any("missing record" in p for p in problems)
    assert any("record_provenance.import_id: 1 row naming a missing search_import" in p
               for p in problems)
