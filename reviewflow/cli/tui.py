"""``reviewflow tui`` and ``reviewflow screen``: the terminal UI's entry points.

Textual is imported inside the commands, so every other command starts without
paying for it.
"""

from __future__ import annotations

import os

import typer

from reviewflow.cli.common import globals_of, open_store, review_config
from reviewflow.cli.screening import screening_settings
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.stages import TITLE_ABSTRACT, parse_stage


def _run(ctx: typer.Context, name: str | None, stage: str | None) -> None:
    store = open_store(ctx)
    settings = screening_settings(ctx, store)
    name = name or os.environ.get("REVIEWFLOW_REVIEWER") or os.environ.get("USER") or "reviewer"
    person = ensure_reviewer(store, name)
    assert person.id is not None
    viewer = Viewer(person.id, person.name, person.role, settings.blind)
    from reviewflow.tui.app import ReviewflowApp  # lazy: textual only for these commands

    folder = None if (globals_of(ctx).db and globals_of(ctx).review is None) else \
        review_config(ctx).folder
    ReviewflowApp(store, viewer, settings=settings, start_stage=stage, folder=folder).run()


def tui(
    ctx: typer.Context,
    reviewer: str = typer.Option(None, "--reviewer", help="Who is screening (default: "
                                 "$REVIEWFLOW_REVIEWER, else your login name)."),
) -> None:
    """Open the dashboard: screening, conflicts and duplicate review."""
    _run(ctx, reviewer, None)


def screen(
    ctx: typer.Context,
    reviewer: str = typer.Option(..., "--reviewer", help="Who is screening."),
    stage: str = typer.Option("title-abstract", "--stage", help="title-abstract or full-text"),
) -> None:
    """Start screening straight away (Esc goes to the dashboard)."""
    _run(ctx, reviewer, parse_stage(stage) if stage else TITLE_ABSTRACT)


def register(app: typer.Typer) -> None:
    app.command()(tui)
    app.command()(screen)
