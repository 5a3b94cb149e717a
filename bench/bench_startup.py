"""How long a command takes to answer, as whole processes (issue 22: at most 0.3 s each).

Run from the repo root: ``python bench/bench_startup.py [--runs 7] [--demo DIR]``.
Each figure is the median wall time of ``--runs`` fresh processes (interleaved, so a
burst of load on this shared machine spreads over every command). Baselines measured
in the same run: ``python -c pass`` (the interpreter alone) and ``python -c "import
typer"`` (the CLI toolkit alone, which every command needs); the ratio against the
latter says how much reviewflow adds; "store floor" is typer plus the store
(SQLAlchemy, SQLModel and the tables), the least any command reading the store
can load. ``status`` runs on a fresh review made by ``reviewflow init``
(``--demo DIR``: on that review instead, for ``--before`` too). ``--before SRC`` also
times each reviewflow command on another checkout's ``reviewflow`` package (``SRC``
holds it, with the migrations its ``init`` needs: ``git archive <commit> reviewflow db |
tar -x -C SRC``), in the same run.
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

from bench.timing import Job, interleaved, print_table  # noqa: E402

TARGET_S = 0.3
# Commands run from an empty folder: ``python -m`` puts the current folder first on
# sys.path, which would shadow ``--before``'s PYTHONPATH when run from the checkout.
CWD = Path(tempfile.gettempdir())


READING = (("policy",), ("reviewer", "list"), ("searches",), ("extraction", "status"),
           ("same-study",), ("dedup", "--related"), ("fulltext", "list"), ("rob", "compare"),
           ("grade", "show"), ("extraction", "form"), ("export", "records"),
           ("export", "decisions", "--as", "arbiter"))


def commands(review: Path) -> dict[str, list[str]]:
    rf = [sys.executable, "-m", "reviewflow"]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import typer'": [sys.executable, "-c", "import typer"],
        # what any command that opens the store must load: SQLAlchemy, SQLModel, the tables
        "store floor (typer + store)": [sys.executable, "-c",
                                        "import typer, reviewflow.store.db"],
        "reviewflow --help": [*rf, "--help"],
        "reviewflow --version": [*rf, "--version"],
        "reviewflow status": [*rf, "--review", str(review), "status"],
        "reviewflow import --help": [*rf, "import", "--help"],
        "reviewflow analyse --help": [*rf, "analyse", "--help"],
        "reviewflow extraction --help": [*rf, "extraction", "--help"],
        "reviewflow kappa": [*rf, "--review", str(review), "kappa"],
        "reviewflow prisma": [*rf, "--review", str(review), "prisma"],
        "reviewflow export --help": [*rf, "export", "--help"],
        "reviewflow history --help": [*rf, "history", "--help"],
        # reading commands moved onto the read seam (sqlite3, no ORM); on --demo they read
        # real rows (same-study's suggestions, extraction, RoB, GRADE, related pairs)
        **{f"reviewflow {' '.join(args)}": [*rf, "--review", str(review), *args]
           for args in READING},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--demo", type=Path, help="a review folder to run status/kappa on")
    parser.add_argument("--before", type=Path, help="a folder holding an older reviewflow "
                        "package to time side by side")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rf-startup-"))
    try:
        review = args.demo
        if review is None:
            review = tmp / "review"
            subprocess.run([sys.executable, "-m", "reviewflow", "init", str(review),
                            "--title", "Startup bench"], check=True, capture_output=True)
        cmds = commands(review)
        envs: dict[str, dict[str, str] | None] = dict.fromkeys(cmds)
        if args.before is not None:
            before = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
            # the same --demo review (same schema), else its own, made by the older
            # checkout (a newer schema would be refused)
            old = args.demo
            if old is None:
                old = tmp / "review-before"
                subprocess.run([sys.executable, "-m", "reviewflow", "init", str(old),
                                "--title", "Startup bench"], check=True, capture_output=True,
                               env=before, cwd=CWD)
            for name, argv in commands(old).items():
                if name.startswith("reviewflow"):
                    cmds[f"{name} (before)"] = argv
                    envs[f"{name} (before)"] = before
        jobs = [Job(name, argv, env=envs[name], cwd=CWD) for name, argv in cmds.items()]
        times = interleaved(jobs, args.runs, warm_up=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"median of {args.runs} processes; target {TARGET_S:.2f} s per reviewflow command")
    print_table(times, baseline="python -c 'import typer'", ratio_label="x typer",
                name_width=41, digits=3,
                verdict=lambda name, med: "" if not name.startswith("reviewflow") else (
                    "ok" if med <= TARGET_S else "OVER"))


if __name__ == "__main__":
    main()
