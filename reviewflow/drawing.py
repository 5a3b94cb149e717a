"""Figures drawn in worker processes while the caller goes on (issue 22).

Laying out and PNG-encoding a figure is single-threaded matplotlib work and was most
of ``analyse --all`` and ``report``. Inside :func:`parallel` a figure job goes to a
worker process (one per core, at most :data:`MAX_WORKERS`); the caller keeps reading
the store and pooling the next analysis, and :func:`parallel` returns only when every
figure is written, re-raising the first job's error. The workers are started on entry,
so they import matplotlib while the caller is still importing and reading the store;
with workers, the caller never imports matplotlib at all. Workers are used only when
a core is idle (:func:`worker_count`).

A job names its function as ``"module:function"`` so that submitting it does not
import the plotting module here. Outside :func:`parallel` (library use, the TUI, the
demo, most tests) :func:`submit` draws at once in this process: a caller works the
same either way, and a figure's bytes do not depend on where it was drawn.

A block opened with ``cache=True`` (the ``analyse`` and ``report`` commands) first
looks a job up in the figure cache (:mod:`reviewflow.figure_cache`): a figure drawn
before from the same input is copied, not drawn, and a newly drawn one is kept.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import Any

from reviewflow.errors import ReviewflowError
from reviewflow.figure_cache import FigureCache, Kept, figure_cache

MAX_WORKERS = 4
WORKERS_ENV = "REVIEWFLOW_WORKERS"
# What the jobs of ``analyse`` draw with; ``report`` adds the RoB and PRISMA modules.
PRELOAD = ("reviewflow.pooling.plots", "reviewflow.pooling.bias_plots")


class _Jobs:
    """The figure jobs of one :func:`parallel` block, by the file each one writes.

    Until the workers are up (the fork server still importing matplotlib), jobs wait
    in a backlog here: starting a worker blocks, and must not block the caller.
    """

    def __init__(self, executor: ProcessPoolExecutor) -> None:
        self.executor = executor
        self.pending: dict[Path, Future[Any]] = {}
        self._specs: dict[Path, tuple[str, tuple[Any, ...], dict[str, Any]]] = {}
        self._keys: dict[Path, tuple[FigureCache, Kept]] = {}  # where to keep each figure
        self._lock = threading.Lock()
        self._backlog: list[tuple[Future[Any], str, tuple[Any, ...], dict[str, Any]]] | None = []

    def add(self, path: Path, target: str, args: tuple[Any, ...], kwargs: dict[str, Any],
            keep: tuple[FigureCache, Kept] | None = None) -> None:
        with self._lock:
            if self._backlog is not None:
                future: Future[Any] = Future()
                self._backlog.append((future, target, args, kwargs))
            else:
                future = self.executor.submit(_run, target, args, kwargs)
        self.pending[path] = future
        self._specs[path] = (target, args, kwargs)
        if keep is not None:
            self._keys[path] = keep

    def start(self, count: int) -> None:
        """Start the workers (blocking, on the starter thread), then send the backlog."""
        try:
            for _ in range(count):
                self.executor.submit(_warm)
        finally:
            with self._lock:
                backlog, self._backlog = self._backlog or [], None
            for future, target, args, kwargs in backlog:
                _forward(self.executor.submit, future, target, args, kwargs)

    def wait(self) -> None:
        for path, future in list(self.pending.items()):
            try:
                future.result()  # the job's own exception, re-raised here
            except (BrokenProcessPool, OSError):
                # no worker could run it (none started, or one was killed): draw it here
                target, args, kwargs = self._specs[path]
                resolve(target)(*args, **kwargs)
            if path in self._keys:
                cache, kept = self._keys[path]
                cache.keep(kept)
        self.pending.clear()
        self._specs.clear()
        self._keys.clear()


def _forward(send: Callable[..., Future[Any]], future: Future[Any], target: str,
             args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Run a backlogged job in a worker; its outcome lands on the caller's future."""
    try:
        inner = send(_run, target, args, kwargs)
    except BaseException as exc:  # a broken pool: the caller sees it at wait()
        future.set_exception(exc)
        return

    def done(f: Future[Any]) -> None:
        if f.cancelled():  # the block failed: what was not drawn yet is dropped
            future.cancel()
        elif f.exception() is not None:
            future.set_exception(f.exception())
        else:
            future.set_result(f.result())

    inner.add_done_callback(done)


_ACTIVE: ContextVar[_Jobs | None] = ContextVar("reviewflow_drawing_jobs", default=None)
_CACHE: ContextVar[FigureCache | None] = ContextVar("reviewflow_figure_cache", default=None)


def resolve(target: str) -> Callable[..., Any]:
    """``"package.module:function"`` -> the function (imported now)."""
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def _run(target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return resolve(target)(*args, **kwargs)


def _start_worker(preload: tuple[str, ...]) -> None:
    """Worker start-up (the imports are no-ops where the fork server made them)."""
    _ACTIVE.set(None)  # a job draws in the worker itself, never submits further
    # Ctrl+C is the caller's to handle: it cancels the jobs and ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for module in preload:
        import_module(module)


def _warm() -> None:
    """A first job per worker, so every worker starts (and imports) on entry."""


def submit(target: str, path: Path, /, *args: Any, **kwargs: Any) -> Path:
    """Write a figure: ``target(*args, **kwargs)`` (which writes ``path``), returns ``path``.

    Inside :func:`parallel` the file exists once the block ends (see :func:`pending`);
    outside, when this returns. ``path`` is not passed to ``target`` by itself: put it
    in ``args`` or ``kwargs`` where ``target`` expects it. Every ``Path`` among the
    arguments must be a file the job writes (an input file goes as ``str``): with a
    cache, the files kept from a job with the same input are copied to those paths
    instead (:mod:`reviewflow.figure_cache`).
    """
    cache = _CACHE.get()
    kept = cache.key(target, Path(path), args, kwargs) if cache is not None else None
    if cache is not None and kept is not None and cache.fetch(kept):
        return path
    keep = (cache, kept) if cache is not None and kept is not None else None
    jobs = _ACTIVE.get()
    if jobs is None:
        resolve(target)(*args, **kwargs)
        if keep is not None:
            keep[0].keep(keep[1])
        return path
    path = Path(path)
    jobs.add(path, target, args, kwargs, keep)
    return path


def pending(path: Path) -> bool:
    """Whether ``path`` is still being drawn by a worker of the current block."""
    jobs = _ACTIVE.get()
    return jobs is not None and Path(path) in jobs.pending


def wait() -> None:
    """Block until every figure submitted so far is written (re-raising a job's error)."""
    jobs = _ACTIVE.get()
    if jobs is not None:
        jobs.wait()


def worker_count() -> int:
    """Workers for a block: one per core when a core is idle, else none (draw here).

    A worker pays a share of the start-up (a fork server importing matplotlib again,
    the processes themselves): about a sixth more CPU in all, repaid only by a core
    that would otherwise idle. With every core busy (a load average of at least the
    number of cores, as ``make -l`` judges it; this command's own previous run counts
    for one) the figures are drawn in this process, as before.
    ``$REVIEWFLOW_WORKERS`` overrides the choice (0: always here; N: N workers).
    """
    forced = os.environ.get(WORKERS_ENV, "").strip()
    if forced:
        if not forced.isdigit():
            raise ReviewflowError(f"${WORKERS_ENV}: {forced!r} is not a number of worker "
                                  "processes (0 draws the figures in the command's own)")
        return min(int(forced), MAX_WORKERS)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows)
        busy = 0.0
    if cores < 2 or busy >= cores:
        return 0
    return min(cores, MAX_WORKERS)


@contextmanager
def parallel(workers: int | None = None, *, preload: tuple[str, ...] = PRELOAD,
             cache: bool = False, run: tuple[str, Path] | None = None) -> Iterator[None]:
    """Draw the figures submitted in this block in worker processes (see :func:`_workers`);
    ``cache``: copy figures drawn before from the same input, keep the new ones
    (:mod:`reviewflow.figure_cache`; ``$REVIEWFLOW_FIGURE_CACHE=off`` turns it off).

    ``run``: (the command with its options, its review folder). When the same run with
    the folder's files unchanged left every figure in the cache, no worker is started:
    waiting for workers to import matplotlib would be all a run of cache hits pays for
    them. A figure that is not in the cache after all is drawn in this process.
    """
    chosen = figure_cache() if cache and _CACHE.get() is None else None
    token = _CACHE.set(chosen) if chosen is not None else None
    marker = chosen.run_marker(*run) if chosen is not None and run is not None else None
    if (marker is not None and marker.is_file() and workers is None
            and not os.environ.get(WORKERS_ENV, "").strip()):
        workers = 0
    done = False
    try:
        with _workers(workers, preload=preload):
            yield
        done = True
    finally:
        if chosen is not None and token is not None:
            _CACHE.reset(token)
            if done and marker is not None:
                chosen.mark(marker)
            chosen.prune()


@contextmanager
def _workers(workers: int | None, *, preload: tuple[str, ...]) -> Iterator[None]:
    """Draw the figures submitted in this block in worker processes.

    ``preload``: the plotting modules the jobs will name. They are imported once, by a
    fresh "fork server" process started here in the background, and every worker is a
    fork of it: one matplotlib import in all, made while this process goes on reading
    the store. (Forking this process instead would copy its threads and connections.)
    Nested blocks share the outer one's workers. With no worker to use (one core), the
    block draws in this process, as outside it.
    """
    count = worker_count() if workers is None else workers
    if _ACTIVE.get() is not None or count < 1:
        yield
        return
    methods = get_all_start_methods()
    context = get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        # "__main__": a script's main module (the ``reviewflow`` console script) is
        # imported once by the server, not again by every worker; figure_server, last,
        # tunes the server's and workers' garbage collection
        context.set_forkserver_preload(["__main__", *preload, "reviewflow.figure_server"])
    executor = ProcessPoolExecutor(max_workers=count, mp_context=context,
                                   initializer=_start_worker, initargs=(preload,))
    jobs = _Jobs(executor)
    token = _ACTIVE.set(jobs)
    # Starting a worker waits for the fork server's imports: not on this thread.
    starter = threading.Thread(target=jobs.start, args=(count,), daemon=True)
    starter.start()
    ok = False
    try:
        yield
        jobs.wait()
        ok = True
    finally:
        _ACTIVE.reset(token)
        starter.join()
        executor.shutdown(wait=ok, cancel_futures=not ok)
