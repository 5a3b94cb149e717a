"""``reviewflow import`` of a large export as whole processes, this checkout against another.

Run from the repo root::

    python bench/bench_import_command.py --before SRC [--records 100000] [--runs 3]

``SRC`` holds another checkout's ``reviewflow`` package with the migrations its ``init``
needs (``git archive main reviewflow db | tar -x -C SRC``). The export is built as
:mod:`bench.bench_import` builds it (the real RIS records of the shared corpus,
concatenated up to ``--records``); each run imports it into a fresh copy of an empty
review (made by ``reviewflow init`` of the same checkout, copied untimed before every
run), so a run is the whole command: start-up, parse, store, commit, summary.

Rows are interleaved (one of each per round), so a burst of load on this shared machine
spreads over all of them; the table gives medians and the ratio to the "store floor"
(``import typer, reviewflow.store.db``: what any command that opened the ORM store had to
load) timed in the same rounds. The CPU columns (user + system of the process) are less
sensitive to other load than wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_import import build_file  # noqa: E402
from bench.timing import Job, interleaved, print_table  # noqa: E402

CWD = Path(tempfile.gettempdir())  # ``python -m`` must not find this checkout first


def _fresh(empty: Path, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(empty, folder)


def _jobs(export: Path, work: Path, tag: str, env: dict[str, str]) -> list[Job]:
    rf = [sys.executable, "-m", "reviewflow"]
    empty = work / f"empty{tag}"
    subprocess.run([*rf, "init", str(empty), "--title", "Import bench"], check=True,
                   capture_output=True, env=env, cwd=CWD)
    folder = work / f"review{tag}"
    name = f"reviewflow import ({export.stem}){' (before)' if tag else ''}"
    return [Job(name, [*rf, "--review", str(folder), "import", str(export)], env=env,
                cwd=CWD, prepare=lambda: _fresh(empty, folder))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="a folder holding an older reviewflow package (and db/)")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    now = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
    work = Path(tempfile.mkdtemp(prefix="rf-import-"))
    try:
        export = build_file(work, args.records)
        jobs = [Job("store floor (typer + store)",
                    [sys.executable, "-c", "import typer, reviewflow.store.db"], env=now,
                    cwd=CWD),
                *_jobs(export, work, "", now), *_jobs(export, work, "-before", before)]
        cpu: dict[str, list[float]] = {}
        times = interleaved(jobs, args.runs, warm_up=False, cpu=cpu)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"median of {args.runs} processes; {args.records:,} records, one file")
    print_table(times, baseline="store floor (typer + store)", ratio_label="x floor",
                name_width=44, digits=2, cpu=cpu)


if __name__ == "__main__":
    main()
