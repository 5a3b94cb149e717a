"""``history``: the audit trail of one record (who decided what, when)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from reviewflow.cli.common import open_store
from reviewflow.stages import LABELS
from reviewflow.store.audit import AuditEvent, as_utc, history


def history_command(
    ctx: typer.Context,
    record_id: int = typer.Argument(..., help="The record's id (as status and exports show it)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON lines."),
) -> None:
    """Every decision, resolution, merge and un-merge of one record, oldest first.

    Shows every reviewer's decisions: it is the review lead's audit view, so it
    ignores blinding.
    """
    store = open_store(ctx)
    with store.session() as s:
        events = history(s, record_id)
    if as_json:
        for event in events:
            typer.echo(json.dumps(event.as_dict(), ensure_ascii=False))
        return
    _print_table(record_id, events)


def _print_table(record_id: int, events: list[AuditEvent]) -> None:
    console = Console()
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
