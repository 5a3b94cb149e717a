"""Report sections fed by extraction: study characteristics, risk of bias, analyses.

Each section regenerates its figures from the store (robvis plots, forest
plots) and says plainly when there is nothing yet, or why an analysis cannot
run (for example, an unresolved extraction discrepancy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.report.html import ReportContext, Section, esc, figure, table
from reviewflow.wording import plural

if TYPE_CHECKING:
    from reviewflow.extraction.form import Form


def _form(ctx: ReportContext) -> Form | None:
    """The form in force, or None when it cannot be read (the section says so)."""
    try:
        return ctx.form
    except ReviewflowError:
        return None


def section_studies(ctx: ReportContext) -> Section:
    title = "Characteristics of included studies"
    form = _form(ctx)
    rec = ctx.reconciled
    if form is None or not rec.values:
        return Section(title, "<p class='muted'>No studies extracted yet.</p>")
    from reviewflow.extraction.form import study_path

    fields = [f for f in form.study_fields
              if any(v.get(study_path(f.name)) for v in rec.values.values())]
    rows = [[label, *(values.get(study_path(f.name), "") for f in fields)]
            for label, values in sorted(rec.values.items())]
    note = ""
    if rec.discrepancies:
        note = (f"<p class='muted'>{len(rec.discrepancies)} extraction discrepancies are "
                "still unresolved (values shown are the agreed or consensus ones).</p>")
    return Section(title, table(["Study", *(f.label for f in fields)], rows) + note)


def section_rob(ctx: ReportContext) -> Section:
    from reviewflow import drawing
    from reviewflow.extraction.rob import ROB1, ROB2, read_rob_table

    parts = []
    plots = "reviewflow.extraction.rob_plots"  # by name: matplotlib loads where it draws
    for tool in (ROB1, ROB2):
        rob = read_rob_table(ctx.reader, tool)
        if not rob.judgements:
            continue
        light = ctx.figures / f"rob_{tool.id}_traffic.png"
        bars = ctx.figures / f"rob_{tool.id}_summary.png"
        drawing.submit(f"{plots}:traffic_light", light, rob, light)
        drawing.submit(f"{plots}:summary_bars", bars, rob, bars)
        parts.append(figure(light, f"{tool.name}: judgements per study"))
        parts.append(figure(bars, f"{tool.name}: summary per domain"))
        if rob.discrepancies:
            parts.append(f"<p class='muted'>{plural(len(rob.discrepancies), 'judgement')} "
                         "still differing between assessors.</p>")
    body = "".join(parts) or "<p class='muted'>No risk-of-bias judgements yet.</p>"
    return Section("Risk of bias", body)


def section_analyses(ctx: ReportContext) -> Section:
    from reviewflow.extraction.analysis_outputs import run_all
    from reviewflow.extraction.run_analysis import summary_lines

    title = "Analyses"
    form = _form(ctx)
    if form is None or ctx.folder is None:
        return Section(title, "<p class='muted'>No extraction form or analyses declared.</p>")
    try:
        analyses = ctx.analyses
        if not analyses:
            return Section(title, "<p class='muted'>No analyses declared in analyses.toml.</p>")
        outputs = run_all(ctx.reader, form, analyses, ctx.figures / "analyses",
                          reconciled=ctx.reconciled)
        ctx.analysis_runs = list(outputs.runs)
    except ReviewflowError as exc:
        return Section(title, f"<p><b>Analyses could not run:</b> {esc(exc)}</p>")
    parts = []
    kinds = {"_forest": "Forest plot", "_reported_only_forest": "Forest plot, reported data "
             "only (sensitivity analysis)", "_funnel": "Funnel plot"}
    for run in outputs.runs:
        name = run.analysis.name
        parts.append(f"<h3>{esc(run.analysis.title or name)}</h3>")
        parts.append(f"<pre class='summary'>{esc(chr(10).join(summary_lines(run)))}</pre>")
        for path in outputs.files:
            kind = next((k for suffix, k in kinds.items() if path.stem == name + suffix), None)
            if kind:
                parts.append(figure(path, f"{kind}: {run.analysis.title or name}"))
        parts.append(derived_values_table(run))
    return Section(title, "".join(parts))


def derived_values_table(run) -> str:
    """Every value the analysis did not take as reported: which, from what, how."""
    from reviewflow.pooling.trial_data import MARKS

    rows = []
    for c in run.input.comparisons:
        for name, d in c.values().items():
            if d.origin in MARKS:
                arm, _, stat = name.rpartition("/")
                rows.append([f"{c.label} {MARKS[d.origin]}", arm or "(effect)", stat,
                             f"{d.value:.4g}", str(d.origin), d.method, ", ".join(d.inputs),
                             "; ".join(x for x in (d.note, *d.warnings) if x)])
    if not rows:
        return ""
    return ("<p class='muted'>Values not reported as such († converted, ‡ imputed):</p>"
            + table(["Study", "Arm", "Value", "Used", "Origin", "Method", "From", "Note"],
                    rows))
