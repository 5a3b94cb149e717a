"""The searches of a review: one row per imported export, and corrections to it.

PRISMA 2020 reports records identified per source and per kind of source
(databases, registers, other methods), and PRISMA-S asks for each search's
date and query. All of that lives on the import row. The database name is
guessed from the file when it can be; when the guess is wrong or missing
("unknown"), or the date or query was not given at import, the team corrects
the row here, and every PRISMA count, which is derived, follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.store.reader import Reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the import command's --help reads ORIGINS without loading the store
    from sqlmodel import Session

    from reviewflow.store import models

UNKNOWN_DATABASE = "unknown"  # what an import is called when the file does not say
ORIGINS = ("database", "register", "other")
"""PRISMA 2020's source kinds: bibliographic databases, trial registers, other methods."""

# Trial registers (WHO ICTRP primary registers and the big national ones). A name
# containing one of these words is a register unless the user says otherwise.
_REGISTERS = re.compile(
    r"clinicaltrials\.gov|\bictrp\b|\bchictr\b|\bisrctn\b|\beu ?ctr\b|\bctis\b|"
    r"clinical ?trials? regist|\banzctr\b|\bctri\b|\bdrks\b|\bjrct\b|\bjprn\b|\bpactr\b|"
    r"\birct\b|\brebec\b|\bcris\b|\btctr\b|\bslctr\b|\brpcec\b|\blbctr\b|\brepec\b|"
    r"trial regist",
    re.IGNORECASE,
)


def guess_origin(database: str | None) -> str:
    """``register`` for a trial register's name, else ``database``."""
    return "register" if database and _REGISTERS.search(database) else "database"


def check_origin(origin: str) -> str:
    value = origin.strip().lower()
    if value not in ORIGINS:
        raise ReviewflowError(f"unknown source kind {origin!r}; use {', '.join(ORIGINS)}")
    return value


@dataclass(frozen=True)
class SearchRow:
    """One search as ``reviewflow searches`` lists it (read without the ORM)."""

    id: int
    database: str
    origin: str
    searched_on: date | None
    query: str | None
    file_name: str
    format: str
    encoding: str
    record_count: int
    warning_count: int
    stored: int
    """Records the store holds from this import (its provenance rows)."""


def _day(value: object) -> date | None:
    """A stored date, whether the driver gave a date (psycopg) or SQLite's text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def read_searches(reader: Reader, import_id: int | None = None) -> list[SearchRow]:
    """Every import (or the one given), oldest first, with the number of records it holds
    in the store."""
    where, params = ("WHERE id = ? ", (import_id,)) if import_id is not None else ("", ())
    stored = dict(reader.rows("SELECT import_id, COUNT(*) FROM record_provenance "
                              "GROUP BY import_id"))
    return [SearchRow(i, db, origin, _day(on), query, name, fmt, enc, int(count),
                      int(warnings), int(stored.get(i, 0)))
            for i, db, origin, on, query, name, fmt, enc, count, warnings in reader.rows(
                'SELECT id, "database", origin, searched_on, query, file_name, format, '
                f"encoding, record_count, warning_count FROM search_import {where}ORDER BY id",
                params)]


def correct_search(
    *,
    writer: Writer,
    import_id: int,
    database: str | None = None,
    origin: str | None = None,
    searched_on: date | None = None,
    query: str | None = None,
) -> SearchRow:
    """Correct what is recorded about one search, in the caller's transaction; None leaves
    a field as it is. The search as it now reads."""
    if database is not None and not database.strip():
        raise ReviewflowError("the database name cannot be empty")
    checked = check_origin(origin) if origin is not None else None
    if not read_searches(writer.reader, import_id):
        raise ReviewflowError(f"search (import) {import_id} does not exist; "
                              "'reviewflow searches' lists them")
    changes = {'"database"': None if database is None else database.strip()[:200],
               "origin": checked, "searched_on": searched_on, "query": query}
    given = {column: value for column, value in changes.items() if value is not None}
    if given:
        writer.execute(f"UPDATE search_import SET {', '.join(f'{c} = ?' for c in given)} "
                       "WHERE id = ?", [*map(writer.value, given.values()), import_id])
    (row,) = read_searches(writer.reader, import_id)
    return row


def update_search(
    *,
    session: Session,
    import_id: int,
    database: str | None = None,
    origin: str | None = None,
    searched_on: date | None = None,
    query: str | None = None,
) -> models.SearchImport:
    """:func:`correct_search` in a session, as its ORM row."""
    from reviewflow.store import models

    correct_search(writer=session_writer(session), import_id=import_id, database=database,
                   origin=origin, searched_on=searched_on, query=query)
    row = session.get(models.SearchImport, import_id, populate_existing=True)
    assert row is not None
    return row
