"""The store: creation, reopening, schema versions, pragmas, both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.migrate import SCHEMA_HEAD, alembic_head


def test_schema_head_constant_matches_alembic() -> None:
    assert alembic_head() == SCHEMA_HEAD


def test_create_and_reopen(db_url: str) -> None:
    with Store.create(db_url, title="MSC in rheumatic disease") as store, store.write() as s:
        s.add(models.Reviewer(name="alice"))
    with Store.open(db_url) as store:
        assert store.review().title == "MSC in rheumatic disease"
        assert store.schema_revision == SCHEMA_HEAD
        with store.session() as s:
            assert [r.name for r in s.exec(select(models.Reviewer))] == ["alice"]


def test_migrations_match_models(db_url: str) -> None:
    """The migration chain builds exactly the schema the models declare."""
    with Store.create(db_url, title="t") as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_create_refuses_existing_store(db_url: str) -> None:
    Store.create(db_url, title="t").dispose()
    with pytest.raises(ReviewflowError, match="already holds a review"):
        Store.create(db_url, title="t")


def test_newer_schema_is_refused_and_untouched(db_url: str) -> None:
    Store.create(db_url, title="t").dispose()
    eng = sa.create_engine(db_url)
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ReviewflowError, match="newer reviewflow"):
        Store.open(db_url)
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    eng.dispose()


def test_not_a_store(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(ReviewflowError, match="no such database file"):
        Store.open(url)
    assert not (tmp_path / "empty.db").exists()  # opening never creates the file
    (tmp_path / "empty.db").write_bytes(b"")  # an empty file is an empty SQLite database
    with pytest.raises(ReviewflowError, match="not a reviewflow store"):
        Store.open(url)


def test_sqlite_pragmas(tmp_path) -> None:
    store = Store.create(f"sqlite:///{tmp_path / 's.db'}", title="t")
    with store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_write_rolls_back_on_error(db_url: str) -> None:
    with Store.create(db_url, title="t") as store:
        with pytest.raises(RuntimeError), store.write() as s:
            s.add(models.Reviewer(name="bob"))
            s.flush()
            raise RuntimeError("crash mid-write")
        with store.session() as s:
            assert s.exec(select(models.Reviewer)).all() == []


def test_foreign_keys_enforced(db_url: str) -> None:
    store = Store.create(db_url, title="t")
    with store, pytest.raises(sa.exc.IntegrityError), store.write() as s:
        s.add(models.RecordProvenance(record_id=999, import_id=999, position=1))
