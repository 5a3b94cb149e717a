"""Summary of findings tables out: CSV, HTML (for the report) and Word (.docx).

All three show the same cells (:func:`reviewflow.grade.sof.cells`), so a
table pasted from Word into a manuscript says what the report says.
"""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from pathlib import Path

from reviewflow.grade.sof import CERTAINTY_LEGEND, SofTable, cells, ci_heading, headers


def csv_headers(tables: Sequence[SofTable]) -> tuple[str, ...]:
    rows = [row for table in tables for row in table.rows]
    return ("comparison", "analysis", *headers(rows), "assumed risk source", "footnotes")


def write_csv(tables: Sequence[SofTable], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(csv_headers(tables))
        for table in tables:
            marks = dict((text, mark) for mark, text in table.footnote_marks())
            for row in table.rows:
                notes = " ".join(f"{marks[n.text]}. {n.text}" for n in row.footnotes)
                out.writerow([table.comparison, row.analysis, *cells(table, row),
                              row.assumed_source, notes])
    return path


def title_of(table: SofTable) -> str:
    return f"Summary of findings: {table.comparison}" if table.comparison else \
        "Summary of findings"


def to_html(tables: Sequence[SofTable]) -> str:
    parts = []
    for table in tables:
        parts.append(f"<h3>{html.escape(title_of(table))}</h3>")
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers(table.rows))
        body = []
        for row in table.rows:
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells(table, row))
            body.append(f"<tr>{tds}</tr>")
        parts.append(f"<table class='sof'><tr>{head}</tr>{''.join(body)}</table>")
        notes = table.footnote_marks()
        if notes:
            items = "".join(f"<li><b>{m}</b> {html.escape(t)}</li>" for m, t in notes)
            parts.append(f"<p><b>Explanations</b></p><ul class='footnotes'>{items}</ul>")
        sources = sorted({r.assumed_source for r in table.rows if r.assumed_source})
        ci = ci_heading(table.rows)
        if sources:
            parts.append("<p class='muted'>Assumed risk: " + html.escape("; ".join(sources))
                         + f". The corresponding risk (and its {ci}) is based on the assumed "
                         "risk in the comparison group and the relative effect of the "
                         f"intervention (and its {ci}).</p>")
    legend = "".join(f"<li><b>{html.escape(a)}</b>: {html.escape(b)}</li>"
                     for a, b in CERTAINTY_LEGEND)
    parts.append(f"<p class='muted'>GRADE Working Group grades of evidence</p><ul "
                 f"class='muted'>{legend}</ul>")
    return "".join(parts)


def write_docx(tables: Sequence[SofTable], path: Path, *, review_title: str = "") -> Path:
    """A landscape Word document, one table per comparison, footnotes beneath."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(8.5)
    for n, table in enumerate(tables):
        if n:
            doc.add_page_break()
        doc.add_heading(title_of(table), level=2)
        if review_title:
            doc.add_paragraph(review_title).runs[0].italic = True
        heads = headers(table.rows)
        grid = doc.add_table(rows=1, cols=len(heads))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, heads, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            _shade(cell, "D9E2F3")
        for row in table.rows:
            out = grid.add_row().cells
            for j, (cell, text) in enumerate(zip(out, cells(table, row), strict=True)):
                cell.text = text
                if j == 0:
                    cell.paragraphs[0].runs[0].bold = True
        widths = (3.6, 2.6, 3.0, 3.6, 2.8, 2.4, 3.4, 3.2)
        for r in grid.rows:
            for cell, w in zip(r.cells, widths, strict=True):
                cell.width = Cm(w)
        notes = table.footnote_marks()
        if notes:
            doc.add_paragraph().add_run("Explanations").bold = True
            for mark, text in notes:
                doc.add_paragraph(f"{mark}. {text}").paragraph_format.space_after = Pt(1)
        legend = doc.add_paragraph()
        legend.add_run("GRADE Working Group grades of evidence. ").bold = True
        legend.add_run(" ".join(f"{a}: {b}" for a, b in CERTAINTY_LEGEND))
        for r in legend.runs:
            r.font.size = Pt(7.5)
            r.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    doc.save(str(path))
    return path


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
