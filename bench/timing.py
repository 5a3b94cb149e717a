"""Whole-process timing shared by the command benches (bench_startup, bench_analyse_report).

Every figure is a fresh process, and the commands are run interleaved (one of each per
round) so a burst of load on a shared machine spreads over all of them instead of
landing on one; the table gives the median, the minimum and the ratio of the median to
a baseline timed in the same rounds, the only figure comparable between runs on a
loaded machine.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Job:
    """One command to time. ``prepare`` runs, untimed, before every timed run (and the
    warm-up), e.g. to give the command a fresh copy of its input."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    cwd: Path | None = None
    prepare: Callable[[], None] | None = None


def time_once(job: Job, cpu: list[float] | None = None) -> float:
    """Wall seconds of one run of ``job``; a failing command stops the bench. ``cpu``
    gets the CPU seconds (user + system) of the process and the children it waited for,
    less sensitive than wall time to other load on the machine."""
    if job.prepare is not None:
        job.prepare()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(job.argv, cwd=job.cwd, capture_output=True, text=True, env=job.env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(job.argv)} failed ({done.returncode}): "
                         f"{done.stderr[-800:]}")
    return elapsed


def interleaved(jobs: list[Job], runs: int, *, warm_up: bool = False,
                cpu: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """``runs`` rounds, each timing every job once in order; ``warm_up`` first runs each
    job once untimed (file cache, compiled bytecode); ``cpu`` collects CPU seconds."""
    if warm_up:
        for job in jobs:
            time_once(job)
    times: dict[str, list[float]] = {job.name: [] for job in jobs}
    for _ in range(runs):
        for job in jobs:
            times[job.name].append(
                time_once(job, None if cpu is None else cpu.setdefault(job.name, [])))
    return times


def print_table(times: dict[str, list[float]], *, baseline: str, ratio_label: str,
                name_width: int, digits: int,
                verdict: Callable[[str, float], str] | None = None,
                cpu: dict[str, list[float]] | None = None) -> None:
    """One row per job: median, min and median / the ``baseline`` job's median, plus a
    verdict column when ``verdict(name, median)`` is given and the median CPU seconds
    (and their ratio to the baseline's) when ``cpu`` is."""
    base = statistics.median(times[baseline])
    width = len(ratio_label) + 2
    head = f"{'command':<{name_width}}{'median s':>10}{'min s':>8}{ratio_label:>{width}}"
    if cpu is not None:
        cpu_base = statistics.median(cpu[baseline])
        head += f"{'cpu s':>8}{'cpu x base':>12}"
    print(head + ("  verdict" if verdict else ""))
    for name, samples in times.items():
        med = statistics.median(samples)
        row = (f"{name:<{name_width}}{med:>10.{digits}f}{min(samples):>8.{digits}f}"
               f"{med / base:>{width}.2f}")
        if cpu is not None:
            c = statistics.median(cpu[name])
            row += f"{c:>8.{digits}f}{c / cpu_base:>12.2f}"
        print(row + (f"  {verdict(name, med)}" if verdict else ""))
