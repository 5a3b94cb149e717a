"""The write seam of the store: plain SQL inserts over a DB-API connection, no ORM.

The mirror of :mod:`reviewflow.store.reader`. A command that writes a few rows
(``decide``, ``resolve``, ``reviewer add``, ``seed-relevant``) would spend most of
the 0.3 s it may take importing SQLAlchemy and SQLModel, so on a SQLite file at the
current schema it writes through :mod:`sqlite3` (:func:`open_sqlite_writer`: the
write turn, ``BEGIN IMMEDIATE``, commit or rollback when the block ends). Everything
else (PostgreSQL, the TUI, an older schema the store upgrades) writes through a
session (:func:`session_writer`): the same SQL on the session's own connection,
inside its transaction. Domain write functions take a :class:`Writer`, so both
ways run one code path.

Each table's insert is held once (:data:`TABLES`), from a column list a test checks
against the SQLModel tables, with the same defaults; timestamps go in exactly as
SQLAlchemy stores them, so a row reads back the same whichever way it was written.

This module must not import SQLAlchemy, SQLModel or the models.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.store.reader import (
    BUSY_TIMEOUT_S,
    SCHEMA_HEAD,
    WRITE_RETRY_S,
    Reader,
    is_busy,
    sqlite_schema,
)

if TYPE_CHECKING:
    from sqlmodel import Session

# SQLAlchemy's DateTime on SQLite: text, always six digits of microseconds, no zone
# (every stored time is UTC: reviewflow.store.models.utcnow).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
NOW = object()  # a default: the time of the insert


@dataclass(frozen=True)
class Table:
    """One table's insert: every column but the integer key, and what an omitted one gets."""

    name: str
    columns: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def insert_sql(self, returning: bool, unique: str | None = None) -> str:
        """The insert; with ``unique``, a row whose ``unique`` column is taken is skipped."""
        names = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" for _ in self.columns)
        skip = f' ON CONFLICT ("{unique}") DO NOTHING' if unique else ""
        tail = " RETURNING id" if returning else ""
        return f"INSERT INTO {self.name} ({names}) VALUES ({marks}){skip}{tail}"


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("reviewer", ("name", "role", "created_at", "db_role"),
          {"role": "reviewer", "created_at": NOW, "db_role": None}),
    Table("screening_decision", ("record_id", "stage", "reviewer_id", "decision", "reason",
                                 "note", "client_key", "at"),
          {"reason": None, "note": None, "client_key": None, "at": NOW}),
    Table("conflict_resolution", ("record_id", "stage", "decision", "reason", "note", "method",
                                  "resolved_by_id", "at"),
          {"reason": None, "note": None, "at": NOW}),
    Table("setting_change", ("key", "value", "changed_by_id", "at"),
          {"changed_by_id": None, "at": NOW}),
    Table("review", ("title", "question", "pico_json", "stages_json", "settings_json", "blind",
                     "created_at"),
          {"question": None, "pico_json": "{}", "stages_json": '["title_abstract", "full_text"]',
           "settings_json": "{}", "blind": True, "created_at": NOW}),
    Table("search_import", ("database", "origin", "file_name", "file_sha256", "format",
                            "encoding", "searched_on", "query", "record_count", "warning_count",
                            "imported_at"),
          {"origin": "database", "searched_on": None, "query": None, "record_count": 0,
           "warning_count": 0, "imported_at": NOW}),
    Table("record", ("title", "abstract", "authors_json", "year", "journal", "volume", "issue",
                     "pages", "doi", "pmid", "language", "keywords_json", "publication_type",
                     "url", "issn", "accession", "translated_title", "raw_json", "created_at"),
          {"title": None, "abstract": None, "authors_json": "[]", "year": None, "journal": None,
           "volume": None, "issue": None, "pages": None, "doi": None, "pmid": None,
           "language": None, "keywords_json": "[]", "publication_type": None, "url": None,
           "issn": None, "accession": None, "translated_title": None, "raw_json": "{}",
           "created_at": NOW}),
    Table("record_provenance", ("record_id", "import_id", "position", "line"), {"line": None}),
    Table("dedup_pair", ("record_a_id", "record_b_id", "score", "outcome", "reason",
                         "created_at"),
          {"reason": None, "created_at": NOW}),
    Table("dedup_decision", ("pair_id", "kept_record_id", "merged_record_id", "action", "method",
                             "reviewer_id", "score", "reason", "at"),
          {"pair_id": None, "reviewer_id": None, "score": None, "reason": None, "at": NOW}),
    Table("study", ("label", "created_at"), {"created_at": NOW}),
    Table("study_record", ("study_id", "record_id", "is_primary"), {"is_primary": False}),
    Table("extraction_form", ("name", "version", "definition", "created_at"),
          {"version": 1, "created_at": NOW}),
    Table("extraction_value", ("study_id", "form_id", "reviewer_id", "field_path", "value",
                               "is_consensus", "at"),
          {"form_id": None, "value": None, "is_consensus": False, "at": NOW}),
    Table("rob_judgement", ("study_id", "tool", "domain", "outcome", "judgement", "support",
                            "reviewer_id", "is_consensus", "at"),
          {"outcome": None, "support": None, "is_consensus": False, "at": NOW}),
    Table("grade_judgement", ("outcome", "domain", "judgement", "reason", "reviewer_id", "at"),
          {"reason": None, "at": NOW}),
    Table("fulltext_file", ("sha256", "size", "page_count", "text_layer", "original_name",
                            "stored_as", "mode", "added_by", "added_at"),
          {"added_at": NOW}),
    Table("fulltext_page", ("file_id", "page", "text")),
    Table("fulltext_event", ("record_id", "file_id", "action", "method", "evidence", "reason",
                             "by", "at"),
          {"file_id": None, "evidence": None, "reason": None, "at": NOW}),
    Table("fulltext_candidate", ("file_id", "record_id", "evidence", "doubt", "title_score",
                                 "created_at"),
          {"title_score": 0.0, "created_at": NOW}),
    Table("study_link_decision", ("record_a_id", "record_b_id", "action", "reasons", "by", "at"),
          {"reasons": None, "at": NOW}),
    Table("study_merge", ("study_id", "into_id", "action", "note", "by", "at"),
          {"note": None, "at": NOW}),
)}


@dataclass(frozen=True)
class Writer:
    """Writes on one DB-API connection, in the caller's transaction (never commits).

    ``sqlite`` says how a timestamp is passed (text as SQLAlchemy stores it, else the
    datetime the ORM would pass); ``integrity_error`` is the exception for a refused
    key, so a caller can name the problem instead of showing a traceback. A session's
    writer runs its statements through the session's SQLAlchemy connection
    (``statements``), so a failure is the SQLAlchemy error the TUI and the CLI already
    handle (a busy file, a row the server's row-level security refuses), not the
    driver's own.
    """

    connection: Any
    paramstyle: str = "qmark"
    sqlite: bool = True
    integrity_error: type[Exception] = sqlite3.IntegrityError
    statements: Any = None  # a SQLAlchemy Connection (exec_driver_sql), else the DB-API one

    @property
    def reader(self) -> Reader:
        """Reads in the same transaction (they see this writer's rows)."""
        return Reader(self.connection, self.paramstyle)

    def _sql(self, sql: str) -> str:
        return self.reader._sql(sql)

    def now(self) -> Any:
        return self.value(datetime.now(UTC))

    def value(self, value: Any) -> Any:
        """A Python value as the ORM passes it to this driver: on SQLite a datetime is
        UTC text as SQLAlchemy stores it (an aware one is converted to UTC first) and a
        date ISO text; elsewhere the driver takes both as they are."""
        if not self.sqlite:
            return value
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return value.strftime(SQLITE_DATETIME)
        if isinstance(value, date):
            return value.isoformat()
        return value

    def insert(self, table: str, **values: Any) -> int:
        """Insert one row; its new id."""
        new = self.insert_new(table, None, **values)
        assert new is not None
        return new

    def insert_new(self, table: str, unique: str | None, **values: Any) -> int | None:
        """Insert one row unless its ``unique`` column's value is stored already (another
        writer got there first: no error, nothing written); its new id, else None."""
        spec = TABLES[table]
        unknown = set(values) - set(spec.columns)
        if unknown:
            raise TypeError(f"{table} has no column {', '.join(sorted(unknown))}")
        row = []
        for column in spec.columns:
            value = values[column] if column in values else spec.defaults[column]
            row.append(self.now() if value is NOW else self.value(value))
        last_id, count, first = self._run(spec.insert_sql(not self.sqlite, unique), row)
        if self.sqlite:
            return int(last_id) if count == 1 else None
        return None if first is None else int(first[0])

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one UPDATE (or other statement); the number of rows it touched."""
        return int(self._run(sql, params)[1])

    def _run(self, sql: str, params: Sequence[Any]) -> tuple[Any, int, Any]:
        """(lastrowid, rowcount, first row of a RETURNING) of one statement."""
        returning = " RETURNING " in sql
        if self.statements is not None:
            result = self.statements.exec_driver_sql(self._sql(sql), tuple(params))
            first = result.fetchone() if returning else None
            last_id = result.lastrowid if self.sqlite and not returning else None
            return last_id, result.rowcount, first
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            first = cursor.fetchone() if returning else None
            return (cursor.lastrowid if self.sqlite else None), cursor.rowcount, first
        finally:
            cursor.close()

    def insert_many(self, table: str, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert many rows with one ``executemany``; their new ids, in the order of ``rows``.

        An import writes 100,000 records: one statement per row costs a round trip each
        (and ``RETURNING`` with ordered ids is one statement per row on SQLite), so the ids
        are taken first and written with the rows: on SQLite the next ones after the
        largest (no other writer can take them: the write transaction holds the file,
        ``BEGIN IMMEDIATE``), elsewhere from the table's own sequence. ``rows`` hold the
        values of ``columns``; a date or datetime goes in as :meth:`value` passes it, an
        omitted column gets its default (one ``NOW`` for the whole batch).
        """
        spec = TABLES[table]
        unknown = set(columns) - set(spec.columns)
        if unknown:
            raise TypeError(f"{table} has no column {', '.join(sorted(unknown))}")
        if not rows:
            return []
        now = self.now()
        rest = [c for c in spec.columns if c not in columns]
        fixed = tuple(now if spec.defaults[c] is NOW else self.value(spec.defaults[c])
                      for c in rest)
        ids = self._new_ids(table, len(rows))
        # only SQLite needs dates as text; the types present, found at C speed, say
        # whether any value needs converting (an import's hundreds of thousands do not)
        if self.sqlite and any(issubclass(kind, date)
                               for kind in set(map(type, chain.from_iterable(rows)))):
            rows = [tuple(map(self.value, row)) for row in rows]
        params = [(new, *row, *fixed) for new, row in zip(ids, rows, strict=True)]
        names = ", ".join(f'"{c}"' for c in ("id", *columns, *rest))
        marks = ", ".join("?" for _ in range(1 + len(columns) + len(rest)))
        sql = self._sql(f"INSERT INTO {spec.name} ({names}) VALUES ({marks})")
        if self.statements is not None:
            self.statements.exec_driver_sql(sql, params)
        else:
            cursor = self.connection.cursor()
            try:
                cursor.executemany(sql, params)
            finally:
                cursor.close()
        return ids

    def _new_ids(self, table: str, count: int) -> list[int]:
        """``count`` unused ids of ``table``, ascending."""
        if self.sqlite:
            first = int(self.reader.scalar(f"SELECT max(id) FROM {table}") or 0) + 1
            return list(range(first, first + count))
        return sorted(int(n) for (n,) in self.reader.rows(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
            "FROM generate_series(1, ?)", (count,)))


def session_writer(session: Session) -> Writer:
    """A writer on the session's own connection and transaction (pending ORM objects are
    flushed first, so the SQL sees them and they come before its rows); its statements
    go through the session's connection, its reads through the driver's (as
    :func:`~reviewflow.store.reader.session_reader`)."""
    from sqlalchemy.exc import IntegrityError

    session.flush()
    conn = session.connection()
    dialect = conn.dialect
    return Writer(conn.connection.dbapi_connection, dialect.paramstyle,
                  dialect.name == "sqlite", IntegrityError, conn)


def _begin_immediate(con: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, retried while SQLite reports the file busy at once (as the
    ORM store's ``Store._begin`` does)."""
    deadline = time.monotonic() + WRITE_RETRY_S
    pause = 0.005
    while True:
        try:
            con.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _connect(path: Path) -> sqlite3.Connection | None:
    """A read-write connection to an existing store at the current schema, else None.
    ``mode=rw`` never creates a file; the schema check reads only."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                              timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        if sqlite_schema(con) == SCHEMA_HEAD:
            for pragma in ("foreign_keys=ON", f"busy_timeout={int(BUSY_TIMEOUT_S * 1000)}",
                           "synchronous=NORMAL"):
                con.execute(f"PRAGMA {pragma}")
            return con
    except sqlite3.Error:
        pass
    con.close()
    return None


@contextmanager
def open_sqlite_writer(path: Path) -> Iterator[Writer | None]:
    """One write transaction on a SQLite store at the current schema: committed when the
    block ends, rolled back (nothing written) when it raises. None when the file is
    anything else, so the caller opens it through the ORM store, which upgrades or
    refuses it with its one-line message; nothing is held then (no turn, no lock).

    Writers take turns as the ORM store's do (:mod:`reviewflow.store.write_turn`),
    then ``BEGIN IMMEDIATE``; the schema is checked again inside the transaction.
    """
    from reviewflow.store.write_turn import WriteTurn

    con = _connect(path)
    if con is None:
        yield None
        return
    with ExitStack() as stack:
        stack.callback(con.close)
        turn = WriteTurn(path, BUSY_TIMEOUT_S)
        stack.callback(turn.close)
        stack.enter_context(turn.held())
        _begin_immediate(con)
        if sqlite_schema(con) != SCHEMA_HEAD:  # upgraded or replaced since the check above
            con.execute("ROLLBACK")
            writer = None
        else:
            writer = Writer(con)
        if writer is not None:
            try:
                yield writer
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            return
    yield None
