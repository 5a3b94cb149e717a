"""``history``: the audit trail of one record (who decided what, when)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from reviewflow.cli.common import reading

if TYPE_CHECKING:  # the store loads when the command runs, not for its --help
    from reviewflow.store.audit import AuditEvent

AS_HELP = ("Whose view this is. Required while screening is blind: an arbiter sees every "
           "decision, a screener sees another's only on records they have decided.")


def history_command(
    ctx: typer.Context,
    record_id: int = typer.Argument(..., help="The record's id (as status and exports show it)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON lines."),
    as_name: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Every decision, resolution, merge and un-merge of one record, oldest first.

    While screening is blind, a screener's view leaves out the other reviewers'
    decisions (and resolutions) on stages they have not decided themselves.
    """
    from reviewflow.cli.screening import viewer_in
    from reviewflow.review_state.load import read_review_state
    from reviewflow.screening.audit_view import read_label_revisions, visible_in
    from reviewflow.store.audit import read_history

    with reading(ctx) as view:  # sqlite3 on a SQLite review: no ORM to import
        state = read_review_state(view.reader)
        viewer = viewer_in(state, as_name)
        events = read_history(view.reader, record_id)
        if viewer is not None:
            events = visible_in(state, events, viewer)
        events = read_label_revisions(view.reader, events)
    if as_json:
        for event in events:
            typer.echo(json.dumps(event.as_dict(), ensure_ascii=False))
        return
    _print_table(record_id, events)


def _print_table(record_id: int, events: list[AuditEvent]) -> None:
    from rich.console import Console
    from rich.table import Table

    from reviewflow.stages import LABELS
    from reviewflow.store.audit import as_utc

    console = Console(markup=False)  # cells hold record text: never markup
    noun = "event" if len(events) == 1 else "events"
    table = Table(title=f"Record {record_id}: {len(events)} {noun}", show_edge=False)
    for col in ("when (local time)", "event", "stage", "who", "what", "reason / note"):
        table.add_column(col)
    for e in events:
        when = as_utc(e.at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        why = "; ".join(x for x in (e.reason, e.note, e.detail) if x)
        table.add_row(when, e.kind, LABELS.get(e.stage or "", e.stage or ""), e.who, e.action,
                      why)
    if not events:
        table.add_row("(nothing recorded yet)", "", "", "", "", "")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("history")(history_command)
