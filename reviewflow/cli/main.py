"""The ``reviewflow`` command.

Typer was chosen over argparse for typed options, generated ``--help`` on every
subcommand and easy testing with ``CliRunner``. Each area of the program keeps
its commands in its own module (``reviewflow/cli/<area>.py``) exposing
``register(app)``; this module only assembles them and turns
:class:`~reviewflow.errors.ReviewflowError` into a one-line message and exit 1.
Usage errors exit 2 (Click's convention).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from reviewflow import __version__
from reviewflow.cli.common import Globals, HoistingGroup
from reviewflow.errors import ReviewflowError

app = typer.Typer(
    name="reviewflow",
    cls=HoistingGroup,
    help="Terminal-first systematic-review workflow manager.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    """Register every ``reviewflow/cli/<area>.py`` that defines ``register(app)``.

    Discovered rather than listed so adding an area never edits this file.
    """
    import importlib
    import pkgutil

    import reviewflow.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in ("main", "common") or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"reviewflow.cli.{info.name}")
        if hasattr(module, "register"):
            module.register(app)


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


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, mapping user errors to exit code 1."""
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
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError):
        return None
    from reviewflow.store.secrets import mask_text

    lines = mask_text(str(exc.orig)).strip().splitlines()
    return f"database: {lines[0] if lines else type(exc.orig).__name__}; nothing was changed"
