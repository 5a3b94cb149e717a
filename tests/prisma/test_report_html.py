"""The HTML report: self-contained, regenerated from the store, sections present."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.db import Store


def test_report_is_self_contained(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "r"), "--question", "Does MSC help?"]
                         ).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'r' / 'reviewflow.db'}")
    with store.write() as s:
        imp = models.SearchImport(database="PubMed", file_name="pubmed.txt", file_sha256="a" * 64,
                                  format="medline", encoding="utf-8", record_count=1,
                                  query="mesenchymal AND randomized")
        s.add(imp)
        s.flush()
        rec = models.RecordRow(title="A trial")
        s.add(rec)
        s.flush()
        s.add(models.RecordProvenance(record_id=rec.id, import_id=imp.id, position=1))
    store.dispose()
    res = runner.invoke(app, ["report", "--review", str(tmp_path / "r"),
                              "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    doc = (tmp_path / "out" / "report.html").read_text()
    assert "Does MSC help?" in doc
    assert "mesenchymal AND randomized" in doc
    assert "<th>Kind</th>" in doc and "<td>database</td>" in doc
    assert "<svg" in doc and "Records screened (n = 1)" in doc
    assert 'src="http' not in doc and "<link" not in doc  # nothing fetched from elsewhere
