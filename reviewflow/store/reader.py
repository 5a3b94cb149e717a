"""The read seam of the store: plain SQL over a DB-API connection, no ORM.

Reading commands (``status``, ``kappa``) answer in a fraction of the time it
takes to import SQLAlchemy and SQLModel, so on SQLite they read the file
through :mod:`sqlite3` opened read-only (:func:`open_sqlite_reader`). Everything
else reads through a session (:func:`session_reader`): the same SQL on the
session's own DB-API connection, inside its transaction, so a write action sees
its own uncommitted rows. The read model's loaders take a :class:`Reader` and
hold their SQL once, written with ``?`` placeholders.

This module must not import SQLAlchemy, SQLModel or the models (a test checks
that ``status`` and ``kappa`` never load them on SQLite).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewflow.store.db import Store

# The newest schema revision this code knows (Alembic's head; tests check they agree).
SCHEMA_HEAD = "0007"
# How long a connection waits for another's lock (reviewflow.store.db uses it too).
BUSY_TIMEOUT_S = 60.0
# How long a write keeps retrying a busy SQLite file beyond its busy timeout (the ORM
# store's and the sqlite3 writer's BEGIN IMMEDIATE alike).
WRITE_RETRY_S = 60.0
_FORMAT_STYLES = ("format", "pyformat")


def is_busy(exc: BaseException) -> bool:
    """Whether a SQLite error says another connection holds the lock (worth retrying)."""
    message = str(exc).lower()
    return "database is locked" in message or "busy" in message


def sqlite_schema(con: sqlite3.Connection) -> str | None:
    """The Alembic revision a SQLite store is at; None for a file that is not a store."""
    names = {r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE name = 'alembic_version'")}
    row = con.execute("SELECT version_num FROM alembic_version").fetchone() if names else None
    return row[0] if row else None


@dataclass(frozen=True)
class Reader:
    """Rows from one DB-API connection, in one transaction (one consistent snapshot).

    ``paramstyle`` is the driver's (PEP 249): SQL is written with ``?`` and
    rewritten once here for ``%s`` drivers (psycopg).
    """

    connection: Any
    paramstyle: str = "qmark"

    def _sql(self, sql: str) -> str:
        if self.paramstyle in _FORMAT_STYLES:
            return sql.replace("%", "%%").replace("?", "%s")
        return sql

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of ``sql`` as plain tuples (SQLAlchemy's row objects cost several
        times the query itself on tens of thousands of decisions)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        found = self.rows(sql, params)
        return found[0][0] if found else None


def session_reader(session: Session) -> Reader:
    """A reader on the session's own connection and transaction: it sees the session's
    own writes (pending objects are flushed first, as an ORM query's autoflush would)."""
    if session.autoflush:
        session.flush()
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    return Reader(dbapi, conn.dialect.paramstyle)


@contextmanager
def store_reader(store: Store) -> Iterator[Reader]:
    """A reader in one read session of an open store: for callers that hold a
    :class:`~reviewflow.store.db.Store` (the TUI, the demo, tests) calling the loaders a
    reading command calls through ``cli.common.reading``."""
    with store.session() as session:
        yield session_reader(session)


def sqlite_file_of(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL, else None (anything with a query,
    an escape or another backend goes through the full store open)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix):]
    if not path or path == ":memory:" or any(c in path for c in "?%#"):
        return None
    return Path(path)


@contextmanager
def open_sqlite_reader(path: Path) -> Iterator[Reader | None]:
    """A read-only reader on a SQLite store at the current schema; None when the file is
    anything else (missing, not a store, an older or newer schema), so the caller opens
    it through :class:`~reviewflow.store.db.Store`, which upgrades or refuses it with
    its one-line message. Nothing is written to the file: ``mode=ro`` cannot.

    All reads run in one read transaction (one snapshot); a writer holding the
    lock is waited for, up to the busy timeout the store's own connections use.
    """
    if not path.is_file():
        yield None
        return
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                              timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error:
        yield None
        return
    try:
        try:
            con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("BEGIN")
            rev = sqlite_schema(con)
        except sqlite3.Error:
            rev = None
        yield Reader(con) if rev == SCHEMA_HEAD else None
    finally:
        con.close()
