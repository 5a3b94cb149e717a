"""``reviewflow analyse``: run the analyses declared in the review's analyses.toml."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewflow.cli.common import open_store, working
from reviewflow.cli.extraction import review_folder
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form_versions import current_form

ANALYSES_FILE = "analyses.toml"  # reviewflow.extraction.analyses.ANALYSES_FILE (checked by a test)


def analyse(
    ctx: typer.Context,
    name: str = typer.Argument(None, help=f"The analysis to run (declared in {ANALYSES_FILE})."),
    run_all_: bool = typer.Option(False, "--all", help="Run every declared analysis."),
    out: Path = typer.Option(None, "--out", "-o", help="Output folder (default "
                             "<review>/analyses)."),
    plot_format: str = typer.Option("png", "--plot-format", help="png, svg or pdf."),
) -> None:
    """Pool the reconciled extraction: forest (and funnel) plots, results table, summary."""
    folder = review_folder(ctx)
    if folder is None:
        raise ReviewflowError(f"analyse needs a review folder holding {ANALYSES_FILE}")
    if plot_format not in ("png", "svg", "pdf"):
        raise ReviewflowError("--plot-format must be png, svg or pdf")
    store = open_store(ctx)
    # The engine, pandas and matplotlib load only when an analysis runs, not at CLI start.
    from reviewflow.extraction.analyses import load_analyses, select_analyses
    from reviewflow.extraction.analysis_outputs import run_all
    from reviewflow.extraction.run_analysis import summary_lines

    _form_id, form = current_form(store, folder)
    chosen = select_analyses(load_analyses(folder, form), name, run_all_)
    out_dir = out or folder / "analyses"
    with working(f"Pooling {len(chosen)} analysis(es) and drawing their plots"):
        outputs = run_all(store, form, chosen, out_dir, plot_format=plot_format)
        beyond = run_beyond_outputs(store, form, folder, outputs, out_dir)
    for run in outputs.runs:
        typer.echo("\n".join(summary_lines(run)))
    for line in beyond:
        typer.echo(line)
    typer.echo(f"\n{len(outputs.files)} files in {out_dir}")


def run_beyond_outputs(store, form, folder: Path, outputs, out_dir: Path) -> list[str]:
    """Declared meta-regressions and the small-study plots (issue 20): their files are
    added to ``outputs.files``, their summary lines returned."""
    from reviewflow.extraction.metareg_analyses import run_declared
    from reviewflow.extraction.metareg_analyses import summary_lines as metareg_lines
    from reviewflow.extraction.small_study_outputs import write_small_study_plots

    lines: list[str] = []
    for mr, files in run_declared(store, form, folder, outputs.runs, out_dir):
        outputs.files.extend(files)
        lines += metareg_lines(mr)
    for run in outputs.runs:
        outputs.files.extend(write_small_study_plots(run, out_dir))
    return lines


def register(app: typer.Typer) -> None:
    app.command()(analyse)
