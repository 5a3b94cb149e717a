"""``reviewflow import`` and ``reviewflow export records``.

Import parses every file first, so a file that cannot be read stops the whole
command before anything is written; then every file is stored in one
transaction, all or none (one file = one import = one PRISMA source). A progress bar runs
while records are stored; the summary shows, per file, records read and
stored, and the warnings (the first few in full, all counted).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from reviewflow.cli.common import counting, database_url, fail, reading, writing
from reviewflow.cli.export import AtomicText, export_app
from reviewflow.formula_guard import neutralise
from reviewflow.importers import FORMATS
from reviewflow.records import Record
from reviewflow.stages import parse_stage
from reviewflow.wording import plural

if TYPE_CHECKING:  # the store loads when a command runs, not for its --help
    from reviewflow.store.imports import ImportOutcome, PreparedImport
    from reviewflow.store.writer import Writer

SHOWN_WARNINGS = 10
CSV_COLUMNS = (
    "record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
    "pmid", "language", "keywords", "publication_type", "url", "issn", "accession",
    "translated_title", "abstract", "sources",
)

def import_files(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Search export files to import.", dir_okay=False),
    database: str = typer.Option(None, "--database", help="Database searched (else guessed)."),
    searched: datetime = typer.Option(
        None, "--searched", formats=["%Y-%m-%d"], help="Date the search was run (YYYY-MM-DD)."
    ),
    query: str = typer.Option(None, "--query", help="The search query, as run."),
    origin: str = typer.Option(
        None, "--origin", help="PRISMA source kind: database, register or other (citation "
        "searching, websites). Default: register for a trial register's name, else database.",
    ),
    format: str = typer.Option(
        None, "--format", help=f"Override format detection: {', '.join(FORMATS)}."
    ),
    mapping: str = typer.Option(
        None, "--mapping", help='CSV/Excel column mapping as JSON or a JSON file: {"title": "Col"}.'
    ),
) -> None:
    """Import search exports (RIS, MEDLINE, WoS, Ovid, EndNote, BibTeX, CNKI, CSV/Excel)."""
    from reviewflow.store.imports import prepare
    from reviewflow.store.searches import check_origin

    columns = _mapping(mapping)
    if origin is not None:
        origin = check_origin(origin)
    database_url(ctx)  # no review here: said before any file is read
    prepared = [prepare(path, format=format, mapping=columns) for path in files]
    # one command, one transaction: every file or none (SQLite: sqlite3, no ORM)
    with writing(ctx) as view:
        outcomes = [
            _store_one(view.writer, item, database, searched, query, origin)
            for item in prepared
        ]
    _summary(outcomes)


def _mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    source = text
    path = Path(text)
    if not text.lstrip().startswith("{") and path.is_file():
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError) as exc:
            raise fail(f"--mapping {path}: not a UTF-8 JSON file ({exc})") from None
    try:
        value = json.loads(source)
    except json.JSONDecodeError as exc:
        raise fail(f"--mapping is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise fail('--mapping must be a JSON object of field -> column, e.g. {"title": "Title"}')
    return value


def _store_one(
    writer: Writer,
    item: PreparedImport,
    database: str | None,
    searched: datetime | None,
    query: str | None,
    origin: str | None,
) -> ImportOutcome:
    from reviewflow.store.imports import write_prepared

    with counting(f"storing {item.path.name}", len(item.result.records)) as bar:

        def advance(done: int, total: int) -> None:
            bar(done)

        return write_prepared(
            writer=writer,
            prepared=item,
            database=database,
            searched_on=searched.date() if searched else None,
            query=query,
            progress=advance,
            origin=origin,
        )


def _summary(outcomes: list[ImportOutcome]) -> None:
    from rich.console import Console

    from reviewflow.store.searches import UNKNOWN_DATABASE

    console = Console(markup=False, highlight=False, soft_wrap=True)
    for outcome in outcomes:
        if outcome.already_imported:
            when = outcome.imported_at.strftime("%Y-%m-%d %H:%M") if outcome.imported_at else "?"
            console.print(
                f"{outcome.file_name}: already imported (import #{outcome.import_id}, {when}, "
                f"same sha256); nothing changed"
            )
            continue
        console.print(
            f"{outcome.file_name}: read {outcome.read}, stored {outcome.stored}, "
            f"warnings {len(outcome.warnings)}  [{outcome.database}; {outcome.format}; "
            f"{outcome.encoding}; import #{outcome.import_id}]"
        )
        if outcome.database == UNKNOWN_DATABASE:
            console.print(f"  the file does not say which database it came from; name it with "
                          f"'reviewflow searches edit {outcome.import_id} --database NAME' "
                          f"(PRISMA counts records per database)")
        for warning in outcome.warnings[:SHOWN_WARNINGS]:
            where = f"line {warning.line}" if warning.line else "file"
            console.print(f"  warning ({where}): {warning.message}")
        if len(outcome.warnings) > SHOWN_WARNINGS:
            console.print(f"  ... and {len(outcome.warnings) - SHOWN_WARNINGS} more warnings")
    stored = sum(o.stored for o in outcomes)
    read = sum(o.read for o in outcomes)
    warnings = sum(len(o.warnings) for o in outcomes)
    console.print(f"Total: read {read}, stored {stored}, warnings {warnings}")


def export_records(
    ctx: typer.Context,
    format: str = typer.Option("ris", "--format", help="ris or csv."),
    out: Path = typer.Option(None, "--out", help="Output file (default: standard output)."),
    stage: str = typer.Option(
        None, "--stage", help="Only records to screen at this stage (title-abstract: active "
        "after dedup; full-text: those that moved on from title/abstract)."
    ),
) -> None:
    """Write stored records as RIS or CSV (CSV includes record_id)."""
    if format not in ("ris", "csv"):
        raise fail(f"unknown export format {format!r}; use ris or csv")
    wanted = parse_stage(stage) if stage else None
    from reviewflow.review_state.load import read_review_state
    from reviewflow.store.stored_records import read_records, read_sources

    with reading(ctx) as view:  # sqlite3 on a SQLite review: no ORM to import
        rows = read_records(view.reader)
        sources = read_sources(view.reader)
        if wanted:
            keep = set(read_review_state(view.reader).stage(wanted).eligible)
            rows = [(rid, record) for rid, record in rows if rid in keep]
    ids: list[int | None] = [rid for rid, _ in rows]
    records = [record for _, record in rows]
    if out is None:
        _write_records(sys.stdout, format, ids, records, sources)
        return
    with AtomicText(out) as handle:  # whole or absent: never a half-written export
        _write_records(handle, format, ids, records, sources)
    if out:
        typer.echo(f"Wrote {plural(len(records), 'record')} to {out}", err=True)


def _write_records(handle: TextIO, format: str, ids: list[int | None], records: list[Record],
                   sources: dict[int, list[str]]) -> None:
    if format == "ris":
        from reviewflow.importers.ris_writer import write_ris

        write_ris(records, handle, ids=ids)
    else:
        _write_csv(handle, ids, records, sources)


def _write_csv(
    handle: TextIO, ids: list[int | None], records: list[Record], sources: dict[int, list[str]]
) -> None:
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    for record_id, record in zip(ids, records, strict=True):
        writer.writerow(  # formula-leading cells neutralised (reviewflow.formula_guard)
            neutralise(cell) for cell in [
                record_id, record.title, "; ".join(record.authors), record.year, record.journal,
                record.volume, record.issue, record.pages, record.doi, record.pmid,
                record.language, "; ".join(record.keywords), record.publication_type,
                record.url, record.issn, record.accession, record.translated_title,
                record.abstract, "; ".join(sources.get(record_id or 0, [])),
            ]
        )


def register(app: typer.Typer) -> None:
    app.command("import")(import_files)
    # ``export`` is one sub-app made in cli/export.py; this area adds its command to it.
    export_app.command("records")(export_records)
