"""``searches``: list the review's searches (imports) and correct what they record."""

from __future__ import annotations

import json
from datetime import datetime

import typer

from reviewflow.cli.common import reading, writing
from reviewflow.store.searches import ORIGINS

searches_app = typer.Typer(
    help="List the searches (one per imported file) and correct their database, kind, "
         "date or query.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@searches_app.callback()
def searches_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List every search: database, kind, date, query, file and records."""
    if ctx.invoked_subcommand is not None:
        return
    from reviewflow.store.searches import read_searches

    with reading(ctx) as view:
        rows = read_searches(view.reader)
    if as_json:
        typer.echo(json.dumps([
            {"import_id": r.id, "database": r.database, "origin": r.origin,
             "searched_on": r.searched_on.isoformat() if r.searched_on else None,
             "query": r.query, "file_name": r.file_name, "format": r.format,
             "encoding": r.encoding, "records": r.record_count, "stored": r.stored,
             "warnings": r.warning_count}
            for r in rows
        ], ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} search{'es' if len(rows) != 1 else ''}", show_edge=False)
    for col in ("#", "database", "kind", "searched", "records", "file", "query"):
        table.add_column(col, justify="right" if col in ("#", "records") else "left")
    for r in rows:
        table.add_row(str(r.id), r.database, r.origin,
                      r.searched_on.isoformat() if r.searched_on else "-",
                      str(r.stored), r.file_name, r.query or "-")
    Console(markup=False).print(table)  # record text: never markup


@searches_app.command("edit")
def searches_edit(
    ctx: typer.Context,
    import_id: int = typer.Argument(..., help="The search's number ('reviewflow searches')."),
    database: str = typer.Option(None, "--database", help="The database (or register) name."),
    origin: str = typer.Option(None, "--origin", help=f"PRISMA kind: {', '.join(ORIGINS)}."),
    searched: datetime = typer.Option(
        None, "--searched", formats=["%Y-%m-%d"], help="Date the search was run (YYYY-MM-DD)."
    ),
    query: str = typer.Option(None, "--query", help="The search query, as run."),
) -> None:
    """Correct one search's database name, kind, date or query (PRISMA follows)."""
    if database is None and origin is None and searched is None and query is None:
        raise typer.BadParameter("say what to change: --database, --origin, --searched or "
                                 "--query", param_hint="options")
    from reviewflow.store.searches import correct_search

    with writing(ctx) as view:
        row = correct_search(writer=view.writer, import_id=import_id, database=database,
                             origin=origin, searched_on=searched.date() if searched else None,
                             query=query)
    when = row.searched_on.isoformat() if row.searched_on else "no date"
    typer.echo(f"Search {row.id}: {row.database} ({row.origin}), searched {when}, "
               f"file {row.file_name}")


def register(app: typer.Typer) -> None:
    app.add_typer(searches_app, name="searches")
