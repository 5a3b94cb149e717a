"""``reviewflow dedup``: find duplicate records.

Stateless mode (``--input``) reads export files, writes GROUPS.csv (one row
per input record; equal ``group`` = certain duplicates) and optionally
PAIRS.csv (possible duplicates for a person to check). It needs no review,
which makes it the mode for one-off use and for benchmarking.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reviewflow.cli.common import working
from reviewflow.errors import ReviewflowError
from reviewflow.records import Record
from reviewflow.wording import plural

if TYPE_CHECKING:  # numpy/rapidfuzz load only when dedup actually runs
    from reviewflow.dedup import DedupResult

InputOpt = Annotated[
    list[Path] | None,
    typer.Option("--input", "-i", help="Export file to deduplicate (repeatable)."),
]
GroupsOpt = Annotated[
    Path | None,
    typer.Option("--groups-out", help="Write file,position,group (one row per record)."),
]
PairsOpt = Annotated[
    Path | None,
    typer.Option("--pairs-out", help="Write possible duplicates: file_a,position_a,...,score."),
]


def read_records(path: Path) -> list[Record]:
    """Records of one export file, in file order (importers loaded only when needed)."""
    from reviewflow.importers import read_file

    return list(read_file(path).records)


def _load(inputs: list[Path]) -> tuple[list[Record], list[tuple[str, int]]]:
    records: list[Record] = []
    origin: list[tuple[str, int]] = []
    for path in inputs:
        if not path.is_file():
            raise ReviewflowError(f"{path}: no such file")
        for position, record in enumerate(read_records(path), 1):
            records.append(record)
            origin.append((str(path), position))
    return records, origin


def write_groups(path: Path, origin: list[tuple[str, int]], result: DedupResult) -> None:
    with _open_out(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "position", "group"])
        for (file, position), label in zip(origin, result.labels(), strict=True):
            writer.writerow([file, position, label])


def write_pairs(path: Path, origin: list[tuple[str, int]], result: DedupResult) -> None:
    with _open_out(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file_a", "position_a", "file_b", "position_b", "score"])
        for pair in result.queued:
            (fa, pa), (fb, pb) = origin[pair.a], origin[pair.b]
            writer.writerow([fa, pa, fb, pb, f"{pair.score:.4f}"])


def _open_out(path: Path):  # noqa: ANN202 - a text file handle
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise ReviewflowError(f"{path}: cannot write ({exc.strerror or exc})") from None


def summary(result: DedupResult) -> str:
    return (
        f"{plural(result.n_records, 'record')}: {plural(len(result.groups), 'duplicate group')} "
        f"merged ({plural(result.n_removed, 'record')} folded in), "
        f"{plural(len(result.queued), 'possible pair')} queued, "
        f"{plural(len(result.related), 'related pair')} (notices/abstracts) kept apart"
    )


def dedup(
    ctx: typer.Context,
    resolution: Annotated[str | None, typer.Argument(
        help="With --resolve: duplicate or distinct.", show_default=False)] = None,
    inputs: InputOpt = None,
    groups_out: GroupsOpt = None,
    pairs_out: PairsOpt = None,
    resolve: Annotated[int | None, typer.Option(
        "--resolve", metavar="PAIR_ID", help="Settle a queued pair: PAIR_ID duplicate|distinct.",
    )] = None,
    undo: Annotated[int | None, typer.Option(
        "--undo", metavar="RECORD_ID", help="Take a merged-away record back out of its group.",
    )] = None,
    queue: Annotated[bool, typer.Option(
        "--queue", help="List the possible duplicate pairs waiting for a person.")] = False,
    related: Annotated[bool, typer.Option(
        "--related", help="List records flagged related (notices, meeting abstracts, "
        "trial registrations vs reports): not duplicates, to read together.")] = False,
) -> None:
    """Find duplicates: merge the certain ones, queue the possible ones for a person.

    Without --input it works on the review store; with --input it reads export
    files and writes CSVs (no review needed).
    """
    if inputs:
        if groups_out is None:
            raise typer.BadParameter("--groups-out is required with --input",
                                     param_hint="--groups-out")
        _stateless(inputs, groups_out, pairs_out)
        return
    if groups_out is not None or pairs_out is not None:
        raise typer.BadParameter("--groups-out/--pairs-out need --input", param_hint="--input")
    _store_mode(ctx, resolution, resolve, undo, queue, related)


def _stateless(inputs: list[Path], groups_out: Path, pairs_out: Path | None) -> None:
    from reviewflow.dedup import deduplicate

    records, origin = _load(inputs)
    with working(f"Deduplicating {len(records):,} records"):
        result = deduplicate(records)
    write_groups(groups_out, origin, result)
    if pairs_out is not None:
        write_pairs(pairs_out, origin, result)
    typer.echo(summary(result))


def _store_mode(ctx: typer.Context, resolution: str | None, resolve: int | None,
                undo: int | None, queue: bool, related: bool = False) -> None:
    if resolve is None and resolution is not None:
        raise typer.BadParameter(f"unexpected argument {resolution!r} (use --resolve PAIR_ID)",
                                 param_hint="RESOLUTION")
    if resolve is None and undo is None and (queue or related):
        (_print_queue if queue else _print_related)(ctx)  # reads: no ORM (issue 22)
        return
    from reviewflow.cli.common import reading, writing
    from reviewflow.store import dedup_store

    if resolve is not None and resolution not in dedup_store.RESOLUTIONS:
        raise typer.BadParameter("give duplicate or distinct after --resolve PAIR_ID",
                                 param_hint="RESOLUTION")
    # the write seam: on SQLite, sqlite3 without the ORM (issue 22)
    if resolve is not None:
        from reviewflow.screening.dedup_review import settle_pair

        with writing(ctx) as view:
            message = settle_pair(writer=view.writer, pair_id=resolve, verdict=str(resolution))
        typer.echo(message)
    elif undo is not None:
        with writing(ctx) as view:
            message = dedup_store.write_undo(writer=view.writer, record_id=undo)
        typer.echo(message)
    else:
        with working("Deduplicating the review's records"):
            with reading(ctx) as read:  # matching reads only: no write lock meanwhile
                plan = dedup_store.find_run(read.reader)
            with writing(ctx) as view:
                summary_text = dedup_store.write_run(writer=view.writer, plan=plan).text()
        typer.echo(summary_text)


def _print_queue(ctx: typer.Context) -> None:
    """The pairs waiting for a person, read through the read seam (no ORM: issue 22)."""
    from reviewflow.cli.common import reading
    from reviewflow.store.dedup_state import read_queued_pairs
    from reviewflow.store.record_headings import read_record_headings

    with reading(ctx) as view:
        pairs = read_queued_pairs(view.reader)
        heads = read_record_headings(view.reader, [rid for pair in pairs
                                                   for rid in (pair.record_a_id,
                                                               pair.record_b_id)])
    for pair in pairs:
        typer.echo(f"pair {pair.id}  score {pair.score:.3f}  ({pair.reason})")
        for rid in (pair.record_a_id, pair.record_b_id):
            if (head := heads.get(rid)) is not None:
                typer.echo(f"  record {head.id}: {head.line(120)} "
                           f"[{head.year or '?'}; {head.journal or '?'}]")
    typer.echo(f"{plural(len(pairs), 'pair')} waiting")


def _print_related(ctx: typer.Context) -> None:
    """The related pairs, read through the read seam (no ORM: issue 22)."""
    from reviewflow.cli.common import reading
    from reviewflow.store.dedup_state import read_related_pairs
    from reviewflow.store.record_headings import read_record_headings

    with reading(ctx) as view:
        pairs = read_related_pairs(view.reader)
        heads = read_record_headings(view.reader, [rid for a, b, _ in pairs for rid in (a, b)])
    for a, b, why in pairs:
        typer.echo(f"records {a} and {b}: {why}")
        for rid in (a, b):
            head = heads.get(rid)
            typer.echo(f"  record {rid}: {head.line(120) if head else '?'}")
    typer.echo(plural(len(pairs), "related pair"))


def register(app: typer.Typer) -> None:
    app.command("dedup")(dedup)
