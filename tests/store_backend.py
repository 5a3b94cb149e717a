"""Which database the store tests run on, for fixtures AND plain helper functions.

``REVIEWFLOW_TEST_BACKEND`` = ``sqlite`` (default) or ``postgres``. Test helpers
that build stores themselves (not through the ``store_url``/``review_dir``
fixtures) call :func:`new_store_url` instead of writing a SQLite URL, and their
test modules say ``pytestmark = pytest.mark.store`` so the PostgreSQL pass of
``./dev test`` picks them up. Databases made here are dropped when the test
session ends.

Dropping a database makes PostgreSQL 15 take an immediate checkpoint (about a second
on a busy disk), and drops running at the same time share one: so a test's database
is released when the test ends and dropped with the others of its batch
(:func:`release_pg_database`), not on its own.
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

BACKEND = os.environ.get("REVIEWFLOW_TEST_BACKEND", "sqlite").strip().lower()
PG_ADMIN_URL = os.environ.get(
    "REVIEWFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_created: list[str] = []
_released: list[str] = []
DROP_BATCH = 8  # databases left undropped at most (their leftover connections with them)


@cache
def pg_unavailable() -> str | None:
    """None when a PostgreSQL server answers, else the reason it does not (asked once)."""
    try:
        import sqlalchemy as sa

        eng = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # any failure means: no server to test against
        return f"no PostgreSQL server at {PG_ADMIN_URL}: {type(exc).__name__}"


def create_pg_database(template: str | None = None) -> str:
    """A new database on the test server (empty, or a copy of the ``template`` URL's
    database, which nobody may be connected to); its URL."""
    import sqlalchemy as sa

    name = f"rf_test_{uuid.uuid4().hex[:12]}"
    source = f' TEMPLATE "{sa.engine.make_url(template).database}"' if template else ""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{source}'))
    admin.dispose()
    return sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)


def drop_pg_database(url: str) -> None:
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def new_store_url(tmp_path: Path, name: str = "store.db") -> str:
    """An empty database on the selected backend (SQLite file under ``tmp_path``)."""
    if BACKEND != "postgres":
        return f"sqlite:///{tmp_path / name}"
    url = create_pg_database()
    _created.append(url)
    return url


def release_pg_database(url: str) -> None:
    """The test is done with this database: dropped with the next batch."""
    _released.append(url)
    if len(_released) >= DROP_BATCH:
        _drop_all(_released)


def drop_created() -> None:
    """At the end of the session: every database made here and not yet dropped."""
    _drop_all(_released + _created)
    _released.clear()
    _created.clear()


def _drop_all(urls: list[str]) -> None:
    batch = list(dict.fromkeys(urls))
    urls.clear()
    if batch:
        with ThreadPoolExecutor(min(len(batch), 16)) as pool:
            list(pool.map(drop_pg_database, batch))
