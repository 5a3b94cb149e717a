"""The ``reviewflow`` command.

Typer was chosen over argparse for typed options, generated ``--help`` on every
subcommand and easy testing with ``CliRunner``. Each area of the program keeps
its commands in its own module (``reviewflow/cli/<area>.py``) exposing
``register(app)``; this module only assembles them (each loaded when its command
runs: :mod:`reviewflow.cli._lazy`) and turns
:class:`~reviewflow.errors.ReviewflowError` into a one-line message and exit 1.
Usage errors exit 2 (Click's convention).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
import typer._click as click
from typer.core import TyperOption

from reviewflow import __version__
from reviewflow.cli._index import INDEX
from reviewflow.cli._lazy import LazyCommands
from reviewflow.cli.common import Globals, HoistingGroup
from reviewflow.errors import ReviewflowError
from reviewflow.short_lived import short_lived

COMMANDS = LazyCommands(INDEX)


class LazyGroup(HoistingGroup):
    """The top-level group: commands come from :data:`COMMANDS`, imported on first use."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:  # type: ignore[override]
        return self.in_workflow_order(COMMANDS.names())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = COMMANDS.stub(cmd_name) if self._listing else COMMANDS.command(cmd_name)
        if command is not None:
            self.place_in_panel(cmd_name, command)
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True  # the list needs names and one-line helps, not the modules
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _flag_type_not_shown(self: TyperOption, ctx: click.Context) -> str | None:
    """A flag takes no value: Typer 0.29 printed ``--version <bool>``; show nothing."""
    return None if self.is_flag else _typer_type_display(self, ctx)


_typer_type_display = TyperOption.display_type_rich
TyperOption.display_type_rich = _flag_type_not_shown  # type: ignore[method-assign]

app = typer.Typer(
    name="reviewflow",
    cls=LazyGroup,
    help="Terminal-first systematic-review workflow manager.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    """Eager: runs while options are parsed, before Click asks for a command."""
    if value:
        typer.echo(f"reviewflow {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    ctx: typer.Context,
    review: Path = typer.Option(
        None, "--review", envvar="REVIEWFLOW_REVIEW", help="The review folder (default: "
        "$REVIEWFLOW_REVIEW, else this folder or a parent holding reviewflow.toml).",
        file_okay=False,
    ),
    db: str = typer.Option(
        None, "--db", help="SQLAlchemy database URL, e.g. postgresql+psycopg://user@host/db "
        "(overrides the review's reviewflow.toml).",
    ),
    version: bool = typer.Option(False, "--version", help="Show the version and exit.",
                                 callback=_print_version, is_eager=True),
) -> None:
    """Terminal-first systematic-review workflow manager."""
    ctx.obj = Globals(review=review, db=db)



def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, mapping user errors to exit code 1.

    ``argv`` None means this process is the command (the console script, ``python -m
    reviewflow``): its garbage collector is tuned for a process that ends with the
    command (:mod:`reviewflow.short_lived`). A library caller (tests, ``argv`` given)
    keeps its own.
    """
    if argv is None:
        short_lived()
    try:
        app(args=argv, standalone_mode=True)
    except ReviewflowError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # a full disk, a read-only folder: the machine, not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        message = _database_problem(exc)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        sys.exit(1)


def _database_problem(exc: Exception) -> str | None:
    """One line for a database that failed under us (disk full, server gone), else None.

    Store and domain code rolls back and re-raises; here it is told, without a
    traceback and without a password.
    """
    from reviewflow.store.secrets import mask_text

    sqlite3 = sys.modules.get("sqlite3")  # loaded by whatever opened a SQLite file
    if sqlite3 is not None and isinstance(exc, sqlite3.Error):  # a reading command's
        cause: BaseException = exc  # read-only sqlite3 connection
    elif "sqlalchemy" not in sys.modules:  # no store was opened: not a database failure
        return None
    else:
        from sqlalchemy.exc import OperationalError

        if not isinstance(exc, OperationalError):
            return None
        cause = exc.orig
    lines = mask_text(str(cause)).strip().splitlines()
    return f"database: {lines[0] if lines else type(cause).__name__}; nothing was changed"
