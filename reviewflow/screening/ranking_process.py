"""Refits in a child process, so the screening screen never competes for the GIL.

A refit is pure-Python-heavy work (tokenising for TF-IDF, building sparse
matrices); in a thread of the TUI's own process it holds the interpreter lock
often enough to slow every keypress while it runs (measured with
``bench/bench_tui.py``). Here a spawned child keeps its own
:class:`~reviewflow.screening.prioritise.Prioritiser` (features built once) and
answers each "refresh" with a plain :class:`Priority`; the TUI's worker thread
only waits on a pipe, which releases the lock.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection
from typing import Any

from reviewflow.errors import ReviewflowError
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.prioritise import Prioritiser, Priority, RefitCadence
from reviewflow.store.db import Store


def _serve(conn: Connection, url: str, viewer: Viewer, stage: str) -> None:
    """The child: one Prioritiser, one refresh per request, until the pipe closes."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # the reviewer's keypresses come first when CPUs are scarce
    from reviewflow.ranking.threads import one_blas_thread

    store = Store(url)
    prioritiser = Prioritiser(store, viewer, stage)
    with one_blas_thread():  # the child only refits, small fits one after another
        _answer_requests(conn, prioritiser)
    store.dispose()


def _answer_requests(conn: Connection, prioritiser: Prioritiser) -> None:
    while True:
        try:
            conn.recv()
        except (EOFError, OSError):
            break
        answer: Any
        try:
            answer = prioritiser.refresh()
        except Exception as exc:  # noqa: BLE001 - sent back to the parent, who reports it
            answer = ReviewflowError(f"{type(exc).__name__}: {exc}")
        conn.send(answer)


def _ensure_resource_tracker() -> None:
    """Start multiprocessing's helper while a real stderr is in place.

    Textual replaces ``sys.stderr`` with an object whose ``fileno()`` is not a
    real descriptor, and the tracker is launched with stderr's descriptor, so
    starting it from inside a running app fails ("bad value(s) in fds_to_keep").
    """
    saved = sys.stderr
    try:
        try:
            usable = saved is not None and saved.fileno() >= 0
        except (OSError, ValueError, AttributeError):
            usable = False
        if not usable:
            sys.stderr = sys.__stderr__
        resource_tracker.ensure_running()
    finally:
        sys.stderr = saved


class ProcessPrioritiser(RefitCadence):
    """The same interface as :class:`Prioritiser`, computed in a spawned child process."""

    def __init__(self, store: Store, viewer: Viewer, stage: str) -> None:
        self.url, self.viewer, self.stage = store.url, viewer, stage
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _start(self) -> Connection:
        _ensure_resource_tracker()  # here, in the worker: off the UI thread's start-up path
        ctx = mp.get_context("spawn")  # no fork of a process that runs threads and asyncio
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self.url, self.viewer, self.stage),
                                 name="reviewflow-ranking", daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def refresh(self) -> Priority:
        """Ask the child for a refit and wait for it (call from a worker thread)."""
        with self._lock:
            conn = self._conn or self._start()
            try:
                conn.send("refresh")
                answer = conn.recv()
            except (EOFError, OSError) as exc:
                self._conn = None
                raise ReviewflowError("the ranking process stopped") from exc
            if isinstance(answer, BaseException):
                raise answer
            self.last = answer
            return answer

    def close(self) -> None:
        """Stop the child (also wakes a worker waiting on it)."""
        proc, self._proc = self._proc, None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(2)
