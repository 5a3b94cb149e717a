"""Which database the store tests run on, for fixtures AND plain helper functions.

``REVIEWFLOW_TEST_BACKEND`` = ``sqlite`` (default) or ``postgres``. Test helpers
that build stores themselves (not through the ``store_url``/``review_dir``
fixtures) call :func:`new_store_url` instead of writing a SQLite URL, and their
test modules say ``pytestmark = pytest.mark.store`` so the PostgreSQL pass of
``./dev test`` picks them up. Databases made here are dropped when the test that
made them ends (a module-scoped fixture's when the session ends).

A test that needs a new review store (not an empty database) gets a copy of one
``Store.create`` made once per process (:func:`new_review_url`): a file copy on
SQLite, a ``CREATE DATABASE ... TEMPLATE`` clone on PostgreSQL. ``Store.create``
itself is tested on empty databases (the ``store_url`` fixture).

A database is dropped as soon as its test ends (:func:`drop_made_since`), not kept to
the end of the session: each checkpoint PostgreSQL takes (a drop forces one) writes
out every file of every database still there, a few hundred per database, so
databases kept alive cost seconds of a busy disk's fsyncs per checkpoint.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

BACKEND = os.environ.get("REVIEWFLOW_TEST_BACKEND", "sqlite").strip().lower()
PG_ADMIN_URL = os.environ.get(
    "REVIEWFLOW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_created: list[str] = []
_template: list[str] = []  # this process's new review store (a SQLite path or a URL)
REVIEW_TITLE = "Test review"


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


def review_template() -> str:
    """This process's new review store, made by ``Store.create`` on first use: a SQLite
    file's path, or on PostgreSQL a database's URL (which nobody stays connected to)."""
    if not _template:
        from reviewflow.store.db import Store
        from reviewflow.store.location import sqlite_url

        if BACKEND == "postgres":
            url = create_pg_database()  # kept to the end of the session
            Store.create(url, title=REVIEW_TITLE).dispose()
            _template.append(url)
        else:
            path = Path(tempfile.mkdtemp(prefix="rf-store-template-")) / "reviewflow.db"
            Store.create(sqlite_url(path), title=REVIEW_TITLE).dispose()
            unsaved = [p.name for p in path.parent.glob(path.name + "-*")
                       if p.name.endswith(("-wal", "-journal"))]
            assert unsaved == [], f"the template store is not all in its file: {unsaved}"
            _template.append(str(path))
    return _template[0]


def new_review_url(folder: Path, name: str = "store.db") -> str:
    """A database holding a new review store titled REVIEW_TITLE (SQLite: ``folder/name``),
    dropped like :func:`new_store_url`'s."""
    if BACKEND != "postgres":
        shutil.copyfile(review_template(), folder / name)
        return f"sqlite:///{folder / name}"
    url = create_pg_database(template=review_template())
    _created.append(url)
    return url


def made_so_far() -> int:
    return len(_created)


def drop_made_since(mark: int) -> None:
    """Drop the databases :func:`new_store_url` and :func:`new_review_url` made since
    ``mark`` (those made earlier may belong to a module's fixture)."""
    while len(_created) > mark:
        drop_pg_database(_created.pop())


def drop_created() -> None:
    """At the end of the session: every database made here and not yet dropped."""
    leftover = _created + (_template if BACKEND == "postgres" else [])
    if leftover:
        with ThreadPoolExecutor(min(len(leftover), 8)) as pool:
            list(pool.map(drop_pg_database, leftover))
    _created.clear()
    if _template and BACKEND != "postgres":
        shutil.rmtree(Path(_template[0]).parent, ignore_errors=True)
    _template.clear()
