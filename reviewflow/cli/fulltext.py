"""``reviewflow fulltext ...``: attach PDFs, confirm doubtful matches, the retrieval list."""

from __future__ import annotations

import csv
import getpass
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reviewflow.cli.common import counting, reading, review_config, writing
from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.pdftext import TextLayer
from reviewflow.fulltext.storage import Mode, fulltext_folder
from reviewflow.titles import titles_of
from reviewflow.wording import plural

if TYPE_CHECKING:  # the store (behind service and worklist) loads when a command runs
    from reviewflow.fulltext.lists import WorklistRow

fulltext_app = typer.Typer(help="Full-text PDFs: attach a folder, confirm matches, the "
                                "retrieval worklist, reports not retrievable.",
                           no_args_is_help=True)

BY = typer.Option(None, "--reviewer", "-r", envvar="REVIEWFLOW_REVIEWER",
                  help="Who does this (default $REVIEWFLOW_REVIEWER, else your login name).")
NO_TEXT = {TextLayer.NONE: "no text layer", TextLayer.GARBLED: "text layer garbled"}


class ListFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    RIS = "ris"


def _who(by: str | None) -> str:
    return by or os.environ.get("USER") or getpass.getuser() or "reviewer"


def _folder(ctx: typer.Context) -> Path:
    config = review_config(ctx)
    return fulltext_folder(config.folder, config.extra)


@fulltext_app.command("attach")
def attach_cmd(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="Folder of PDFs, searched recursively (e.g. a "
                                  "Zotero storage/ or EndNote .Data/PDF folder)."),
    link: bool = typer.Option(False, "--link/--copy", help="Keep each PDF's path instead of "
                              "copying it into the review (default: copy, by sha256)."),
    by: str = BY,
) -> None:
    """Match the PDFs in FOLDER to records: certain matches attached, doubtful ones queued."""
    from reviewflow.fulltext.service import attach_found, find_pdfs, read_pdfs

    paths = find_pdfs(folder)
    if not paths:
        raise ReviewflowError(f"{folder}: no PDF files found")
    target = _folder(ctx)
    with counting("Reading PDFs", len(paths)) as advance:
        pdfs, skipped = read_pdfs(paths, advance)
    with writing(ctx) as view:
        out = attach_found(pdfs, skipped, writer=view.writer, folder=target,
                           mode=Mode.LINK if link else Mode.COPY, by=_who(by))
    for path, rid, evidence in out.attached:
        layer = next(p.text.text_layer for p in pdfs if p.path == path)
        extra = f" [{NO_TEXT[layer]}]" if layer in NO_TEXT else ""
        typer.echo(f"attached  {path.name} -> record {rid} ({evidence}){extra}")
    for path, match in out.doubtful:
        ids = ", ".join(str(c.record_id) for c in match.candidates)
        typer.echo(f"doubtful  {path.name} -> record {ids}? ({match.doubt})")
    for path, rid in out.already:
        typer.echo(f"already   {path.name} is attached to record {rid}")
    for path in out.unmatched:
        typer.echo(f"no match  {path.name}")
    for skip in out.skipped:
        typer.echo(f"skipped   {skip.problem}", err=True)
    typer.echo(f"{len(out.attached)} attached, {len(out.doubtful)} doubtful "
               f"('reviewflow fulltext match --review'), {len(out.unmatched)} without a match, "
               f"{len(out.already)} already attached, {len(out.skipped)} unreadable")


@fulltext_app.command("add")
def add_cmd(
    ctx: typer.Context,
    record: int = typer.Argument(..., help="The record's id."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The PDF."),
    link: bool = typer.Option(False, "--link/--copy", help="Keep the path instead of a copy."),
    by: str = BY,
) -> None:
    """Attach one PDF to one record by hand."""
    from reviewflow.fulltext.service import ReadPdf, read_pdfs, write_attach, write_file

    pdfs, skipped = read_pdfs([file])
    if skipped:
        raise ReviewflowError(skipped[0].problem)
    pdf = pdfs[0]
    with writing(ctx) as view:
        file_id = write_file(ReadPdf(file, pdf.text), writer=view.writer, folder=_folder(ctx),
                             mode=Mode.LINK if link else Mode.COPY, by=_who(by))
        write_attach(record, file_id, writer=view.writer, by=_who(by))
    note = f" [{NO_TEXT[pdf.text.text_layer]}]" if pdf.text.text_layer in NO_TEXT else ""
    typer.echo(f"attached  {file.name} -> record {record} ({len(pdf.text.pages)} pages){note}")


@fulltext_app.command("remove")
def remove_cmd(ctx: typer.Context, record: int = typer.Argument(..., help="The record's id."),
               by: str = BY) -> None:
    """Detach a record's PDF (or withdraw 'unobtainable'); the stored file is kept."""
    from reviewflow.fulltext.service import write_remove

    with writing(ctx) as view:
        write_remove(record, writer=view.writer, by=_who(by))
    typer.echo(f"record {record}: no full text now")


@fulltext_app.command("unobtainable")
def unobtainable_cmd(
    ctx: typer.Context,
    record: int = typer.Argument(..., help="The record's id."),
    reason: str = typer.Option(..., "--reason", help="Why it cannot be retrieved."),
    by: str = BY,
) -> None:
    """The report cannot be retrieved (counted in PRISMA 'reports not retrieved')."""
    from reviewflow.fulltext.service import write_unobtainable

    with writing(ctx) as view:
        write_unobtainable(record, reason, writer=view.writer, by=_who(by))
    typer.echo(f"record {record}: unobtainable ({reason.strip()})")


@fulltext_app.command("match")
def match_cmd(
    ctx: typer.Context,
    review: bool = typer.Option(False, "--review", help="List the doubtful matches."),
    accept: list[int] = typer.Option([], "--accept", help="Attach suggested match N."),
    reject: list[int] = typer.Option([], "--reject", help="Reject suggested match N."),
    by: str = BY,
) -> None:
    """Doubtful PDF-record matches: list them, accept or reject them."""
    if accept or reject:
        from reviewflow.fulltext.worklist import accept_match, reject_match

        with writing(ctx) as view:
            for n in accept:
                row = accept_match(n, writer=view.writer, by=_who(by))
                typer.echo(f"match {n}: attached to record {row.record_id}")
            for n in reject:
                row = reject_match(n, writer=view.writer, by=_who(by))
                typer.echo(f"match {n}: rejected (record {row.record_id})")
        return
    if not review:
        raise typer.BadParameter("use --review, --accept N or --reject N", param_hint="options")
    from reviewflow.fulltext.lists import read_pending_matches

    with reading(ctx) as view:
        pending = read_pending_matches(view.reader)
    if not pending:
        typer.echo("No doubtful matches waiting.")
        return
    for p in pending:
        typer.echo(f"{p.candidate_id:>5}  {p.file_name}\n       -> record {p.record_id}: "
                   f"{p.title}\n       {p.evidence or 'no evidence'} "
                   f"(title {p.title_score:.0f}/100; {p.doubt})")
    typer.echo(f"{len(pending)} waiting: 'reviewflow fulltext match --accept N' or '--reject N'")


def _csv(rows: list[WorklistRow], out) -> None:  # type: ignore[no-untyped-def]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record_id", "title", "doi", "file", "status", "translated_title",
                     "first_author", "year", "journal", "pmid", "reason"])
    for r in rows:
        writer.writerow([r.record_id, r.title, r.doi or "", r.file or "", r.status,
                         r.translated_title or "", r.authors[0] if r.authors else "",
                         r.year or "", r.journal or "", r.pmid or "", r.reason or ""])


def _ris(rows: list[WorklistRow], out) -> None:  # type: ignore[no-untyped-def]
    from reviewflow.importers.ris_writer import write_ris
    from reviewflow.records import Record

    records = [Record(title=r.title, translated_title=r.translated_title,
                      authors=list(r.authors), year=r.year, journal=r.journal, doi=r.doi,
                      pmid=r.pmid) for r in rows]
    write_ris(records, out, [r.record_id for r in rows])


@fulltext_app.command("list")
def list_cmd(
    ctx: typer.Context,
    missing: bool = typer.Option(False, "--missing", help="Only records without a PDF."),
    fmt: ListFormat = typer.Option(ListFormat.TABLE, "--format", help="table, csv or ris."),
    out: Path = typer.Option(None, "--out", help="Write to this file (default: stdout)."),
) -> None:
    """The retrieval worklist: every record with its full-text status and PDF file name."""
    from reviewflow.fulltext.lists import read_worklist

    with reading(ctx) as view:
        rows = read_worklist(view.reader, missing_only=missing)
    if fmt is ListFormat.TABLE:
        for r in rows:
            title = titles_of(r.title, r.translated_title, r.language).line(100)
            typer.echo(f"{r.record_id:>6}  {r.status:12}  {(r.file or r.reason or '-')[:40]:40}"
                       f"  {title}")
        typer.echo(f"{len(rows)} record{'s' if len(rows) != 1 else ''}")
        return
    write = _csv if fmt is ListFormat.CSV else _ris
    if out is None:
        write(rows, sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as fh:
            write(rows, fh)
        typer.echo(f"{plural(len(rows), 'record')} written to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(fulltext_app, name="fulltext")
