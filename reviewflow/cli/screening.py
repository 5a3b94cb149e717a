"""Scriptable screening: ``decide``, ``conflicts``, ``resolve``, ``kappa``, ``reviewer add``.

These are the TUI's twins: the same domain functions, for decisions made
elsewhere (a Rayyan or Covidence export, a colleague's spreadsheet) and for
scripts. ``decide`` checks the whole file before writing anything (so a typo in
row 900 does not leave 899 rows half-loaded) and stores it in one transaction (an
interruption stores none of it); each row carries a client key derived from the
file, so loading it again stores only rows not stored yet. The writing commands
write through :func:`reviewflow.cli.common.writing` (on SQLite, sqlite3 without
the ORM).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from reviewflow.cli.common import (
    STAGE_HELP,
    fail,
    globals_of,
    reading,
    review_config,
    unknown_reviewer,
    writing,
)
from reviewflow.review_state.votes import RESOLUTION_METHODS, ROLES
from reviewflow.screening.viewer import Viewer, near_twin
from reviewflow.stages import LABELS, parse_stage
from reviewflow.wording import plural

if TYPE_CHECKING:  # the store loads when a command runs, not for its --help
    from reviewflow.review_state.model import ReviewState
    from reviewflow.review_state.votes import Person
    from reviewflow.screening.conflict_list import Conflict
    from reviewflow.screening.settings import ScreeningSettings
    from reviewflow.store import models
    from reviewflow.store.db import Store
    from reviewflow.store.writer import Writer


def screening_settings(ctx: typer.Context, store: Store) -> ScreeningSettings:
    """The review's settings, after copying in the toml's [screening] section if any."""
    from reviewflow.screening.settings import load_settings, read_toml_settings, save_settings

    toml = read_toml_settings(load_settings(store), _toml_section(ctx))
    if toml.changed:
        with store.write() as session:  # the review opens: copying the file in is its own step
            save_settings(toml.settings, session=session)
    if toml.notice:
        typer.echo(toml.notice, err=True)
    return toml.settings


def _toml_section(ctx: typer.Context) -> dict[str, Any] | None:
    g = globals_of(ctx)
    if g.db and g.review is None:
        return None
    return review_config(ctx).extra.get("screening")


def settings_in(ctx: typer.Context, writer: Writer) -> ScreeningSettings:
    """:func:`screening_settings` inside a writing command's transaction: the toml's
    [screening] section is copied in with the command's own rows, so a refused
    command leaves the store exactly as it was."""
    from reviewflow.screening.settings import read_settings, read_toml_settings, write_settings

    toml = read_toml_settings(read_settings(writer.reader), _toml_section(ctx))
    if toml.changed:
        write_settings(toml.settings, writer=writer)
    if toml.notice:
        typer.echo(toml.notice, err=True)
    return toml.settings


def person_in(writer: Writer, name: str) -> Person:
    """The registered reviewer ``name``; one line naming the fix when there is none."""
    from reviewflow.screening.decisions import person_named

    person, twin = person_named(writer.reader, name)
    if person is None:
        raise unknown_reviewer(name, twin)
    return person


def find_reviewer(store: Store, name: str) -> models.Reviewer:
    """The registered reviewer ``name``; one line naming the fix when there is none."""
    from reviewflow.screening.decisions import find_reviewer_named

    with store.session() as s:
        row, twin = find_reviewer_named(s, name)
    if row is None:
        raise unknown_reviewer(name, twin)
    return row


def viewer_named(store: Store, name: str, blind: bool | None = None) -> Viewer:
    """The registered reviewer ``name`` as a viewer (blind flag: the review's setting)."""
    from reviewflow.screening.settings import load_settings

    row = find_reviewer(store, name)
    assert row.id is not None
    return Viewer(row.id, row.name, row.role,
                  load_settings(store).blind if blind is None else blind)


def viewer_of(state: ReviewState, name: str) -> Viewer:
    """The registered reviewer ``name`` as a viewer under the review's blind rule (read
    from the loaded read model: no second trip to the store)."""
    person = state.person_named(name.strip())
    if person is None:
        raise unknown_reviewer(name, near_twin(name.strip(),
                                               (p.name for p in state.people.values())))
    return Viewer(person.id, person.name, person.role, state.policy.blind)


def no_viewer(blind: bool) -> None:
    """No ``--as``: everything is shown, which only an unblinded review allows."""
    if blind:
        raise fail("screening is blind: say whose view this is with --as NAME "
                   "(the arbiter sees every decision)")


def viewer_in(state: ReviewState, name: str | None) -> Viewer | None:
    """Whose view a vote-showing command prints (None: everything, allowed only unblinded)."""
    if name is None:
        return no_viewer(state.policy.blind)
    return viewer_of(state, name)


def decide(
    ctx: typer.Context,
    reviewer: str = typer.Option(..., "--reviewer", help="Whose decisions these are."),
    stage: str = typer.Option(..., "--stage", help=STAGE_HELP),
    from_file: Path = typer.Option(..., "--from", exists=True, dir_okay=False,
                                   help="CSV with columns record_id,decision[,reason,note]."),
) -> None:
    """Load screening decisions from a CSV file (checked in full before anything is written)."""
    from reviewflow.screening.decisions_file import load_decisions_file, write_decisions

    stage_key = parse_stage(stage)
    with writing(ctx) as view:  # one file, one transaction (SQLite: sqlite3, no ORM)
        settings = settings_in(ctx, view.writer)
        person = person_in(view.writer, reviewer)
        if person.role == "arbiter":
            raise fail(f"{person.name} is the arbiter: arbiters resolve conflicts "
                       "('reviewflow resolve'), their screening decisions would not count")
        rows = load_decisions_file(settings, from_file, stage_key, person.id,
                                   reader=view.writer.reader)
        new, again = write_decisions(rows, stage_key, person.id, writer=view.writer)
    typer.echo(f"{from_file.name}: {plural(new, 'decision')} stored for {person.name} at "
               f"{LABELS[stage_key].lower()}" + (f", {again} already loaded" if again else ""))


def _conflict_json(c: Conflict) -> dict[str, Any]:
    st = c.status
    res = st.resolution
    return {
        "record_id": st.record_id, "stage": st.stage, "title": c.title,
        "decisions": [{"reviewer": v.reviewer, "decision": v.decision, "reason": v.reason,
                       "note": v.note} for v in st.independent],
        "resolution": None if res is None else {
            "decision": res.decision, "reason": res.reason, "note": res.note,
            "method": res.method, "by": res.resolved_by},
    }


def conflicts(
    ctx: typer.Context,
    stage: str = typer.Option(None, "--stage", help=STAGE_HELP + " (default: both)"),
    all_: bool = typer.Option(False, "--all", help="Also list resolved conflicts."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
    as_name: str = typer.Option(None, "--as", help="Whose view this is (required while "
                                "screening is blind; a screener sees conflicts on records "
                                "they decided, the arbiter all)."),
) -> None:
    """List records the screeners disagree on, by independent votes (unresolved unless --all)."""
    from reviewflow.review_state.load import read_review_state
    from reviewflow.screening.conflict_list import read_conflicts

    wanted = parse_stage(stage) if stage else None
    with reading(ctx) as view:  # on SQLite: sqlite3, no SQLAlchemy import
        state = read_review_state(view.reader)
        viewer = viewer_in(state, as_name)
        found = read_conflicts(view.reader, wanted, include_resolved=all_, viewer=viewer,
                               state=state)
    if as_json:
        typer.echo(json.dumps([_conflict_json(c) for c in found], indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("No conflicts" + ("" if all_ else " waiting") + ".")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False)
    for col in ("record", "stage", "title", "decisions", "resolution"):
        table.add_column(col, overflow="fold")
    for c in found:
        votes = "\n".join(f"{v.reviewer}: {v.decision}" + (f" ({v.reason})" if v.reason else "")
                          + (f" - {v.note}" if v.note else "") for v in c.status.independent)
        res = c.status.resolution
        table.add_row(str(c.status.record_id), LABELS[c.status.stage], c.title[:70], votes,
                      "waiting" if res is None else f"{res.decision} ({res.method}, "
                      f"{res.resolved_by})")
    Console(markup=False).print(table)  # record text: never markup


def resolve(
    ctx: typer.Context,
    record_id: int = typer.Argument(..., help="The record in conflict."),
    stage: str = typer.Option(..., "--stage", help=STAGE_HELP),
    decision: str = typer.Option(..., "--decision", help="include, exclude or maybe "
                                 "(not_retrieved at full text)."),
    by: str = typer.Option(..., "--by", help="Who resolved it (a reviewer or the arbiter)."),
    method: str = typer.Option("consensus", "--method", help=" or ".join(RESOLUTION_METHODS)),
    reason: str = typer.Option(None, "--reason", help="Exclusion reason (needed at full text)."),
    note: str = typer.Option(None, "--note", help="Why it was resolved this way."),
    force: bool = typer.Option(False, "--force", help="Allow excluding the only included "
                               "report of a study that has extracted data."),
) -> None:
    """Settle a conflict by consensus (one of its screeners) or by the arbiter."""
    from reviewflow.screening.conflicts import write_resolution

    stage_key = parse_stage(stage)
    with writing(ctx) as view:
        settings = settings_in(ctx, view.writer)
        person = person_in(view.writer, by)
        status = write_resolution(
            writer=view.writer, settings=settings, record_id=record_id, stage=stage_key,
            decision=decision.strip().lower(), resolver=person, method=method, reason=reason,
            note=note, force=force,
        )
    typer.echo(f"Record {record_id} at {LABELS[stage_key].lower()}: resolved as "
               f"{decision} by {person.name} ({method}); outcome {status.outcome}")


reviewer_app = typer.Typer(help="Manage reviewers (screeners and the arbiter).",
                           no_args_is_help=True)


@reviewer_app.command("add")
def reviewer_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The reviewer's name."),
    role: str = typer.Option("reviewer", "--role", help=" or ".join(ROLES)),
) -> None:
    """Add a reviewer (or change their role)."""
    from reviewflow.screening.decisions import add_reviewer

    with writing(ctx) as view:
        person = add_reviewer(writer=view.writer, name=name, role=role)
    typer.echo(f"Reviewer {person.name} ({person.role})")


@reviewer_app.command("list")
def reviewer_list(ctx: typer.Context) -> None:
    """List the review's reviewers and their roles."""
    from reviewflow.review_state.load import read_people

    with reading(ctx) as view:
        people = read_people(view.reader)
    for person in sorted(people.values(), key=lambda p: p.name):  # the same order on any backend
        typer.echo(f"{person.name}\t{person.role}")


def register(app: typer.Typer) -> None:
    app.command()(decide)
    app.command()(conflicts)
    app.command()(resolve)
    app.add_typer(reviewer_app, name="reviewer")
