"""Whose turn it is to write a SQLite store: a kernel lock taken before BEGIN IMMEDIATE.

SQLite's busy handler makes a waiting writer sleep (1, 2, 5 ... up to 100 ms) and try
again, while the writer that just committed takes the lock back at once: with two
reviewers writing at full speed one waited seconds for a single decision. A blocking
``flock`` on a file beside the database wakes the waiting process the moment the lock
is released, so writers take turns (``bench/bench_concurrency.py`` measures it). The
kernel drops the lock when a process dies, so a killed writer never leaves it held;
where ``flock`` does not exist (Windows) SQLite's own busy handling is all there is.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewflow.store.location import WRITE_TURN_SUFFIX

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SUFFIX = WRITE_TURN_SUFFIX
# REVIEWFLOW_SQLITE_WRITE_TURN=0 leaves the turns to SQLite (the benchmark's baseline).
ENABLED = os.environ.get("REVIEWFLOW_SQLITE_WRITE_TURN", "1") != "0"


class WriteTurn:
    """One per open store and database file. Threads of one process queue on a
    re-entrant lock first (a nested write in one thread holds the turn it has)."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}{SUFFIX}")
        self.fd: int | None = None
        self.depth = 0
        self.threads = threading.RLock()

    @contextmanager
    def held(self) -> Iterator[None]:
        if fcntl is None or not ENABLED:
            yield
            return
        with self.threads:
            turn = self._open()
            if turn and self.depth == 0:
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if turn and self.depth == 0:
                    fcntl.flock(self.fd, fcntl.LOCK_UN)

    def _open(self) -> bool:
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:  # a read-only folder: SQLite's busy handling alone
                return False
        return True

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
