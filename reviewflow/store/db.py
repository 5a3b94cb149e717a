"""Engine set-up, sessions and schema versioning for the review store.

SQLite is the embedded default. It is opened with WAL (readers never block the
writer), foreign keys on, and a busy timeout; write transactions start with
``BEGIN IMMEDIATE`` so two processes never deadlock upgrading a read lock to a
write lock (the classic "database is locked" failure). PostgreSQL works through
the same code with any SQLAlchemy URL.

Schema versions are Alembic revisions (migrations in ``db/migrations``). A store
at an older revision is upgraded on open; one at a revision this reviewflow does
not know (written by a newer version) is refused, never touched.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session, create_engine, select

from reviewflow import __version__
from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.migrate import SCHEMA_HEAD, known_revisions, upgrade_to_head
from reviewflow.store.reader import BUSY_TIMEOUT_S, WRITE_RETRY_S, is_busy
from reviewflow.store.secrets import mask_text, mask_url, parse_url
from reviewflow.store.write_turn import WriteTurn

BUSY_TIMEOUT_MS = int(BUSY_TIMEOUT_S * 1000)
# PostgreSQL connections are replaced after this many seconds instead of being
# pinged on every checkout: a ping is one more round trip per decision (about
# a third of a decision's cost), while idle connections are what servers and
# firewalls drop.
PG_POOL_RECYCLE_S = 300


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class PasswordNeeded(ReviewflowError):
    """The server asked for a password the URL, PGPASSWORD and ~/.pgpass did not give."""


def _refuse_unchanged(url: str, *, creating: bool) -> None:
    """Check a SQLite file read-only BEFORE any engine touches it.

    The engine switches a file to WAL on connect (a change to its header), and
    SQLite creates a missing file; so a missing path, another program's
    database, a non-database file or a store from a newer reviewflow is refused
    here, through a ``mode=ro`` connection that cannot change a byte.
    """
    path = sqlite_path(url)
    if path is None or str(path) in ("", ":memory:"):
        return
    if not path.exists():
        if creating:
            return
        raise ReviewflowError(f"{path}: no such database file")
    if path.is_dir():
        raise ReviewflowError(f"{path}: is a folder, not a database file")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            rev = (con.execute("SELECT version_num FROM alembic_version").fetchone()
                   if "alembic_version" in names else None)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ReviewflowError(f"{path}: not a SQLite database ({exc})") from None
    if creating:
        if rev is not None:
            raise ReviewflowError(f"{path}: already holds a review")
        if names:
            raise ReviewflowError(f"{path}: already holds another program's tables; "
                                  "choose a new file")
        return
    if rev is None:
        raise ReviewflowError(f"{path}: not a reviewflow store (no schema version)")
    if rev[0] != SCHEMA_HEAD and rev[0] not in known_revisions():
        raise ReviewflowError(
            f"{path}: written by a newer reviewflow (schema {rev[0]}); "
            f"this is reviewflow {__version__} (schema {SCHEMA_HEAD}); please upgrade")


def _connection_error(store: Store, verb: str, exc: OperationalError) -> ReviewflowError:
    detail = mask_text(str(exc.orig)).strip().splitlines()
    first = detail[0] if detail else type(exc.orig).__name__
    if not store.is_sqlite and "password" in str(exc.orig).lower():
        return PasswordNeeded(f"{store.display_url}: cannot {verb} store ({first}); set "
                              "PGPASSWORD or a ~/.pgpass line, never the password in "
                              "reviewflow.toml")
    return ReviewflowError(f"{store.display_url}: cannot {verb} store ({first})")


def _make_engine(url: str, *, immediate: bool) -> Engine:
    """An engine; on SQLite ``immediate`` makes every transaction BEGIN IMMEDIATE."""
    if not _is_sqlite(url):
        return create_engine(url, pool_recycle=PG_POOL_RECYCLE_S)
    busy_ms = BUSY_TIMEOUT_MS  # read now, so a test can shorten it
    engine = create_engine(url, connect_args={"timeout": busy_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so we can choose BEGIN kind.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """An open review store: a read engine and a write engine on one database."""

    def __init__(self, url: str) -> None:
        parse_url(url)  # one line for a bogus or unsupported URL, not a traceback
        self.url = url
        self.is_sqlite = _is_sqlite(url)
        self.engine = _make_engine(url, immediate=False)
        self.write_engine = (
            _make_engine(url, immediate=True) if self.is_sqlite else self.engine
        )
        path = sqlite_path(url) if self.is_sqlite else None
        on_disk = path is not None and str(path) != ":memory:"
        self._turn = WriteTurn(path, BUSY_TIMEOUT_MS / 1000) if on_disk else None

    # -- opening -------------------------------------------------------------
    @classmethod
    def create(cls, url: str, *, title: str, question: str | None = None) -> Store:
        """Create the schema in an empty database and the review row."""
        parse_url(url)
        _refuse_unchanged(url, creating=True)
        store = cls(url)
        try:
            if store._current_revision() is not None or store._has_tables():
                raise ReviewflowError(f"{store.display_url}: already holds a review")
            upgrade_to_head(store.write_engine)
            with store.write() as s:
                s.add(models.Review(title=title, question=question))
                s.add(models.StoreMeta(key="created_with", value=__version__))
        except OperationalError as exc:
            store.dispose()
            raise _connection_error(store, "create", exc) from exc
        except BaseException:
            store.dispose()
            raise
        return store

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Open an existing store, upgrading an older schema, refusing a newer one.

        Nothing is written to a store that is then refused (see
        :func:`_refuse_unchanged`).
        """
        parse_url(url)
        _refuse_unchanged(url, creating=False)
        store = cls(url)
        try:
            store.check_schema(upgrade=upgrade)
        except OperationalError as exc:
            store.dispose()
            raise _connection_error(store, "open", exc) from exc
        except BaseException:
            store.dispose()
            raise
        return store

    def check_schema(self, *, upgrade: bool = True) -> str:
        rev = self._current_revision()
        if rev is None:
            raise ReviewflowError(f"{self.display_url}: not a reviewflow store (no schema version)")
        if rev == SCHEMA_HEAD:
            return rev
        if rev not in known_revisions():
            raise ReviewflowError(
                f"{self.display_url}: written by a newer reviewflow (schema {rev}); "
                f"this is reviewflow {__version__} (schema {SCHEMA_HEAD}); please upgrade"
            )
        if not upgrade:
            raise ReviewflowError(f"{self.display_url}: schema {rev} needs upgrading")
        upgrade_to_head(self.write_engine)
        return SCHEMA_HEAD

    def _has_tables(self) -> bool:
        return bool(inspect(self.engine).get_table_names())

    def _current_revision(self) -> str | None:
        if not inspect(self.engine).has_table("alembic_version"):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None

    @property
    def schema_revision(self) -> str | None:
        return self._current_revision()

    @property
    def display_url(self) -> str:
        """The URL without any password (nor ``?password=``), for messages and files."""
        return mask_url(self.url)

    # -- sessions ------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session: one snapshot for all its reads (writes go through :meth:`write`).

        SQLite's read transaction is one snapshot already; PostgreSQL's default READ
        COMMITTED gives each statement its own, so a dashboard's counts could add up
        two committed states. REPEATABLE READ makes the whole session one snapshot.
        """
        with Session(self.engine, expire_on_commit=False) as s:
            if not self.is_sqlite:
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield s

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any error.

        The transaction (on SQLite: the write lock) is taken before the body runs,
        so a busy database is waited for, and retried, here -- never half way
        through the caller's work.
        """
        with self._write_turn(), Session(self.write_engine, expire_on_commit=False) as s:
            self._begin(s)
            try:
                yield s
                s.commit()
            except SQLAlchemyError:
                s.rollback()
                raise
            except BaseException:
                s.rollback()
                raise

    def _write_turn(self):  # -> a context manager
        """On a SQLite file, writers take turns (:mod:`reviewflow.store.write_turn`)."""
        return self._turn.held() if self._turn is not None else nullcontext()

    def _begin(self, session: Session) -> None:
        """Start the write transaction, retrying while SQLite reports the file busy.

        The busy timeout already makes SQLite wait; a few cases (WAL recovery,
        a checkpoint racing a new writer) still return SQLITE_BUSY at once, so
        those are retried with a short growing pause for up to ``WRITE_RETRY_S``.
        """
        deadline = time.monotonic() + WRITE_RETRY_S
        pause = 0.005
        while True:
            try:
                session.connection()
                return
            except OperationalError as exc:
                session.rollback()
                if not (self.is_sqlite and is_busy(exc.orig)) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def review(self) -> models.Review:
        with self.session() as s:
            review = s.exec(select(models.Review)).first()
        if review is None:
            raise ReviewflowError(f"{self.display_url}: store has no review row")
        return review

    def settings(self) -> dict[str, Any]:
        return json.loads(self.review().settings_json or "{}")

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
        if self._turn is not None:
            self._turn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None
