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

import typer

from reviewflow.errors import ReviewflowError

app = typer.Typer(
    name="reviewflow",
    help="Terminal-first systematic-review workflow manager.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each area registers its commands; keep one line per module, sorted.
_AREAS: list[str] = [
    "dedup",
]


def _register_all() -> None:
    import importlib

    for name in _AREAS:
        importlib.import_module(f"reviewflow.cli.{name}").register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, mapping user errors to exit code 1."""
    try:
        app(args=argv, standalone_mode=True)
    except ReviewflowError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
