"""The CPU each figure job of one ``analyse`` or ``report`` run takes, drawn in process.

Run from the repo root: ``python bench/figure_jobs.py DEMO_COPY report`` (or
``DEMO_COPY analyse --all``). DEMO_COPY is a review folder this writes into (take a
copy: ``reviewflow demo`` makes one). Figures are drawn in this process with the figure
cache off (``REVIEWFLOW_WORKERS=0``, ``REVIEWFLOW_FIGURE_CACHE=off``, set here), after
matplotlib and the plotting modules are imported, so each job's CPU is its own drawing
and writing, not the imports. Prints the jobs, most expensive first, then all drawing
against the command's CPU. Where ``bench_analyse_report.py`` times whole processes, this
says which figure to look at.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["REVIEWFLOW_WORKERS"] = "0"
os.environ["REVIEWFLOW_FIGURE_CACHE"] = "off"


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__.splitlines()[2])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    import reviewflow.drawing as drawing
    from reviewflow.cli.main import main as reviewflow
    from reviewflow.drawing import PRELOAD

    for module in (*PRELOAD, "reviewflow.extraction.rob_plots", "reviewflow.prisma.diagram"):
        __import__(module)
    jobs: list[tuple[float, str, str]] = []
    resolve = drawing.resolve

    def timed(target: str) -> Callable[..., Any]:
        draw = resolve(target)

        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return draw(*args, **kwargs)
            finally:
                paths = [a for a in (*args, *kwargs.values()) if isinstance(a, Path)]
                jobs.append((time.process_time() - start, target.split(":")[-1],
                             paths[0].name if paths else ""))
        return run

    drawing.resolve = timed
    start = time.process_time()
    try:
        reviewflow(["--review", sys.argv[1], *sys.argv[2:]])
    except SystemExit as exit_:
        if exit_.code:
            raise
    total = time.process_time() - start
    for cpu, name, path in sorted(jobs, reverse=True):
        print(f"{cpu:6.3f} s  {name:22s} {path}")
    print(f"{len(jobs)} jobs: drawing {sum(j[0] for j in jobs):.3f} s CPU of the command's "
          f"{total:.3f} s (imports of matplotlib and the plotting modules left out)")


if __name__ == "__main__":
    main()
