"""``reviewflow demo``: the whole workflow on the bundled sample exports.

It grows with the project: each stage that lands adds its step here, so the
README's first command always shows everything that works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from reviewflow.cli.common import fail
from reviewflow.store.db import Store
from reviewflow.store.location import CONFIG_NAME, ReviewConfig
from reviewflow.store.queries import status_summary


def demo(
    folder: Path = typer.Argument(Path("demo-review"), help="Folder to build the demo review in."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier demo in FOLDER."),
) -> None:
    """Build a complete demo review from sample_exports/ and print its results."""
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / CONFIG_NAME).exists():
            raise fail(f"{folder}: exists and is not a review folder; choose another DIR")
        if not force:
            typer.echo(f"{folder}: replacing the earlier demo review")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    title = "Mesenchymal stem cell therapy for rheumatic and autoimmune diseases (demo)"
    config = ReviewConfig(folder=folder, title=title)
    with Store.create(config.database_url(), title=title) as store:
        config.save()
        typer.echo(f"[1] Created review in {folder}")
        with store.session() as s:
            summary = status_summary(s)
    typer.echo(f"    records: {summary['records']['stored']}, imports: {summary['imports']}")
    typer.echo(f"\nOpen it: reviewflow --review {folder} status")


def register(app: typer.Typer) -> None:
    app.command()(demo)
