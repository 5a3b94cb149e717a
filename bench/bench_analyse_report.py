"""How long ``reviewflow analyse --all`` and ``reviewflow report`` take on the demo review
(issue 22: at most 2 s each on a quiet 2-core machine).

Run from the repo root: ``python bench/bench_analyse_report.py [--runs 3] [--demo DIR]``.
Builds the demo review once (``reviewflow demo``; ``--demo DIR`` reuses one), then times
whole processes, interleaved. The baseline, measured in the same run, is a process that
imports what any plotting command needs and draws and saves one small PNG
(``python -c "import matplotlib ..."``): on a shared machine the ratio is the figure to
compare between runs, the seconds only on a quiet one. ``--profile`` prints where one
run of each spends its time (cProfile, cumulative) instead. ``--before SRC`` also times
the same commands on another checkout's ``reviewflow`` package (``SRC`` holds it, e.g.
``git archive <commit> reviewflow | tar -x -C SRC``), interleaved in the same run.
``--workers`` also times each command with its figures drawn in the command's own
process (``REVIEWFLOW_WORKERS=0``) and by two workers (``=2``), whatever the load: by
default a command uses workers only when a core is idle (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import Job, interleaved, print_table, time_once  # noqa: E402

TARGET_S = 2.0
BASELINE = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt, pandas; "
            "f = plt.figure(figsize=(4, 3)); f.text(0.1, 0.5, 'x'); "
            "f.savefig('{out}', dpi=200)")


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
        cmds = {"baseline (import + one PNG)": [sys.executable, "-c",
                                                BASELINE.format(out=tmp / "b.png")],
                "reviewflow analyse --all": [*rf, "analyse", "--all"],
                "reviewflow report": [*rf, "report", "--out", str(tmp / "report")]}
        envs: dict[str, dict[str, str] | None] = dict.fromkeys(cmds)
        if args.before is not None:
            # its own copy, taken before this checkout upgrades the demo's schema (build
            # --demo with the older checkout when a migration came in between)
            old = tmp / "demo-before"
            shutil.copytree(demo, old)
            before = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
            rf_old = [sys.executable, "-m", "reviewflow", "--review", str(old)]
            cmds["reviewflow analyse --all (before)"] = [*rf_old, "analyse", "--all"]
            cmds["reviewflow report (before)"] = [*rf_old, "report", "--out",
                                                  str(tmp / "report-before")]
            for name in ("reviewflow analyse --all (before)", "reviewflow report (before)"):
                envs[name] = before
        if args.workers:
            for name in ("reviewflow analyse --all", "reviewflow report"):
                for n in (0, 2):
                    cmds[f"{name} (workers={n})"] = cmds[name]
                    envs[f"{name} (workers={n})"] = {**os.environ, "REVIEWFLOW_WORKERS": str(n)}
        if args.profile:
            for name, argv in list(cmds.items())[1:]:
                print(f"== {name}")
                prof = tmp / "p.prof"
                time_once(Job(name, [sys.executable, "-m", "cProfile", "-o", str(prof),
                                     *argv[1:]], cwd=demo))
                import pstats

                pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
            return
        jobs = [Job(name, argv, env=envs.get(name), cwd=demo) for name, argv in cmds.items()]
        times = interleaved(jobs, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"median of {args.runs} processes; target {TARGET_S:.1f} s (quiet machine)")
    print_table(times, baseline="baseline (import + one PNG)", ratio_label="x baseline",
                name_width=44, digits=2)


if __name__ == "__main__":
    main()
