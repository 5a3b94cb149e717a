"""Is the store consistent? The checks a crash must never break.

Used after every SIGKILL in the crash tests, and cheap enough for a user-facing
``check`` command. Generic over ``SQLModel.metadata``: a table added later gets
its foreign keys checked without touching this module. Returns problems as
sentences; an empty list means consistent.
"""

from __future__ import annotations

from sqlalchemy import Column, Table, func, select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.wording import plural


def check_consistency(store: Store) -> list[str]:
    """Every problem found: engine integrity, orphan references, half imports."""
    problems: list[str] = []
    with store.engine.connect() as conn:
        if store.is_sqlite:
            problems += _sqlite_integrity(conn)
        problems += _orphans(conn)
        problems += _half_imports(conn)
    return problems


def _sqlite_integrity(conn: Connection) -> list[str]:
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
    problems = [f"integrity_check: {r}" for r in rows if r != "ok"]
    for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
        problems.append(f"{table} row {rowid}: references a missing {parent} row")
    return problems


def _orphans(conn: Connection) -> list[str]:
    """Rows whose foreign key names no row (PostgreSQL enforces it; belt and braces)."""
    problems: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            problems += _orphans_of(conn, table, fk.parent, fk.column)
    return problems


def _orphans_of(conn: Connection, table: Table, col: Column, target: Column) -> list[str]:
    parent = target.table
    missing = (
        select(func.count())
        .select_from(table.outerjoin(parent, col == target))
        .where(col.is_not(None), target.is_(None))
    )
    n = conn.execute(missing).scalar_one()
    problem = f"{table.name}.{col.name}: {plural(n, 'row')} naming a missing {parent.name}"
    return [problem] if n else []


def _half_imports(conn: Connection) -> list[str]:
    """A SearchImport row must come with all its records (imports are all-or-nothing).

    The importer writes ``record_count`` in the same transaction as the records'
    provenance rows; a count of 0 means "not stated" (older or hand-made rows).
    """
    imp, prov = models.SearchImport.__table__, models.RecordProvenance.__table__
    stored = (
        select(prov.c.import_id, func.count().label("n")).group_by(prov.c.import_id).subquery()
    )
    rows = conn.execute(
        select(imp.c.id, imp.c.file_name, imp.c.record_count, stored.c.n).outerjoin(
            stored, stored.c.import_id == imp.c.id
        )
    ).all()
    return [
        f"import {i} ({name}): says {expected} records, store holds {got or 0}"
        for i, name, expected, got in rows
        if expected and expected != (got or 0)
    ]
