"""Storing an import: one transaction, provenance per record, idempotent by sha256."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlmodel import func, select

from reviewflow.errors import InputError
from reviewflow.store import imports, models
from reviewflow.store.db import Store

RIS = "TY  - JOUR\nTI  - Stem cells {n}\nAU  - Wu, B\nPY  - 2020\nDO  - 10.1234/X{n}\nER  - \n\n"


def _ris_file(folder: Path, count: int, name: str = "search.ris") -> Path:
    path = folder / name
    path.write_text("".join(RIS.format(n=n) for n in range(count)), encoding="utf-8")
    return path


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return tuple(  # type: ignore[return-value]
            s.exec(select(func.count()).select_from(model)).one()
            for model in (models.SearchImport, models.RecordRow, models.RecordProvenance)
        )


def _import(store: Store, path: Path, **options) -> imports.ImportOutcome:
    """``reviewflow import FILE`` as one transaction."""
    with store.write() as session:
        return imports.import_file(session=session, path=path, **options)


def _store(store: Store, prepared: imports.PreparedImport) -> imports.ImportOutcome:
    with store.write() as session:
        return imports.store_prepared(session=session, prepared=prepared)


@pytest.fixture
def store(db_url: str):
    with Store.create(db_url, title="t") as opened:
        yield opened


def test_import_stores_records_provenance_and_search(store: Store, tmp_path: Path) -> None:
    path = _ris_file(tmp_path, 5)
    seen: list[tuple[int, int]] = []
    outcome = _import(store, path,
        database="Embase",
        searched_on=date(2024, 5, 1),
        query="msc AND lupus",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (outcome.read, outcome.stored, outcome.already_imported) == (5, 5, False)
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert _counts(store) == (1, 5, 5)
    with store.session() as s:
        search = s.exec(select(models.SearchImport)).one()
        assert (search.database, search.file_name, search.format, search.encoding) == (
            "Embase",
            "search.ris",
            "ris",
            "utf-8",
        )
        assert search.searched_on == date(2024, 5, 1)
        assert search.query == "msc AND lupus"
        assert search.record_count == 5
        assert search.file_sha256 == imports.sha256_of(path.read_bytes())
        rows = s.exec(
            select(models.RecordRow, models.RecordProvenance)
            .join(models.RecordProvenance, models.RecordProvenance.record_id == models.RecordRow.id)
            .order_by(models.RecordProvenance.position)
        ).all()
    assert [p.position for _, p in rows] == [1, 2, 3, 4, 5]
    assert [p.line for _, p in rows] == [1, 8, 15, 22, 29]
    record, _ = rows[2]
    assert record.title == "Stem cells 2"
    assert record.doi == "10.1234/x2"
    assert json.loads(record.authors_json) == ["Wu, B"]
    assert json.loads(record.raw_json)["DO"] == ["10.1234/X2"]
    assert isinstance(record.created_at, datetime)
    assert record.created_at.year >= 2024


def test_same_file_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = _ris_file(tmp_path, 3)
    first = _import(store, path)
    before = _counts(store)
    again = _import(store, path, database="Other name")
    assert again.already_imported and again.import_id == first.import_id
    assert (again.read, again.stored) == (0, 0)
    assert _counts(store) == before == (1, 3, 3)


def test_same_content_under_another_name_is_the_same_import(store: Store, tmp_path: Path) -> None:
    path = _ris_file(tmp_path, 2)
    copy = tmp_path / "renamed.txt"
    copy.write_bytes(path.read_bytes())
    _import(store, path)
    assert _import(store, copy).already_imported


def test_prepared_twice_is_stored_once(store: Store, tmp_path: Path) -> None:
    """The in-transaction check catches a duplicate prepared before the first landed."""
    path = _ris_file(tmp_path, 2)
    a, b = imports.prepare(path), imports.prepare(path)
    assert not _store(store, a).already_imported
    assert _store(store, b).already_imported
    assert _counts(store) == (1, 2, 2)


def test_failure_midway_leaves_store_unchanged(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(store, _ris_file(tmp_path, 2, "earlier.ris"))
    before = _counts(store)
    monkeypatch.setattr(imports, "BATCH", 10)
    calls: list[int] = []

    def explode(done: int, total: int) -> None:
        calls.append(done)
        if done >= 20:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        _import(store, _ris_file(tmp_path, 50), progress=explode)
    assert calls[-1] == 20  # two batches were written inside the transaction ...
    assert _counts(store) == before  # ... and rolled back


def test_import_is_written_in_the_callers_transaction_only(store: Store,
                                                           tmp_path: Path) -> None:
    """Two files in one command: the second failing takes the first back too."""
    good = _ris_file(tmp_path, 3, "good.ris")

    class Later(Exception):
        pass

    with pytest.raises(Later), store.write() as session:
        assert imports.import_file(session=session, path=good).stored == 3
        assert imports.store_prepared(session=session, prepared=imports.prepare(good)
                                      ).already_imported  # sees its own transaction
        raise Later
    assert _counts(store) == (0, 0, 0)
    assert _store(store, imports.prepare(good)).stored == 3  # nothing left half-imported


def test_unreadable_file_writes_nothing(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?><xml><records><record><title>cut', encoding="utf-8")
    with pytest.raises(InputError, match="bad.xml"):
        _import(store, bad)
    with pytest.raises(InputError, match="cannot read file"):
        _import(store, tmp_path / "missing.ris")
    assert _counts(store) == (0, 0, 0)


def test_long_values_fit_bounded_columns(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "long.ris"
    path.write_text(f"TY  - JOUR\nTI  - T\nVL  - {'9' * 300}\nER  - \n", encoding="utf-8")
    _import(store, path)
    with store.session() as s:
        row = s.exec(select(models.RecordRow)).one()
    assert row.volume == "9" * 100
    assert json.loads(row.raw_json)["VL"] == ["9" * 300]


@pytest.mark.corpus
def test_real_corpus_file_stored_with_database_guess(store: Store, corpus: Path) -> None:
    outcome = _import(store, corpus / "exports/scopus/revtools_restoration_scopus.ris")
    assert (outcome.database, outcome.stored) == ("Scopus", 286)
    assert _counts(store) == (1, 286, 286)
