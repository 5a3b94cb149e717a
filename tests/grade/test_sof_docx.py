"""The summary of findings as a Word document: the table reads back, and LibreOffice opens it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from reviewflow.grade.domains import Domain, Judgement
from reviewflow.grade.sof import SofInput, build_tables, sof_row
from reviewflow.grade.sof_output import to_html, write_csv, write_docx


def tables():
    dvt = sof_row(SofInput("dvt", "Symptomless DVT", "OR", 0.10, 0.04, 0.25, 2637, 9,
                           assumed_risk=0.01, judgements={Domain.RISK_OF_BIAS:
                                                          Judgement.NOT_SERIOUS}))
    svt = sof_row(SofInput("svt", "Superficial vein thrombosis", "OR", 0.45, 0.18, 1.13, 1804,
                           8, assumed_risk=0.013,
                           judgements={Domain.IMPRECISION: Judgement.SERIOUS},
                           reasons={Domain.IMPRECISION: "CI includes no effect"}))
    return build_tables([("Compression stockings versus no stockings", dvt),
                         ("Compression stockings versus no stockings", svt)])


def test_docx_and_csv_carry_the_same_cells(tmp_path: Path) -> None:
    t = tables()
    doc = Document(str(write_docx(t, tmp_path / "sof.docx", review_title="Stockings")))
    (grid,) = doc.tables
    assert [c.text for c in grid.rows[0].cells] == [
        "Outcome", "Assumed risk with comparator", "Corresponding risk with intervention",
        "Absolute effect (95% CI)", "Relative effect (95% CI)", "Participants (studies)",
        "Certainty of the evidence (GRADE)", "Comments"]
    assert grid.rows[1].cells[2].text == "1 per 1,000 (0 to 3)"
    assert grid.rows[2].cells[2].text == "6 per 1,000 (2 to 15)"
    assert grid.rows[2].cells[6].text == "⊕⊕⊕⊝ Moderate a"
    texts = [p.text for p in doc.paragraphs]
    assert "a. Downgraded one level for imprecision: CI includes no effect" in texts
    csv_text = write_csv(t, tmp_path / "sof.csv").read_text(encoding="utf-8")
    assert "6 per 1,000 (2 to 15)" in csv_text and "Compression stockings" in csv_text


def _row(level: float, analysis: str = "dvt"):
    return sof_row(SofInput(analysis, "DVT", "OR", 0.10, 0.04, 0.25, 2637, 9,
                            assumed_risk=0.01, level=level))


def test_headings_name_the_analyses_level(tmp_path: Path) -> None:
    """A 90% analysis is never headed '95% CI', in Word, CSV or HTML."""
    t = build_tables([("c", _row(0.9))])
    doc = Document(str(write_docx(t, tmp_path / "sof.docx")))
    heads = [c.text for c in doc.tables[0].rows[0].cells]
    assert heads[3:5] == ["Absolute effect (90% CI)", "Relative effect (90% CI)"]
    csv_head = write_csv(t, tmp_path / "sof.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "Relative effect (90% CI)" in csv_head and "95%" not in csv_head
    page = to_html(t)
    assert "Relative effect (90% CI)" in page and "95%" not in page


def test_mixed_levels_name_each_rows_level(tmp_path: Path) -> None:
    t = build_tables([("c", _row(0.9)), ("c", _row(0.95, "svt"))])
    doc = Document(str(write_docx(t, tmp_path / "sof.docx")))
    grid = doc.tables[0]
    assert grid.rows[0].cells[4].text == "Relative effect (CI)"
    assert grid.rows[1].cells[4].text == "OR 0.10 (0.04 to 0.25) (90% CI)"
    assert grid.rows[2].cells[4].text == "OR 0.10 (0.04 to 0.25) (95% CI)"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_docx(tmp_path: Path) -> None:
    path = write_docx(tables(), tmp_path / "sof.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "sof.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
