"""``reviewflow dedup``: find duplicate records.

Stateless mode (``--input``) reads export files, writes GROUPS.csv (one row
per input record; equal ``group`` = certain duplicates) and optionally
PAIRS.csv (possible duplicates for a person to check). It needs no review,
which makes it the mode for one-off use and for benchmarking.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from reviewflow.dedup import DedupResult, deduplicate
from reviewflow.errors import ReviewflowError
from reviewflow.records import Record

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
        f"{result.n_records} records: {len(result.groups)} duplicate groups merged "
        f"({result.n_removed} records folded in), {len(result.queued)} possible pairs "
        f"queued, {len(result.related)} related pairs (notices/abstracts) kept apart"
    )


def dedup(
    inputs: InputOpt = None,
    groups_out: GroupsOpt = None,
    pairs_out: PairsOpt = None,
) -> None:
    """Find duplicates: certain ones grouped, possible ones listed for a person."""
    if not inputs:
        raise typer.BadParameter(
            "give --input FILE (store mode is not available yet)", param_hint="--input"
        )
    if groups_out is None:
        raise typer.BadParameter("--groups-out is required with --input",
                                 param_hint="--groups-out")
    records, origin = _load(inputs)
    result = deduplicate(records)
    write_groups(groups_out, origin, result)
    if pairs_out is not None:
        write_pairs(pairs_out, origin, result)
    typer.echo(summary(result))


def register(app: typer.Typer) -> None:
    app.command("dedup")(dedup)
