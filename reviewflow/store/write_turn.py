"""Whose turn it is to write a SQLite store: a kernel lock taken before BEGIN IMMEDIATE.

SQLite's busy handler makes a waiting writer sleep (1, 2, 5 ... up to 100 ms) and try
again, while the writer that just committed takes the lock back at once: with two
reviewers writing at full speed one waited seconds for a single decision. A blocking
``flock`` on a file beside the database wakes the waiting process the moment the lock
is released, so writers take turns (``bench/bench_concurrency.py`` measures it). The
kernel drops the lock when a process dies, so a killed writer never leaves it held;
where ``flock`` does not exist (Windows) SQLite's own busy handling is all there is.

A turn is waited for no longer than SQLite's busy timeout (a writer stopped mid-write,
say by Ctrl+Z, would otherwise make every other terminal hang without a word): the
blocking ``flock`` runs in a waiter thread on a file description of its own, so the
kernel still wakes it the moment the turn is free, and a wait given up on lets go of a
turn the waiter gets later.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewflow.errors import ReviewflowError
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

    def __init__(self, database: Path, timeout: float) -> None:
        self.database = database
        self.path = Path(f"{database}{SUFFIX}")
        self.timeout = timeout
        self.fd: int | None = None
        self.holder: int | None = None  # the file description holding the turn
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
                self.holder = self._take()
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if turn and self.depth == 0 and self.holder is not None:
                    self._give_back(self.holder)
                    self.holder = None

    def _take(self) -> int:
        """The turn, on ``self.fd`` when it is free now, else on a waiter's own file
        description; refused after ``timeout`` seconds with one line."""
        assert self.fd is not None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return self.fd
        except BlockingIOError:
            pass
        waiter = _Waiter(os.open(self.path, os.O_RDWR))
        if waiter.wait(self.timeout):
            return waiter.fd
        raise ReviewflowError(
            f"{self.database}: another reviewflow process has been writing for "
            f"{self.timeout:.0f} s (it holds {self.path.name}); nothing was changed, "
            "try again when it has finished")

    def _give_back(self, fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        if fd != self.fd:
            os.close(fd)

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


class _Waiter:
    """A blocking ``flock`` in a thread: the caller waits at most a timeout, and a turn
    that arrives after the caller gave up is let go of at once."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.decided = threading.Lock()
        self.got = threading.Event()
        self.abandoned = False
        threading.Thread(target=self._run, daemon=True, name="write-turn").start()

    def _run(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        with self.decided:
            if self.abandoned:
                os.close(self.fd)  # closing lets go of the turn
                return
            self.got.set()

    def wait(self, timeout: float) -> bool:
        if self.got.wait(timeout):
            return True
        with self.decided:
            if self.got.is_set():
                return True
            self.abandoned = True
            return False
