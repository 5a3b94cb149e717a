"""``reviewflow report``: one self-contained HTML report, regenerated from the store."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewflow.cli.common import globals_of, reading, working
from reviewflow.errors import ReviewflowError
from reviewflow.store.location import resolve_review_folder


def report(
    ctx: typer.Context,
    out: Path = typer.Option(None, "--out", help="Output folder (default: REVIEW/report)."),
) -> None:
    """Write report.html: searches, PRISMA, agreement, studies, risk of bias, analyses."""
    from reviewflow import drawing

    # workers start now and import matplotlib while this process reads the store;
    # figures drawn before from the same input (by analyse) are copied from the cache
    try:
        folder = resolve_review_folder(globals_of(ctx).review)
    except ReviewflowError:  # --db without a review folder: no folder-kept files
        folder = None
    with drawing.parallel(preload=(*drawing.PRELOAD, "reviewflow.extraction.rob_plots",
                                   "reviewflow.prisma.diagram"), cache=True,
                          run=("report", folder) if folder is not None else None):
        from reviewflow.report.html import read_report, write_report

        out = out or (folder / "report" if folder else Path("report"))
        with working("Writing the report (PRISMA diagram, plots, tables)"):
            # one read transaction for every section (on SQLite through sqlite3: no
            # SQLAlchemy import before the first figure goes to a worker), ended
            # before waiting for the figures the workers are still drawing
            with reading(ctx) as view:
                draft = read_report(view.reader, out, folder, source=view.display_url)
            path = write_report(draft)
    typer.echo(f"Report written to {path}")


def register(app: typer.Typer) -> None:
    app.command()(report)
