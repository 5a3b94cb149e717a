"""What every command shares: the global ``--review``/``--db`` options and the store.

``--review`` and ``--db`` may be written before or after the subcommand
(``reviewflow status --review DIR`` and ``reviewflow --review DIR status`` both
work): :class:`HoistingGroup` moves them in front before Click parses.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from reviewflow.errors import ReviewflowError
from reviewflow.store.location import ReviewConfig, load_config, resolve_review_folder
from reviewflow.store.secrets import mask_url

if TYPE_CHECKING:  # the store (SQLAlchemy, SQLModel) loads when a command opens it
    from reviewflow.store.db import Store
    from reviewflow.store.reader import Reader
    from reviewflow.store.writer import Writer

GLOBAL_OPTIONS = ("--review", "--db")
STAGE_HELP = "title-abstract or full-text"


# ``reviewflow --help`` lists commands in panels, in the order a review runs.
# Areas register themselves (cli/main.py); a command missing here lands in "More".
WORKFLOW_PANELS: dict[str, tuple[str, ...]] = {
    "Start": ("init", "status", "tui", "demo", "team"),
    "1. Searches and duplicates": ("import", "searches", "dedup"),
    "2. Screening": ("reviewer", "policy", "pilot", "allocate", "screen", "decide", "fulltext",
                     "rank", "seed-relevant", "conflicts", "resolve", "kappa", "history"),
    "3. Extraction and analysis": ("same-study", "extraction", "rob", "analyse", "pool", "grade",
                                   "revman"),
    "4. PRISMA, report and exports": ("prisma", "report", "export", "import-bundle"),
    "Methods": ("simulate",),
}
_POSITION = {name: i for i, name in
             enumerate(n for names in WORKFLOW_PANELS.values() for n in names)}
_PANEL = {name: panel for panel, names in WORKFLOW_PANELS.items() for name in names}


class HoistingGroup(TyperGroup):
    """A group that accepts the global options anywhere on the command line.

    It also lists its commands in workflow order, grouped in help panels.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        names = super().list_commands(ctx)
        for name in names:
            self.place_in_panel(name, self.commands[name])
        return self.in_workflow_order(names)

    @staticmethod
    def place_in_panel(name: str, command: object) -> None:
        panel = getattr(command, "rich_help_panel", None)
        if not isinstance(panel, str):  # unset: None, or Typer's DefaultPlaceholder
            command.rich_help_panel = _PANEL.get(name, "More")  # type: ignore[attr-defined]

    @staticmethod
    def in_workflow_order(names: list[str]) -> list[str]:
        return sorted(names, key=lambda n: _POSITION.get(n, len(_POSITION)))


def hoist_global_options(args: list[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        bare_flag = "=" not in arg and (i + 1 == len(args) or args[i + 1].startswith("-"))
        if name == "--review" and bare_flag and i > 0:
            # A subcommand's own ``--review`` switch (``fulltext match --review``): the
            # global option always takes a folder.
            rest.append(arg)
        elif name in GLOBAL_OPTIONS:
            if "=" in arg:
                front.append(arg)
            elif i + 1 < len(args):
                front.extend(args[i : i + 2])
                i += 1
            else:
                front.append(arg)  # let Click report the missing value
        else:
            rest.append(arg)
        i += 1
    return front + rest


@dataclass
class Globals:
    """The global options, as the callback received them."""

    review: Path | None = None
    db: str | None = None


def globals_of(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    if not isinstance(root.obj, Globals):
        root.obj = Globals()
    return root.obj


def review_config(ctx: typer.Context) -> ReviewConfig:
    """The review folder's config, found by the documented lookup order."""
    return load_config(resolve_review_folder(globals_of(ctx).review))


def database_url(ctx: typer.Context) -> str:
    g = globals_of(ctx)
    if g.db and g.review is None:
        return g.db  # --db alone addresses a store with no review folder
    url = review_config(ctx).database_url()
    return g.db or url


def open_store(ctx: typer.Context) -> Store:
    """Open the store for this command; closed when the command ends.

    When the server wants a password that neither the URL, ``PGPASSWORD`` nor
    ``~/.pgpass`` gave, a terminal user is asked for it (kept in memory only).
    """
    from sqlalchemy.engine import make_url

    from reviewflow.store.db import PasswordNeeded, Store

    url = database_url(ctx)
    try:
        store = Store.open(url)
    except PasswordNeeded:
        if not sys.stdin.isatty():
            raise
        password = typer.prompt(f"Password for {mask_url(url)}", hide_input=True, err=True)
        store = Store.open(make_url(url).set(password=password)
                           .render_as_string(hide_password=False))
    ctx.call_on_close(store.dispose)
    return store


@dataclass(frozen=True)
class ReadView:
    """A reading command's view of the store: its reader, schema revision and URL."""

    reader: Reader
    schema: str | None
    display_url: str


@contextmanager
def reading(ctx: typer.Context) -> Iterator[ReadView]:
    """One read transaction for a reading command (``status``, ``kappa``).

    A SQLite store at the current schema is read through ``sqlite3`` opened
    read-only, without importing SQLAlchemy (whose import alone takes most of
    the 0.3 s a command may take to answer). Anything else (PostgreSQL, a URL
    with options, an older schema to upgrade, a file that is refused) goes
    through :func:`open_store` and a session, so messages and upgrades are the
    store's own.
    """
    from reviewflow.store.reader import SCHEMA_HEAD, open_sqlite_reader, sqlite_file_of

    url = database_url(ctx)
    path = sqlite_file_of(url)
    if path is not None:
        with open_sqlite_reader(path) as reader:
            if reader is not None:
                yield ReadView(reader, SCHEMA_HEAD, url)  # a plain file URL holds no secret
                return
    from reviewflow.store.reader import session_reader

    store = open_store(ctx)
    with store.session() as session:
        yield ReadView(session_reader(session), store.schema_revision, store.display_url)


@dataclass(frozen=True)
class WriteView:
    """A writing command's view of the store: its writer (reads too) and URL."""

    writer: Writer
    display_url: str


@contextmanager
def writing(ctx: typer.Context) -> Iterator[WriteView]:
    """One write transaction for a writing command (``decide``, ``resolve`` ...): committed
    when the command's block ends, nothing written when it raises.

    A SQLite store at the current schema is written through ``sqlite3`` (the write turn,
    ``BEGIN IMMEDIATE``), without importing SQLAlchemy; anything else goes through
    :func:`open_store` and :meth:`Store.write`, exactly as :func:`reading` falls back.
    """
    from reviewflow.store.reader import sqlite_file_of
    from reviewflow.store.writer import open_sqlite_writer

    url = database_url(ctx)
    path = sqlite_file_of(url)
    if path is not None:
        with open_sqlite_writer(path) as writer:
            if writer is not None:
                yield WriteView(writer, url)
                return
    from reviewflow.store.writer import session_writer

    store = open_store(ctx)
    with store.write() as session:
        yield WriteView(session_writer(session), store.display_url)


def unknown_reviewer(name: str, twin: str | None) -> ReviewflowError:
    """The one-line refusal of a name no registered reviewer has, naming the fix."""
    hint = f" (there is {twin!r}: names are exact)" if twin else ""
    return fail(f"unknown reviewer {name.strip()!r}{hint}; add them with "
                f"'reviewflow reviewer add {name.strip()}'")


def stages_named(stage: str | None) -> list[str]:
    """The stage a ``--stage`` option names, else every stage."""
    from reviewflow.stages import STAGES, parse_stage

    return [parse_stage(stage)] if stage else list(STAGES)


def fail(message: str) -> ReviewflowError:
    """Build a user error (``raise fail("...")``) for one-line exit-1 messages."""
    return ReviewflowError(message)


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on stderr while a long step runs, only when stderr is a terminal.

    Logs and pipes get nothing (no control codes, no blank lines); the result
    lines the command prints afterwards are the record of what happened.
    """
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


@contextmanager
def counting(message: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (terminal only); yields ``advance(done)``.

    Logs and pipes get nothing, and do not load rich's progress machinery either
    (a small ``reviewflow import`` answers in the time the CLI starts)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(message, total=total)
        yield lambda done: bar.update(task, completed=done)
