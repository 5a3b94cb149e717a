"""``reviewflow analyse``: run the analyses declared in the review's analyses.toml."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewflow.cli.common import open_store, working
from reviewflow.cli.extraction import review_folder
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form_versions import current_form
from reviewflow.wording import plural

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
    for run in outputs.runs:
        typer.echo("\n".join(summary_lines(run)))
    typer.echo(f"\n{plural(len(outputs.files), 'file')} in {out_dir}")


def register(app: typer.Typer) -> None:
    app.command()(analyse)
