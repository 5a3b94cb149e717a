"""Report sections for issue 20: small-study effects, meta-regression, summary of findings."""

from __future__ import annotations

from reviewflow.errors import ReviewflowError
from reviewflow.report.html import ReportContext, Section, esc, figure


def _runs(ctx: ReportContext):
    """(form, runs) of the declared analyses, pooled without drawing; None if none."""
    from reviewflow.extraction.run_analysis import pool_declared

    if ctx.folder is None or not (ctx.folder / "analyses.toml").is_file():
        return None
    form = ctx.form
    if ctx.analysis_runs is not None:  # pooled already by the Analyses section
        return form, ctx.analysis_runs
    ctx.analysis_runs = pool_declared(ctx.reader, form, ctx.analyses,
                                      reconciled=ctx.reconciled)
    return form, ctx.analysis_runs


def section_small_studies(ctx: ReportContext) -> Section:
    from reviewflow.extraction.metareg_analyses import run_declared, summary_lines
    from reviewflow.extraction.small_study_outputs import write_small_study_plots

    title = "Small-study effects and meta-regression"
    try:
        found = _runs(ctx)
        if found is None:
            return Section(title, "<p class='muted'>No analyses declared.</p>")
        form, runs = found
        out = ctx.figures / "beyond"
        out.mkdir(exist_ok=True)
        parts = []
        for run in runs:
            for path in write_small_study_plots(run, out):
                kind = "Contour-enhanced funnel" if "contour" in path.name else "Trim-and-fill"
                parts.append(figure(path, f"{kind}: {run.analysis.title or run.analysis.name}"))
        for mr, files in run_declared(ctx.reader, form, ctx.folder, runs, out,
                                      reconciled=ctx.reconciled):
            parts.append(f"<h3>{esc(mr.spec.title or mr.spec.name)}</h3>")
            parts.append(f"<pre class='summary'>{esc(chr(10).join(summary_lines(mr)))}</pre>")
            parts += [figure(p, f"Bubble plot: {p.stem.split('_bubble_')[-1]}")
                      for p in files if p.suffix == ".png"]
    except ReviewflowError as exc:
        return Section(title, f"<p><b>Could not run:</b> {esc(exc)}</p>")
    body = "".join(parts) or ("<p class='muted'>No analysis has the 10 studies small-study "
                              "methods need, and no meta-regression is declared.</p>")
    return Section(title, body)


def section_sof(ctx: ReportContext) -> Section:
    from reviewflow.grade.review_sof import review_sof
    from reviewflow.grade.sof_output import to_html

    title = "Certainty of the evidence (GRADE) and summary of findings"
    if ctx.folder is None or not (ctx.folder / "analyses.toml").is_file():
        return Section(title, "<p class='muted'>No analyses declared.</p>")
    try:
        found = _runs(ctx)  # the Analyses section's runs: the numbers its plots show
        tables = review_sof(ctx.reader, ctx.folder, runs=found[1] if found else None)
    except ReviewflowError as exc:
        return Section(title, f"<p><b>Could not build the table:</b> {esc(exc)}</p>")
    return Section(title, to_html(tables))
