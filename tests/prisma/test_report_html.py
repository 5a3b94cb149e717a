"""The HTML report: self-contained, regenerated from the store, sections present."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.reader import store_reader


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


def test_excluded_studies_table_lists_full_text_exclusions_with_reasons(tmp_path: Path) -> None:
    from reviewflow.prisma.derive import prisma_counts
    from reviewflow.report.html import ReportContext, section_excluded
    from reviewflow.screening.settings import ScreeningSettings
    from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
    from tests.screening.support import decide, make_store, settle, viewer

    store = make_store(tmp_path, 5)
    try:
        ann, bob = viewer(store, "ann"), viewer(store, "bob")
        carol = viewer(store, "carol", "arbiter")
        for rid in (1, 2, 3, 4):
            decide(store, ann, rid, TITLE_ABSTRACT, "include")
            decide(store, bob, rid, TITLE_ABSTRACT, "include")
        with store.write() as s:  # a Chinese report: listed with its English title
            row = s.get(models.RecordRow, 1)
            row.title, row.translated_title, row.language = "干细胞研究", "Stem cell study", "chi"
        decide(store, ann, 1, FULL_TEXT, "exclude", reason="wrong population")
        decide(store, bob, 1, FULL_TEXT, "exclude", reason="wrong population")
        decide(store, ann, 2, FULL_TEXT, "exclude", reason="not randomised")
        decide(store, bob, 2, FULL_TEXT, "include")
        with store.session() as s:
            arbiter = s.get(models.Reviewer, carol.reviewer_id)
        settle(store, ScreeningSettings(), record_id=2, stage=FULL_TEXT,
                         decision="exclude", resolver=arbiter, method="arbiter",
                         reason="not randomised", note=None)
        decide(store, ann, 3, FULL_TEXT, "include")
        decide(store, bob, 3, FULL_TEXT, "include")
        with store_reader(store) as reader:
            section = section_excluded(ReportContext(reader, None, tmp_path))
        assert section.title == "Characteristics of excluded studies"
        assert "<td>Author1 2010</td>" in section.body and "Wrong population" in section.body
        assert "<td>干细胞研究 / Stem cell study [chi]</td>" in section.body
        assert "<td>Author2 2011</td>" in section.body and "Not randomised" in section.body
        assert "Author3" not in section.body and "Author4" not in section.body
        with store.session() as s:
            counts = prisma_counts(s)
        assert section.body.count("<tr>") - 1 == sum(counts.excluded_reports.values()) == 2
    finally:
        store.dispose()
