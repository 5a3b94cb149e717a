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

Writing commands (``decide``, ``resolve``, ``reviewer add``, ``seed-relevant``,
``policy``, ``pilot start``, a person's ``dedup`` calls) run on copies of the demo review
(``--demo DIR``, else one ``reviewflow demo`` builds here) with a reviewer ``carol``
added: a command that changes the store gets a fresh copy before every run (untimed), an
idempotent one (``reviewer add`` of an existing name, ``seed-relevant`` of a seed,
``policy`` setting the rule in force, a ``dedup`` run with nothing new) runs on one copy.
``import`` stores a small sample export (``sample_exports/cochrane_central.ris``, 67
records) in a fresh copy of a review ``reviewflow init`` made. ``--no-writes`` leaves
them out.
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


def _copy_store(src: Path, dest: Path) -> None:
    """The review's toml and a consistent copy of its database (sqlite3's backup)."""
    import sqlite3

    dest.mkdir(parents=True, exist_ok=True)
    for stale in ("reviewflow.db-wal", "reviewflow.db-shm"):
        (dest / stale).unlink(missing_ok=True)
    shutil.copyfile(src / "reviewflow.toml", dest / "reviewflow.toml")
    source = sqlite3.connect(src / "reviewflow.db")
    target = sqlite3.connect(dest / "reviewflow.db")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def write_jobs(demo: Path, work: Path, env: dict[str, str] | None = None,
               tag: str = "") -> list[Job]:
    """The writing commands on copies of ``demo`` (see the module docstring)."""
    rf = [sys.executable, "-m", "reviewflow"]
    base = work / f"base{tag}"
    _copy_store(demo, base)
    subprocess.run([*rf, "--review", str(base), "reviewer", "add", "carol"], check=True,
                   capture_output=True, env=env, cwd=CWD)
    with (demo / "scripted" / "ta_reviewer_a.csv").open(encoding="utf-8") as fh:
        next(fh)
        ids = [line.split(",")[0] for line in fh][:20]
    votes = work / "carol.csv"
    votes.write_text("record_id,decision\n" + "".join(
        f"{rid},{'include' if i % 3 else 'exclude'}\n" for i, rid in enumerate(ids)),
        encoding="utf-8")
    conflict = _first_resolved(base)
    pair, merged = _first_auto_merge(base)
    empty = work / f"empty{tag}"
    subprocess.run([*rf, "init", str(empty), "--title", "Import bench"], check=True,
                   capture_output=True, env=env, cwd=CWD)
    shared = work / f"shared{tag}"
    _copy_store(base, shared)
    fresh = {  # each run on its own fresh copy
        "decide (20 votes)": ["decide", "--reviewer", "carol", "--stage", "title-abstract",
                              "--from", str(votes)],
        "resolve": ["resolve", conflict, "--stage", "title-abstract", "--decision", "exclude",
                    "--by", "arbiter", "--method", "arbiter", "--note", "bench"],
        "pilot start": ["pilot", "start", "--stage", "title-abstract", "--size", "5", "--by",
                        "arbiter"],
        # a person's calls on dedup's merges: split a pair the run merged, undo a merge
        "dedup --resolve PAIR distinct": ["dedup", "--resolve", pair, "distinct"],
        "dedup --undo RECORD": ["dedup", "--undo", merged],
    }
    again = {  # idempotent: one copy
        "reviewer add": ["reviewer", "add", "reviewer_a"],
        "seed-relevant": ["seed-relevant", ids[0]],
        "policy (no change)": ["policy", "--blind", "on", "--by", "arbiter"],
        "dedup (nothing new)": ["dedup"],
    }
    jobs = []
    for number, (name, argv) in enumerate(fresh.items()):
        folder = work / f"fresh{number}{tag}"
        jobs.append(Job(f"reviewflow {name}{tag}", [*rf, "--review", str(folder), *argv],
                        env=env, cwd=CWD,
                        prepare=lambda folder=folder: _copy_store(base, folder)))
    for name, argv in again.items():
        jobs.append(Job(f"reviewflow {name}{tag}", [*rf, "--review", str(shared), *argv],
                        env=env, cwd=CWD))
    sample = Path(__file__).resolve().parents[1] / "sample_exports" / "cochrane_central.ris"
    fresh_import = work / f"import{tag}"
    jobs.append(Job(f"reviewflow import (67 records){tag}",
                    [*rf, "--review", str(fresh_import), "import", str(sample)], env=env,
                    cwd=CWD, prepare=lambda: _copy_store(empty, fresh_import)))
    return jobs


def _first_resolved(review: Path) -> str:
    """A record whose title/abstract conflict the demo's arbiter resolved (resolving it
    again revises the resolution: always accepted)."""
    import sqlite3

    con = sqlite3.connect(review / "reviewflow.db")
    try:
        row = con.execute("SELECT record_id FROM conflict_resolution WHERE stage = ? "
                          "ORDER BY id", ("title_abstract",)).fetchone()
    finally:
        con.close()
    return str(row[0])


def _first_auto_merge(review: Path) -> tuple[str, str]:
    """The pair and the merged-away record of the demo's first automatic merge (the
    person's ``distinct`` splits it; ``--undo`` takes the record back out)."""
    import sqlite3

    con = sqlite3.connect(review / "reviewflow.db")
    try:
        row = con.execute("SELECT pair_id, merged_record_id FROM dedup_decision "
                          "WHERE method = 'auto' ORDER BY id").fetchone()
    finally:
        con.close()
    return str(row[0]), str(row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--demo", type=Path, help="a review folder to run status/kappa on")
    parser.add_argument("--before", type=Path, help="a folder holding an older reviewflow "
                        "package to time side by side")
    parser.add_argument("--no-writes", action="store_true", help="leave out the writing "
                        "commands (they need a demo review; one is built without --demo)")
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
        if not args.no_writes:
            demo = args.demo
            if demo is None:
                demo = tmp / "demo"
                subprocess.run([sys.executable, "-m", "reviewflow", "demo", str(demo)],
                               check=True, capture_output=True, cwd=CWD)
            jobs += write_jobs(demo, tmp)
            if args.before is not None:
                jobs += write_jobs(demo, tmp, before, " (before)")
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
