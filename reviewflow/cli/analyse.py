"""``reviewflow analyse``: run the analyses declared in the review's analyses.toml."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reviewflow import drawing
from reviewflow.cli.common import reading, working
from reviewflow.errors import ReviewflowError
from reviewflow.wording import plural

if TYPE_CHECKING:
    from reviewflow.extraction.analysis_outputs import Outputs
    from reviewflow.extraction.form import Form
    from reviewflow.extraction.reconcile import Reconciled
    from reviewflow.store.reader import Reader

ANALYSES_FILE = "analyses.toml"  # reviewflow.extraction.analyses.ANALYSES_FILE (checked by a test)


def analyse(
    ctx: typer.Context,
    name: str = typer.Argument(None, help=f"The analysis to run (declared in {ANALYSES_FILE})."),
    run_all_: bool = typer.Option(False, "--all", help="Run every declared analysis."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (default "
                             "<review>/analyses)."),
    plot_format: str = typer.Option("png", "--plot-format", help="png, svg or pdf."),
    init: bool = typer.Option(False, "--init", help=f"Write a commented {ANALYSES_FILE} "
                              "declaring one analysis per outcome of the extraction form."),
) -> None:
    """Pool the reconciled extraction: forest (and funnel) plots, results table, summary.

    The analyses are declared in analyses.toml in the review folder, one \\[\\[analysis]]
    table each ('reviewflow analyse --init' writes a commented starter from the form):

    name = "pain" (names the output files), outcome = "pain_vas" (an outcome id of
    the form), measure = "SMD" (continuous: MD, SMD; dichotomous: RR, OR, RD) are
    required. Optional: title; method = "IV" | "MH" | "Peto"; model = "random" | "fixed";
    tau2 = "DL" | "REML" | "PM"; hksj = true; subgroup = "cell_source" (a study field);
    where = { disease = "lupus" }; exclude = ["Smith 2019"]; leave_one_out = true;
    smd_convention = "revman" | "metafor". Full description: docs/extraction.md.
    """
    # the store and the extraction modules load when the command runs, not for --help
    from reviewflow.cli.extraction import review_folder

    folder = review_folder(ctx)
    if folder is None:
        raise ReviewflowError(f"analyse needs a review folder holding {ANALYSES_FILE}")
    if init:
        _write_starter(ctx, folder)
        return
    if plot_format not in ("png", "svg", "pdf"):
        raise ReviewflowError("--plot-format must be png, svg or pdf")
    # workers start now and import matplotlib while we pool; figures drawn before from
    # the same input are copied from the figure cache
    with drawing.parallel(cache=True, run=(f"analyse {name} {run_all_} {plot_format}", folder)):
        _run_analyses(ctx, folder, name, run_all_, out, plot_format)


def _run_analyses(ctx: typer.Context, folder: Path, name: str | None, run_all_: bool,
                  out: Path | None, plot_format: str) -> None:
    # The engine, pandas and matplotlib load only when an analysis runs, not at CLI start.
    from reviewflow.extraction.analyses import load_analyses, select_analyses
    from reviewflow.extraction.analysis_outputs import run_all
    from reviewflow.extraction.form_versions import read_form_in_force
    from reviewflow.extraction.reconcile import read_reconciled
    from reviewflow.extraction.run_analysis import summary_lines

    # analyse reads the store, never writes it: one read transaction (on SQLite through
    # sqlite3, so SQLAlchemy is not imported before the first figure goes out), ended
    # before waiting for the plots the workers are still drawing
    with ExitStack() as spinner:
        with reading(ctx) as view:
            form = read_form_in_force(view.reader, folder).form
            chosen = select_analyses(load_analyses(folder, form), name, run_all_)
            out_dir = out or folder / "analyses"
            spinner.enter_context(working(f"Pooling {plural(len(chosen), 'analysis')} and "
                                          "drawing their plots"))
            rec = read_reconciled(view.reader)  # once, for the analyses and meta-regressions
            outputs = run_all(view.reader, form, chosen, out_dir, plot_format=plot_format,
                              reconciled=rec)
            beyond = run_beyond_outputs(view.reader, form, folder, outputs, out_dir,
                                        reconciled=rec)
        drawing.wait()  # every plot written before the summary claims its file
    for run in outputs.runs:
        typer.echo("\n".join(summary_lines(run)))
    for line in beyond:
        typer.echo(line)
    typer.echo(f"\n{plural(len(outputs.files), 'file')} in {out_dir}")


def _write_starter(ctx: typer.Context, folder: Path) -> None:
    from reviewflow.extraction.analyses import parse_analyses
    from reviewflow.extraction.analyses_starter import starter_analyses
    from reviewflow.extraction.form_versions import read_form_in_force

    path = folder / ANALYSES_FILE
    if path.exists():
        raise ReviewflowError(f"{path} exists: edit it (or move it away to start again)")
    with reading(ctx) as view:
        form = read_form_in_force(view.reader, folder).form
    text = starter_analyses(form)
    analyses = parse_analyses(text, form, str(path))  # the starter must run as it stands
    path.write_text(text, encoding="utf-8")
    names = ", ".join(a.name for a in analyses) or "none (the form has no outcomes)"
    typer.echo(f"Wrote {path}: {plural(len(analyses), 'analysis')} ({names}); edit it, then "
               "'reviewflow analyse --all'")


def run_beyond_outputs(reader: Reader, form: Form, folder: Path, outputs: Outputs,
                       out_dir: Path, *, reconciled: Reconciled | None = None) -> list[str]:
    """Declared meta-regressions and the small-study plots (issue 20): their files are
    added to ``outputs.files``, their summary lines returned; ``reconciled``: the
    extraction ``outputs`` were pooled from."""
    from reviewflow.extraction.metareg_analyses import run_declared
    from reviewflow.extraction.metareg_analyses import summary_lines as metareg_lines
    from reviewflow.extraction.small_study_outputs import write_small_study_plots

    lines: list[str] = []
    for mr, files in run_declared(reader, form, folder, outputs.runs, out_dir,
                                  reconciled=reconciled):
        outputs.files.extend(files)
        lines += metareg_lines(mr)
    for run in outputs.runs:
        outputs.files.extend(write_small_study_plots(run, out_dir))
    return lines


def register(app: typer.Typer) -> None:
    app.command()(analyse)
