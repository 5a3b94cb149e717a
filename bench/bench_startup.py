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
``policy``, ``pilot start``, a person's ``dedup`` calls; extraction's studies, values,
consensus, spreadsheet import, merge and unmerge; ``rob set``/``import``; ``grade
set``/``retract``; ``same-study --link/--reject/--unlink``, ``fulltext
unobtainable/remove/add``, ``searches edit``) run on copies of the demo review (``--demo
DIR``, else one ``reviewflow demo`` builds here) with a reviewer ``carol`` added: a command
that changes the store gets a fresh copy before every run (untimed; a merge's copy also gets
the study it absorbs, an unmerge's the merge it undoes, ``--unlink``'s the link it undoes
(the first suggested pair that can be linked), ``fulltext remove``'s the mark it
withdraws), an idempotent one (``reviewer add`` of an existing name, ``seed-relevant`` of a
seed, ``policy`` setting the rule in force, ``study from-included`` with every included
report linked, ``searches edit`` setting the query it holds, a ``dedup`` run with nothing
new) runs on one copy. ``fulltext add`` attaches a one-page corpus PDF (left out without the
corpus). ``import`` stores a small sample export (``sample_exports/cochrane_central.ris``, 67
records) in a fresh copy of a review ``reviewflow init`` made. ``--no-writes`` leaves them
out.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import Job, interleaved, print_table  # noqa: E402

TARGET_S = 0.3
# A one-page real PDF (a retraction notice) for ``fulltext add``: the row is left out
# when the corpus is not beside the checkout
CORPUS = Path(os.environ.get("REVIEWFLOW_CORPUS",
                             Path(__file__).resolve().parents[2] / "shared" / "corpus"))
SMALL_PDF = CORPUS / "fulltext" / "pdf" / "jimmunolres2016_retraction_notice.pdf"
# Commands run from an empty folder: ``python -m`` puts the current folder first on
# sys.path, which would shadow ``--before``'s PYTHONPATH when run from the checkout.
CWD = Path(tempfile.gettempdir())
SAMPLES = Path(__file__).resolve().parents[1] / "sample_exports"


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
    """The review's tomls and a consistent copy of its database (sqlite3's backup)."""
    import sqlite3

    dest.mkdir(parents=True, exist_ok=True)
    for stale in ("reviewflow.db-wal", "reviewflow.db-shm"):
        (dest / stale).unlink(missing_ok=True)
    shutil.copyfile(src / "reviewflow.toml", dest / "reviewflow.toml")
    for name in ("extraction_form.toml", "analyses.toml"):  # the form and analyses in force
        if (src / name).is_file():
            shutil.copyfile(src / name, dest / name)
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
    dedup_pair, merged = _first_auto_merge(base)
    empty = work / f"empty{tag}"
    subprocess.run([*rf, "init", str(empty), "--title", "Import bench"], check=True,
                   capture_output=True, env=env, cwd=CWD)
    shared = work / f"shared{tag}"
    _copy_store(base, shared)
    scratch = work / f"pairs{tag}"  # where a pair that can be linked is found
    _copy_store(base, scratch)
    pair = _link_a_pair(scratch, env)
    fresh = {  # each run on its own fresh copy
        "decide (20 votes)": ["decide", "--reviewer", "carol", "--stage", "title-abstract",
                              "--from", str(votes)],
        "resolve": ["resolve", conflict, "--stage", "title-abstract", "--decision", "exclude",
                    "--by", "arbiter", "--method", "arbiter", "--note", "bench"],
        "pilot start": ["pilot", "start", "--stage", "title-abstract", "--size", "5", "--by",
                        "arbiter"],
        # extraction, risk of bias and GRADE (the write seam, as above)
        "extraction study add": ["extraction", "study", "add", "Bench 2099"],
        "extraction set": ["extraction", "set", "Delgado 2016", "study/country", "Portugal",
                           "-r", "carol"],
        "extraction resolve": ["extraction", "resolve", "Delgado 2016", "study/country",
                               "Spain", "-r", "arbiter"],
        "extraction import (60 rows)": ["extraction", "import",
                                        str(demo / "scripted" / "extraction_linked.csv"),
                                        "-r", "carol"],
        "extraction study merge": ["extraction", "study", "merge", "Delgado 2016",
                                   "Bench 2099", "-r", "arbiter"],
        "extraction study unmerge": ["extraction", "study", "unmerge", "Bench 2099", "-r",
                                     "arbiter"],
        "rob set": ["rob", "set", "Delgado 2016", "D1", "high", "-r", "carol"],
        "rob import (demo sheet)": ["rob", "import", str(SAMPLES / "rob.csv"), "-r", "carol"],
        "grade set": ["grade", "set", "oa_vas", "indirectness", "not_serious", "-r", "carol"],
        "grade retract": ["grade", "retract", "oa_vas", "indirectness", "-r", "carol"],
        # same-study, full texts and search corrections (the write seam, as above)
        "same-study --link": ["same-study", "--link", *pair, "-r", "arbiter"],
        "same-study --reject": ["same-study", "--reject", *pair, "-r", "arbiter"],
        "same-study --unlink": ["same-study", "--unlink", *pair, "-r", "arbiter"],
        "fulltext unobtainable": ["fulltext", "unobtainable", ids[1], "--reason", "bench",
                                  "-r", "arbiter"],
        "fulltext remove": ["fulltext", "remove", ids[1], "-r", "arbiter"],
        # a person's calls on dedup's merges: split a pair the run merged, undo a merge
        "dedup --resolve PAIR distinct": ["dedup", "--resolve", dedup_pair, "distinct"],
        "dedup --undo RECORD": ["dedup", "--undo", merged],
    }
    if SMALL_PDF.is_file():  # reading the PDF is the command's own work
        fresh["fulltext add (1-page PDF)"] = ["fulltext", "add", ids[2], str(SMALL_PDF),
                                              "-r", "arbiter"]
    # what a fresh copy needs before the timed command (untimed, as the copy is)
    before = {"extraction study merge": [["extraction", "study", "add", "Bench 2099"]],
              "extraction study unmerge": [["extraction", "study", "add", "Bench 2099"],
                                           fresh["extraction study merge"]],
              "same-study --unlink": [fresh["same-study --link"]],
              "fulltext remove": [fresh["fulltext unobtainable"]]}
    again = {  # idempotent: one copy
        "reviewer add": ["reviewer", "add", "reviewer_a"],
        "seed-relevant": ["seed-relevant", ids[0]],
        "policy (no change)": ["policy", "--blind", "on", "--by", "arbiter"],
        "extraction study from-included (none new)": ["extraction", "study", "from-included"],
        "searches edit": ["searches", "edit", "1", "--query", "bench"],
        "dedup (nothing new)": ["dedup"],
    }
    jobs = []
    for name, argv in fresh.items():
        folder = work / f"{re.sub(r'[^a-z0-9]+', '-', name)}{tag}"
        steps = before.get(name, [])

        def prepare(folder: Path = folder, steps: list[list[str]] = steps) -> None:
            _copy_store(base, folder)
            for step in steps:
                subprocess.run([*rf, "--review", str(folder), *step], check=True,
                               capture_output=True, env=env, cwd=CWD)

        jobs.append(Job(f"reviewflow {name}{tag}", [*rf, "--review", str(folder), *argv],
                        env=env, cwd=CWD, prepare=prepare))
    for name, argv in again.items():
        jobs.append(Job(f"reviewflow {name}{tag}", [*rf, "--review", str(shared), *argv],
                        env=env, cwd=CWD))
    sample = Path(__file__).resolve().parents[1] / "sample_exports" / "cochrane_central.ris"
    fresh_import = work / f"import{tag}"
    jobs.append(Job(f"reviewflow import (67 records){tag}",
                    [*rf, "--review", str(fresh_import), "import", str(sample)], env=env,
                    cwd=CWD, prepare=lambda: _copy_store(empty, fresh_import)))
    return jobs


def _link_a_pair(review: Path, env: dict[str, str] | None) -> list[str]:
    """Link the first pair of reports ``same-study`` suggests as one trial that can be
    linked (the demo's first would hide extracted values: refused); records A B."""
    rf = [sys.executable, "-m", "reviewflow", "--review", str(review), "same-study"]
    out = subprocess.run(rf, check=True, capture_output=True, text=True, env=env,
                         cwd=CWD).stdout
    for line in out.splitlines():
        if line.startswith("related: same study?"):
            pair = line.split("records ")[1].split(" (")[0].split(" and ")
            if subprocess.run([*rf, "--link", *pair, "-r", "arbiter"], capture_output=True,
                              env=env, cwd=CWD).returncode == 0:
                return pair
    raise SystemExit(f"{review}: no suggested pair of reports can be linked")


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
