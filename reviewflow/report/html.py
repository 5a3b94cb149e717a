"""Build one self-contained HTML file describing the whole review.

Every figure is regenerated from the store when the report is built (nothing
is copied from an earlier run), then embedded: SVG inline, PNG as data URIs,
so the single file can be mailed to co-authors or attached to a submission.
Sections that have no data yet (no extraction, no analyses) say so rather than
disappear, so a half-done review's report shows what is missing.

Every section reads the store through one :class:`~reviewflow.store.reader.Reader` (one
snapshot for the whole report): on SQLite the command reads the file through
``sqlite3``, so it imports no SQLAlchemy before its first figure goes to a worker
(issue 22).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow import __version__, drawing
from reviewflow.errors import ReviewflowError
from reviewflow.paths import whole_file
from reviewflow.prisma.derive import counts_from_state, excluded_in
from reviewflow.review_state import ReviewState
from reviewflow.review_state.load import read_review_state
from reviewflow.stages import LABELS, STAGES
from reviewflow.store.audit import stored_at
from reviewflow.store.reader import Reader
from reviewflow.store.review_heading import read_review_heading
from reviewflow.store.searches import read_searches
from reviewflow.titles import titles_of
from reviewflow.wording import plural

if TYPE_CHECKING:
    from reviewflow.extraction.analyses import Analysis
    from reviewflow.extraction.form import Form
    from reviewflow.extraction.reconcile import Reconciled

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}
h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.muted{color:#777}.figure{margin:1em 0;overflow-x:auto}
.figure img,.figure svg{max-width:100%;height:auto}
pre.summary{background:#f7f7f7;border-left:3px solid #4a7ab5;padding:.6em .9em;white-space:pre-wrap}
table.sof th{background:#d9e2f3}table.sof td:first-child{font-weight:bold}
"""


@dataclass
class Section:
    """One titled part of the report (already rendered HTML inside)."""

    title: str
    body: str


@dataclass
class ReportContext:
    """What section builders get: the store's reader, the review folder and where
    figures go; and what several sections derive from the store, derived once per
    report (on first use, so a section built alone reads only what it needs).

    A derivation that raises is not kept: the next section asking gets the same error,
    and says so in its own words, as when each section derived it itself.
    """

    reader: Reader
    folder: Path | None
    figures: Path
    notes: list[str] = field(default_factory=list)
    # the analyses pooled by the Analyses section, reused by later sections (pooling
    # once per report, not once per section)
    analysis_runs: list[Any] | None = None

    @cached_property
    def state(self) -> ReviewState:
        """The review's read model, with the sources PRISMA counts by (the other
        sections' reads ignore them)."""
        return read_review_state(self.reader, with_sources=True)

    @cached_property
    def reconciled(self) -> Reconciled:
        """The reconciled extraction: the studies table, the analyses and the
        meta-regressions read the same one."""
        from reviewflow.extraction.reconcile import read_reconciled

        return read_reconciled(self.reader)

    @cached_property
    def form(self) -> Form:
        """The extraction form in force (read only: a report never stores a form
        version); raises :class:`ReviewflowError` when it cannot be read."""
        from reviewflow.extraction.form_versions import read_form_in_force

        return read_form_in_force(self.reader, self.folder).form

    @cached_property
    def analyses(self) -> list[Analysis]:
        """The analyses declared in the folder's analyses.toml (raises
        :class:`ReviewflowError` when there is none or it does not parse)."""
        from reviewflow.extraction.analyses import load_analyses

        if self.folder is None:
            raise ReviewflowError("no review folder, so no analyses.toml")
        return load_analyses(self.folder, self.form)


SectionBuilder = Callable[[ReportContext], Section | None]


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_LATER = re.compile("\x00figure\x00([^\x00]*)\x00([^\x00]*)\x00")


def figure(path: Path, caption: str = "") -> str:
    """Embed an image file: SVG inline, others as a data URI.

    A figure a drawing worker is still writing (:mod:`reviewflow.drawing`) is marked
    here and embedded by :func:`write_report` once every worker is done.
    """
    if drawing.pending(path):
        return f"\x00figure\x00{path}\x00{caption}\x00"
    if path.suffix.lower() == ".svg":
        svg = path.read_text(encoding="utf-8")
        svg = svg[svg.find("<svg"):]  # drop the XML prolog and DOCTYPE
        inner = svg
    else:
        mime = {".png": "image/png", ".jpg": "image/jpeg"}.get(path.suffix.lower(), "image/png")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        inner = f'<img alt="{esc(caption)}" src="data:{mime};base64,{data}">'
    cap = f"<figcaption class='muted'>{esc(caption)}</figcaption>" if caption else ""
    return f"<figure class='figure'>{inner}{cap}</figure>"


def section_question(ctx: ReportContext) -> Section:
    question = read_review_heading(ctx.reader).question
    body = f"<p><b>Question.</b> {esc(question or 'not recorded')}</p>"
    return Section("Review question", body)


def section_searches(ctx: ReportContext) -> Section:
    searches = read_searches(ctx.reader)
    if not searches:
        return Section("Searches", "<p class='muted'>No searches imported yet.</p>")
    imported = dict(ctx.reader.rows("SELECT id, imported_at FROM search_import"))
    kinds = {"database": "database", "register": "register", "other": "other methods"}
    rows = [
        (i.database, kinds.get(i.origin, i.origin), i.searched_on or "not recorded",
         i.query or "", i.file_name, i.format, i.record_count,
         stored_at(imported[i.id]).strftime("%Y-%m-%d"))
        for i in searches
    ]
    return Section("Searches", table(
        ["Source", "Kind", "Searched", "Query", "File", "Format", "Records", "Imported"], rows))


def section_prisma(ctx: ReportContext) -> Section:
    from reviewflow import drawing

    state = ctx.state
    counts = counts_from_state(state)
    svg, png = ctx.figures / "prisma.svg", ctx.figures / "prisma.png"
    drawing.submit("reviewflow.prisma.diagram:draw", svg, counts, svg, png)
    errors = counts.identity_errors() + study_mismatch(state)
    note = "" if not errors else f"<p><b>Check:</b> {esc('; '.join(errors))}</p>"
    waiting = {k: v for k, v in counts.awaiting.items() if v}
    if waiting:
        note += ("<p class='muted'>Still awaiting decisions: "
                 + esc(", ".join(f"{k}: {v}" for k, v in waiting.items())) + "</p>")
    return Section("PRISMA 2020 flow diagram", figure(svg, "PRISMA 2020 flow diagram") + note)


def study_mismatch(state: ReviewState) -> list[str]:
    """Why PRISMA's "studies included" differs from the studies with extracted data, if it does."""
    extracted = [st for st in state.studies if st.extracted]
    orphans = [st.label for st in extracted if not st.has_included_report]
    if not orphans:
        return []
    return [f"PRISMA counts {plural(state.included_study_count(), 'study')} included, but "
            f"{plural(len(orphans), 'study')} with extracted data but no included report in "
            f"this review: {', '.join(orphans)} (link each to its included record, or screen it)"]


def section_agreement(ctx: ReportContext) -> Section:
    rows = []
    state = ctx.state
    for stage in STAGES:
        for a in state.stage(stage).agreement():
            rows.append((LABELS[stage], f"{a.reviewer_a} / {a.reviewer_b}", a.n,
                         _num(a.percent, "{:.1f}%"), _num(a.kappa, "{:.2f}"),
                         _num(a.kappa_resolved, "{:.2f}")))
    if not rows:
        return Section("Agreement between reviewers",
                       "<p class='muted'>No overlapping decisions yet.</p>")
    note = ("<p class='muted'>Kappa on independent votes: each screener's decision before "
            "they could see another's. After resolution: resolved records count as agreed on "
            "the resolution.</p>")
    return Section("Agreement between reviewers", table(
        ["Stage", "Reviewers", "Records both decided", "Agreement",
         "Cohen's kappa (independent)", "Kappa after resolution"], rows) + note)


def _num(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


@dataclass(frozen=True)
class ExcludedReport:
    """What the excluded-studies table shows of a record."""

    id: int
    title: str | None
    translated_title: str | None
    language: str | None
    year: int | None
    authors_json: str | None


def read_excluded_reports(reader: Reader, ids: Iterable[int]) -> dict[int, ExcludedReport]:
    """The records ``ids`` (ids with no record are left out)."""
    wanted = sorted(set(ids))
    found: dict[int, ExcludedReport] = {}
    for start in range(0, len(wanted), 500):  # far below every driver's parameter limit
        chunk = wanted[start:start + 500]
        for row in reader.rows("SELECT id, title, translated_title, language, year, "
                               "authors_json FROM record WHERE id IN "
                               f"({', '.join('?' for _ in chunk)})", chunk):
            found[row[0]] = ExcludedReport(*row)
    return found


def study_label(record: ExcludedReport) -> str:
    """"Smith 2019": first author's family name and year, as a review names a study."""
    import json

    authors = json.loads(record.authors_json or "[]")
    family = authors[0].split(",")[0].strip() if authors else "Anonymous"
    return f"{family} {record.year or 'n.d.'}"


def section_excluded(ctx: ReportContext) -> Section:
    """Characteristics of excluded studies: each report excluded at full text, and why."""
    title = "Characteristics of excluded studies"
    excluded = excluded_in(ctx.state)
    records = read_excluded_reports(ctx.reader, excluded)
    if not excluded:
        return Section(title, "<p class='muted'>No report excluded at full text yet.</p>")
    rows = sorted(
        (study_label(rec), titles_of(rec.title, rec.translated_title, rec.language).line(), rid,
         reason[:1].upper() + reason[1:])
        for rid, reason in excluded.items() if (rec := records.get(rid)) is not None)
    note = (f"<p class='muted'>{plural(len(rows), 'report')} excluded after full-text assessment, "
            "as in the PRISMA diagram's \"Reports excluded\" box.</p>")
    return Section(title, table(["Study", "Title", "Record", "Reason for exclusion"], rows)
                   + note)


def default_sections() -> list[SectionBuilder]:
    """Every section, in reading order (extraction ones imported late: they pull in pandas)."""
    from reviewflow.report import extraction_sections as ex
    from reviewflow.report import grade_sections as gr

    return [section_question, section_searches, section_prisma, section_agreement,
            ex.section_studies, section_excluded, ex.section_rob, ex.section_analyses,
            gr.section_small_studies, gr.section_sof]


@dataclass(frozen=True)
class ReportDraft:
    """A report read from the store, its figures possibly still being drawn by workers:
    nothing in it reads the store again, so the read transaction can end here."""

    out_dir: Path
    sections: list[Section]
    title: str
    source: str


def read_report(reader: Reader, out_dir: Path, folder: Path | None = None,
                sections: Sequence[SectionBuilder] | None = None, *, source: str
                ) -> ReportDraft:
    """Build every section through ``reader`` (one snapshot), asking for its figures;
    ``source`` names the store (no password) in the page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(reader=reader, folder=folder, figures=out_dir / "figures")
    ctx.figures.mkdir(exist_ok=True)
    builders = sections or default_sections()
    built = [sec for build in builders if (sec := build(ctx)) is not None]
    return ReportDraft(out_dir, built, read_review_heading(reader).title, source)


def write_report(draft: ReportDraft) -> Path:
    """Wait for the draft's figures, embed them and write ``report.html``."""
    drawing.wait()  # the figures the sections asked for, written by now
    for sec in draft.sections:
        sec.body = _LATER.sub(lambda m: figure(Path(m[1]), m[2]), sec.body)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    built = draft.sections
    toc = "".join(f"<li><a href='#s{i}'>{esc(s.title)}</a></li>" for i, s in enumerate(built))
    parts = [f"<section id='s{i}'><h2>{esc(s.title)}</h2>{s.body}</section>"
             for i, s in enumerate(built)]
    doc = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(draft.title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{esc(draft.title)}</h1>"
        f"<p class='muted'>Report generated {stamp} by reviewflow {__version__} from "
        f"{esc(draft.source)}. Every number and figure is recomputed from the store.</p>"
        f"<ol>{toc}</ol>{''.join(parts)}</body></html>"
    )
    path = draft.out_dir / "report.html"
    with whole_file(path) as tmp:  # a full disk leaves no empty or partial report
        tmp.write_text(doc, encoding="utf-8")
    return path


def build_report(reader: Reader, out_dir: Path, folder: Path | None = None,
                 sections: Sequence[SectionBuilder] | None = None, *, source: str) -> Path:
    """Write ``out_dir/report.html`` (figures also kept in ``out_dir/figures``), every
    section read through ``reader``; ``source`` names the store (no password) in the page.
    A caller holding the read transaction itself can end it between :func:`read_report`
    and :func:`write_report` (the ``report`` command does)."""
    return write_report(read_report(reader, out_dir, folder, sections, source=source))
