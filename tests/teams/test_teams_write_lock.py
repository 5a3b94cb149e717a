"""Store.write() waits for, and retries, a SQLite file another process is writing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from reviewflow.store import db, models
from reviewflow.store.db import Store


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_write_retries_busy_file_even_with_no_busy_timeout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "busy.db"
    Store.create(f"sqlite:///{path}", title="t").dispose()
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 0)  # SQLite itself gives up at once
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 0.5, locked))
    holder.start()
    locked.wait(10)
    try:
        with Store.open(f"sqlite:///{path}") as store:
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
            start = time.monotonic()
            with store.write() as s:
                s.add(models.Reviewer(name="patient"))
            waited = time.monotonic() - start
            with store.session() as s:
                assert [r.name for r in s.exec(select(models.Reviewer))] == ["patient"]
    finally:
        holder.join()
    assert waited >= 0.3, "the write should have waited for the other writer"


def test_write_gives_up_after_the_retry_window(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "busy.db"
    Store.create(f"sqlite:///{path}", title="t").dispose()
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 0)
    monkeypatch.setattr(db, "WRITE_RETRY_S", 0.2)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.5, locked))
    holder.start()
    locked.wait(10)
    try:
        with Store.open(f"sqlite:///{path}") as store, pytest.raises(
                db.OperationalError, match="locked"), store.write() as s:
            s.add(models.Reviewer(name="impatient"))
    finally:
        holder.join()
