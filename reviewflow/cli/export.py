"""``export``: the one sub-app for everything that leaves the review as a file.

Each export is a subcommand (``export decisions``, ``export bundle``; other areas
add theirs, e.g. ``export records`` from cli/importing.py). ``export --bundle FILE``
is accepted as a spelling of ``export bundle FILE`` because the documentation
uses it.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TextIO

import typer

from reviewflow.cli.audit import AS_HELP
from reviewflow.cli.common import fail, globals_of, open_store, reading, working
from reviewflow.errors import ReviewflowError
from reviewflow.formula_guard import neutralise_row
from reviewflow.store.location import load_config, resolve_review_folder
from reviewflow.wording import plural

export_app = typer.Typer(
    help="Write parts of the review, or all of it, to files.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@export_app.callback()
def _export(
    ctx: typer.Context,
    bundle: Path = typer.Option(None, "--bundle", help="Same as 'export bundle FILE'.",
                                dir_okay=False),
) -> None:
    """Write parts of the review, or all of it, to files."""
    if ctx.invoked_subcommand is not None:
        if bundle is not None:
            raise typer.BadParameter("use either --bundle or a subcommand", param_hint="--bundle")
        return
    if bundle is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    bundle_command(ctx, bundle)


@export_app.command("decisions")
def decisions_command(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", help="Output format (csv)."),
    out: Path = typer.Option(None, "--out", "-o", help="File to write (default: stdout).",
                             dir_okay=False),
    as_name: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Every screening decision and resolution ever recorded (the audit log), oldest first."""
    if fmt.lower() != "csv":
        raise fail(f"unknown format {fmt!r}; use csv")
    from reviewflow.cli.screening import viewer_in
    from reviewflow.review_state.load import read_review_state
    from reviewflow.screening.audit_view import visible_in
    from reviewflow.store.audit import decision_csv_row, read_decision_events

    with reading(ctx) as view:  # as ``history``: sqlite3 on a SQLite review, no ORM
        state = read_review_state(view.reader)
        viewer = viewer_in(state, as_name)
        events = read_decision_events(view.reader)
        if viewer is not None:
            events = visible_in(state, events, viewer)
    rows = [decision_csv_row(e) for e in events]
    if out is None:
        _write_csv(sys.stdout, rows)
        return
    with AtomicText(out) as fh:
        _write_csv(fh, rows)
    typer.echo(f"Wrote {len(rows)} decision events to {out}", err=True)


def _write_csv(fh: TextIO, rows: list[dict[str, object]]) -> None:
    from reviewflow.store.audit import DECISION_CSV_COLUMNS

    writer = csv.DictWriter(fh, fieldnames=list(DECISION_CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(neutralise_row(r) for r in rows)  # formula-leading cells: see formula_guard


class AtomicText:
    """Write to FILE.partial and rename, so a crash never leaves half a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(path.name + ".partial")

    def __enter__(self) -> TextIO:
        try:
            self.fh = self.tmp.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise ReviewflowError(f"{self.path}: cannot write ({exc.strerror})") from exc
        return self.fh

    def __exit__(self, exc_type: object, exc: BaseException | None, *rest: object) -> None:
        try:
            self.fh.close()
            if exc is None:
                self.tmp.replace(self.path)
        except OSError as err:  # a full disk may show only at close
            exc = exc or err
        if exc is None:
            return
        self.tmp.unlink(missing_ok=True)  # never a half-written export left behind
        if isinstance(exc, OSError):
            raise ReviewflowError(f"{self.path}: cannot write ({exc.strerror or exc})") from None


@export_app.command("bundle")
def bundle_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The bundle to write (a .zip).", dir_okay=False),
) -> None:
    """The whole review (store, reviewflow.toml, forms) in one portable file."""
    from reviewflow.store.bundle import write_bundle

    store = open_store(ctx)
    folder = _review_folder(ctx)
    carry: dict[str, Path] = {}
    if folder is not None:
        from reviewflow.fulltext.service import pdfs_to_bundle

        with store.session() as s:
            carry = pdfs_to_bundle(session=s, review_folder=folder,
                                   settings=load_config(folder).extra)
    try:
        with working("Writing the bundle (every table, checksummed)"):
            summary = write_bundle(store, folder, file, carry)
    except OSError as exc:
        raise fail(f"{file}: cannot write ({exc.strerror})") from exc
    rows = sum(t.rows for t in summary.values())
    typer.echo(f"Wrote {file}: {plural(len(summary), 'table')}, {plural(rows, 'row')}")


def _review_folder(ctx: typer.Context) -> Path | None:
    """The review folder, or None when the store was named by --db alone."""
    g = globals_of(ctx)
    if g.db and g.review is None:
        return None
    return resolve_review_folder(g.review)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
