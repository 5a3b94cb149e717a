"""SQLite writers take turns on a kernel lock held exactly while a write transaction is."""

from __future__ import annotations

import fcntl
import os
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
