"""``reviewflow tui`` and ``reviewflow screen``: the terminal UI's entry points.

Textual is imported inside the commands, so every other command starts without
paying for it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from reviewflow.cli.common import fail, globals_of, open_store, review_config
from reviewflow.cli.screening import screening_settings
from reviewflow.screening.viewer import Viewer
from reviewflow.stages import TITLE_ABSTRACT, parse_stage

if TYPE_CHECKING:  # the store loads when the UI opens, not for --help
    from reviewflow.store import models
    from reviewflow.store.db import Store


def _run(ctx: typer.Context, name: str | None, stage: str | None) -> None:
    store = open_store(ctx)
    settings = screening_settings(ctx, store)
    name = name or os.environ.get("REVIEWFLOW_REVIEWER") or os.environ.get("USER") or "reviewer"
    person = _screener(store, name)
    assert person.id is not None
    viewer = Viewer(person.id, person.name, person.role, settings.blind)
    from reviewflow.tui.app import ReviewflowApp  # lazy: textual only for these commands

    folder = None if (globals_of(ctx).db and globals_of(ctx).review is None) else \
        review_config(ctx).folder
    ReviewflowApp(store, viewer, settings=settings, start_stage=stage, folder=folder).run()


def _interactive() -> bool:
    """Can someone answer a question? (Not in a script or a pipe.)"""
    return sys.stdin.isatty()


def _screener(store: Store, name: str) -> models.Reviewer:
    """The person opening the UI; a new name is confirmed first when someone can answer.

    A typo ("bbo" for "bob") would otherwise start a third reviewer's blind
    screening from nothing, and their decisions would count as a new person's.
    """
    from sqlmodel import select

    from reviewflow.screening.decisions import ensure_reviewer, find_reviewer_named
    from reviewflow.store import models

    with store.session() as s:
        person, twin = find_reviewer_named(s, name)
        others = sorted(n for n in s.exec(select(models.Reviewer.name)).all())
    if person is not None:
        return person
    if twin is not None:
        raise fail(f"no reviewer {name.strip()!r}, but there is {twin!r}: names are exact "
                   f"(add a different person with 'reviewflow reviewer add NAME')")
    if others and _interactive():
        typer.confirm(f"{name.strip()!r} is not a reviewer of this review yet (reviewers: "
                      f"{', '.join(others)}). Add them?", abort=True)
    with store.write() as session:
        return ensure_reviewer(session=session, name=name)


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
