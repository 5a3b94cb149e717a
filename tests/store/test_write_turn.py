"""SQLite writers take turns on a kernel lock held exactly while a write transaction is."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from reviewflow.store import write_turn
from reviewflow.store.db import Store


def _free(lock: Path) -> bool:
    """Whether another open file (as another process would) can take the turn now."""
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops a lock taken here
    return True


@pytest.mark.skipif(not write_turn.ENABLED, reason="REVIEWFLOW_SQLITE_WRITE_TURN=0")
def test_a_write_holds_the_turn_and_gives_it_back(tmp_path: Path) -> None:
    db = tmp_path / "review.db"
    store = Store.create(f"sqlite:///{db}", title="t")
    lock = Path(f"{db}{write_turn.SUFFIX}")
    try:
        with store.write():
            assert not _free(lock), "a second writer could start while this one writes"
        assert _free(lock)
        with pytest.raises(RuntimeError), store.write():
            raise RuntimeError("the caller's work failed")
        assert _free(lock), "a failed write kept the turn"
    finally:
        store.dispose()


def test_reading_never_creates_the_lock_file(tmp_path: Path) -> None:
    db = tmp_path / "review.db"
    Store.create(f"sqlite:///{db}", title="t").dispose()
    Path(f"{db}{write_turn.SUFFIX}").unlink()
    with Store.open(f"sqlite:///{db}") as store:
        store.review()
    assert not Path(f"{db}{write_turn.SUFFIX}").exists()


def _hold(lock: Path) -> int:
    """Take the turn on a file description of our own, as another process would."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _reviewers(db: Path) -> int:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM reviewer").fetchone()[0]
    finally:
        con.close()


@pytest.mark.skipif(not write_turn.ENABLED, reason="REVIEWFLOW_SQLITE_WRITE_TURN=0")
def test_a_turn_held_too_long_is_one_line_and_nothing_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewflow.errors import ReviewflowError
    from reviewflow.screening.decisions import ensure_reviewer
    from reviewflow.store import db as db_module

    db = tmp_path / "review.db"
    Store.create(f"sqlite:///{db}", title="t").dispose()
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 300)
    lock = Path(f"{db}{write_turn.SUFFIX}")
    before = _reviewers(db)
    other = _hold(lock)
    try:
        with Store.open(f"sqlite:///{db}") as store:
            with pytest.raises(ReviewflowError) as refused, store.write() as s:
                ensure_reviewer(session=s, name="ann")
            message = str(refused.value)
            assert "\n" not in message and str(db) in message and "nothing was changed" in message
            assert _reviewers(db) == before
            os.close(other)  # the other writer finishes
            other = -1
            # the waiter given up on takes the turn when it frees and lets go of it at once
            # (its thread ends then; a check while it briefly holds the turn would race)
            for _ in range(500):
                if not any(t.name == "write-turn" for t in threading.enumerate()):
                    break
                threading.Event().wait(0.01)
            assert _free(lock), "a wait given up on kept the turn"
            with store.write() as s:
                ensure_reviewer(session=s, name="ann")
            assert _reviewers(db) == before + 1
    finally:
        if other >= 0:
            os.close(other)


@pytest.mark.skipif(not write_turn.ENABLED, reason="REVIEWFLOW_SQLITE_WRITE_TURN=0")
def test_a_waiting_writer_gets_the_turn_when_it_frees(tmp_path: Path) -> None:
    from reviewflow.screening.decisions import ensure_reviewer

    db = tmp_path / "review.db"
    Store.create(f"sqlite:///{db}", title="t").dispose()
    lock = Path(f"{db}{write_turn.SUFFIX}")
    before = _reviewers(db)
    other = _hold(lock)
    threading.Timer(0.2, os.close, (other,)).start()
    with Store.open(f"sqlite:///{db}") as store, store.write() as s:
        ensure_reviewer(session=s, name="ann")
    assert _reviewers(db) == before + 1
