"""Kill a real process with SIGKILL at random moments, then check the store.

Generic: a :class:`Scenario` is a command line to run plus functions that look
at the store. The harness runs the command, kills it after a random delay,
checks the invariants, and repeats; then lets one run finish and checks that
the work is complete and nothing was counted twice.

Adding a real command (the lead, once ``reviewflow import`` and
``reviewflow dedup`` land): build a Scenario whose ``command`` is e.g.
``[sys.executable, "-m", "reviewflow", "--review", str(dir), "import", str(file)]``
with ``check=consistency_of(url)`` and a ``complete`` that counts the imported
records (see ``test_teams_crash.py`` for the decision and stand-in import ones).
"""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from reviewflow.store.consistency import check_consistency
from reviewflow.store.db import Store


@dataclass
class Scenario:
    """What to run and how to tell whether the store survived it."""

    name: str
    command: list[str]
    env: dict[str, str]
    check: Callable[[], list[str]]  # problems right after a kill (must be none)
    complete: Callable[[], list[str]]  # problems after a full run (work done, none doubled)
    progress: Callable[[], int] = lambda: 0  # rows of work stored so far (shows kills bit)
    ready_line: bool = False  # the command prints a line once its set-up is done


@dataclass
class Report:
    name: str
    kills: int = 0  # SIGKILLs that hit a running process
    finished_first: int = 0  # runs that ended before their kill came
    mid_work: int = 0  # kills after which some but not all work was stored
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.name}: {self.kills} kills survived ({self.mid_work} mid-work, "
                f"{self.finished_first} runs finished first), problems: {len(self.problems)}")


def consistency_of(url: str) -> Callable[[], list[str]]:
    def check() -> list[str]:
        with Store.open(url) as store:
            return check_consistency(store)
    return check


def run_with_kills(scenario: Scenario, kills: int, max_delay: float, seed: int = 0,
                   min_delay: float = 0.0, timeout: float = 300,
                   after_progress: bool = False) -> Report:
    """Kill ``kills`` times at uniform random delays, then finish and check.

    When a kill finds no new work stored, the next delay range is stretched, so
    on a slow or loaded machine the kills still sweep through the work instead of
    always landing in start-up; when a run finishes before its kill (a fast, idle
    machine), the range shrinks so the remaining work is still cut mid-way.

    ``after_progress``: the first two kills, and every other one after them, wait
    until the run has stored some work and then strike within 20 ms, so kills land
    mid-work however fast or slow the machine is (a timed kill alone missed the
    work window on an idle machine); the others keep the random timing, start-up
    included.
    """
    rng = random.Random(seed)
    report = Report(scenario.name)
    before = scenario.progress()
    stretch = 1.0  # grows while kills come too early to let any work commit
    for attempt in range(kills):
        delay = rng.uniform(min_delay, max_delay * stretch)
        finished = report.finished_first
        aimed = after_progress and (attempt < 2 or attempt % 2 == 0)
        problem = _one_kill(scenario, delay, report,
                            (before, rng.uniform(0.0, 0.02)) if aimed else None)
        if problem:
            report.problems.append(f"attempt {attempt}: {problem}")
        report.problems += [f"after kill {attempt}: {p}" for p in scenario.check()]
        now = scenario.progress()
        report.mid_work += now != before
        # A slow (loaded) machine must still see work commit between kills.
        if report.finished_first > finished:
            stretch = max(stretch * 0.5, 0.05)  # the run beat the kill: aim earlier
        else:
            stretch = 1.0 if now != before else min(stretch * 1.5, 8.0)
        before = now
    done = subprocess.run(scenario.command, env=scenario.env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        report.problems.append(f"final run exited {done.returncode}: {done.stderr[-2000:]}")
    report.problems += scenario.check() + scenario.complete()
    return report


def _one_kill(scenario: Scenario, delay: float, report: Report,
              aim: tuple[int, float] | None = None) -> str | None:
    """Run once and SIGKILL after ``delay``, or, with ``aim`` = (progress before,
    extra delay), once the store shows progress (at most ``timeout`` later)."""
    proc = subprocess.Popen(scenario.command, env=scenario.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if scenario.ready_line and proc.stdout is not None:
        proc.stdout.readline()
    if aim is not None:
        give_up = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < give_up \
                and scenario.progress() == aim[0]:
            time.sleep(0.005)
        delay = aim[1]
    deadline = time.monotonic() + delay
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(min(0.01, max(deadline - time.monotonic(), 0)))
    if proc.poll() is None:
        proc.kill()  # SIGKILL: no handler, no cleanup, like a power cut for the process
        proc.communicate()
        report.kills += 1
        return None
    _, stderr = proc.communicate()
    report.finished_first += 1
    return None if proc.returncode == 0 else f"exited {proc.returncode}: {stderr[-2000:]}"
