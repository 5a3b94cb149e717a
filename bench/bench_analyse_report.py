"""How long ``reviewflow analyse --all`` and ``reviewflow report`` take on the demo review
(issue 22: at most 2 s each on a quiet 2-core machine).

Run from the repo root: ``python bench/bench_analyse_report.py [--runs 3] [--demo DIR]``.
Builds the demo review once (``reviewflow demo``; ``--demo DIR`` reuses one), then times
whole processes, interleaved. The baseline, measured in the same run, is a process that
imports what any plotting command needs and draws and saves one small PNG
(``python -c "import matplotlib ..."``): on a shared machine the ratio is the figure to
compare between runs, the seconds only on a quiet one. ``cpu s`` is the CPU time of
the command's process, which varies less with load; it leaves out figure workers (the
fork server's children are not waited for by the command), so it compares only runs
that drew in process (``REVIEWFLOW_WORKERS=0``, the default when every core is busy).
Each command is timed cold (an empty figure cache, ``$REVIEWFLOW_FIGURE_CACHE``, and
no earlier outputs: what a fresh review pays) and warm (the figures of the previous
analyse and report kept). ``--profile`` prints where one run of each spends its time
(cProfile, cumulative) instead. ``--before SRC`` also times the same commands on
another checkout's ``reviewflow`` package (``SRC`` holds it, e.g. ``git archive
<commit> reviewflow | tar -x -C SRC``), interleaved in the same run, cold (its own
figure cache, emptied before each run). ``--workers``
also times each cold command (and each ``--before`` one) with its figures drawn in the
command's own process (``REVIEWFLOW_WORKERS=0``) and by two workers (``=2``), whatever
the load: by default a command uses workers only when a core is idle
(docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import Job, interleaved, print_table, time_once  # noqa: E402

TARGET_S = 2.0
CACHE_ENV = "REVIEWFLOW_FIGURE_CACHE"  # reviewflow.figure_cache.CACHE_ENV
BASE, ANALYSE, REPORT = ("baseline (import + one PNG)", "reviewflow analyse --all",
                         "reviewflow report")
BASELINE = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt, pandas; "
            "f = plt.figure(figsize=(4, 3)); f.text(0.1, 0.5, 'x'); "
            "f.savefig('{out}', dpi=200)")


def _empty(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demo", type=Path)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--before", type=Path, help="a folder holding an older reviewflow "
                        "package to time side by side")
    parser.add_argument("--workers", action="store_true",
                        help="also time REVIEWFLOW_WORKERS=0 and =2")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rf-bench-analyse-"))
    try:
        demo = args.demo
        if demo is None:
            demo = tmp / "demo"
            subprocess.run([sys.executable, "-m", "reviewflow", "demo", str(demo)], check=True,
                           capture_output=True)
        rf = [sys.executable, "-m", "reviewflow", "--review", str(demo)]
        cold_cache, warm_cache = tmp / "cache-cold", tmp / "cache-warm"
        cold = {**os.environ, CACHE_ENV: str(cold_cache)}
        warm = {**os.environ, CACHE_ENV: str(warm_cache)}
        analyse, report = [*rf, "analyse", "--all"], [*rf, "report", "--out",
                                                      str(tmp / "report")]
        jobs = [Job(BASE, [sys.executable, "-c", BASELINE.format(out=tmp / "b.png")]),
                # cold: no figure kept from any earlier run, no earlier outputs
                Job(f"{ANALYSE} (cold)", analyse, cold,
                    prepare=lambda: _empty(cold_cache, demo / "analyses")),
                Job(f"{REPORT} (cold)", report, cold,
                    prepare=lambda: _empty(cold_cache, tmp / "report")),
                # warm: the figures of the previous analyse and report kept
                Job(f"{ANALYSE} (warm)", analyse, warm),
                Job(f"{REPORT} (warm)", report, warm)]
        if args.before is not None:
            # its own copy, taken before this checkout upgrades the demo's schema (build
            # --demo with the older checkout when a migration came in between)
            old = tmp / "demo-before"
            shutil.copytree(demo, old)
            # cold too: a checkout with a figure cache gets its own, emptied before each run
            before_cache = tmp / "cache-before"
            before = {**os.environ, "PYTHONPATH": str(args.before.resolve()),
                      CACHE_ENV: str(before_cache)}
            rf_old = [sys.executable, "-m", "reviewflow", "--review", str(old)]
            jobs += [Job(f"{ANALYSE} (before)", [*rf_old, "analyse", "--all"], before,
                         prepare=lambda: _empty(before_cache, old / "analyses")),
                     Job(f"{REPORT} (before)", [*rf_old, "report", "--out",
                                                str(tmp / "report-before")], before,
                         prepare=lambda: _empty(before_cache, tmp / "report-before"))]
        if args.workers:
            # cold runs of both checkouts: with two workers drawing, what is left in the
            # command's own process (imports, reading, pooling) is the critical path
            for job in [*jobs[1:3], *(j for j in jobs if j.name.endswith("(before)"))]:
                for n in (0, 2):
                    jobs.append(replace(job, name=f"{job.name} (workers={n})",
                                        env={**job.env, "REVIEWFLOW_WORKERS": str(n)}))
        jobs = [replace(job, cwd=demo) for job in jobs]
        for job in jobs:  # fill the warm cache (and the file cache) once
            if job.name.endswith("(warm)"):
                time_once(job)
        if args.profile:
            import pstats

            for job in jobs[1:]:
                print(f"== {job.name}")
                prof = tmp / "p.prof"
                time_once(replace(job, argv=[sys.executable, "-m", "cProfile", "-o",
                                             str(prof), *job.argv[1:]]))
                pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
            return
        cpu: dict[str, list[float]] = {}
        times = interleaved(jobs, args.runs, cpu=cpu)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"median of {args.runs} processes; target {TARGET_S:.1f} s (quiet machine)")
    print_table(times, baseline=BASE, ratio_label="x baseline",
                name_width=44, digits=2, cpu=cpu)


if __name__ == "__main__":
    main()
