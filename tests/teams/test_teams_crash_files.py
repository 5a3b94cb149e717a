"""SIGKILL during ``extraction import`` and ``import-bundle`` (issue 21, evidence).

After every kill the store must be exactly "before" (nothing of the run) or
"after" (all of it), never in between, and a re-run must succeed and give the
same store as an uninterrupted run. Stores are compared by content: every row of
every table, timestamps left out (a re-run stamps its own time).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

from crash_harness import Scenario, consistency_of, run_with_kills
from sqlalchemy import DateTime, TypeDecorator, inspect, select
from store_drivers import driver_env, seed_records
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store.bundle import tables
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import TEST_FORM_TEXT

runner = CliRunner()


def content(url: str) -> str:
    """A digest of every table's rows without time columns ("" for no tables at all)."""
    with Store(url) as store, store.engine.connect() as conn:
        if not inspect(conn).get_table_names():
            return ""
        digest = hashlib.sha256()
        for table in tables():
            cols = [c for c in table.c if not isinstance(
                c.type.impl if isinstance(c.type, TypeDecorator) else c.type, DateTime)]
            order = list(table.primary_key.columns) or cols
            for row in conn.execute(select(*cols).order_by(*order)):
                digest.update(json.dumps(list(row), default=str).encode())
            digest.update(f"|{table.name}|".encode())
        return digest.hexdigest()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "reviewflow", *args]


def _sheet(path: Path, studies: int) -> None:
    rows = ["study,outcome,country,sample_size,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,"
            "n_ctrl"]
    rows += [f"Trial {i:05d},pain_vas,Korea,{40 + i % 9},{3 + i % 5}.5,1.{i % 9 + 1},20,"
             f"5.{i % 7},1.5,20" for i in range(studies)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _either(url: str, states: dict[str, str], seen: list[str]) -> list[str]:
    now = content(url)
    names = [name for name, digest in states.items() if digest == now]
    seen.extend(names)
    return [] if names else ["store is neither before nor after the run"]


def test_killed_extraction_import_is_all_or_nothing(tmp_path: Path) -> None:
    review = tmp_path / "rev"
    assert runner.invoke(app, ["init", str(review)]).exit_code == 0
    # the extraction tests' two-arm MSC form: the sheet's pain VAS columns
    (review / "extraction_form.toml").write_text(TEST_FORM_TEXT, encoding="utf-8")
    assert runner.invoke(app, ["--review", str(review), "extraction", "form"]).exit_code == 0
    assert runner.invoke(app, ["--review", str(review), "reviewer", "add", "ann"]).exit_code == 0
    url = load_config(review).database_url()
    sheet = tmp_path / "sheet.csv"
    _sheet(sheet, 4000)
    command = _cli("--review", str(review), "extraction", "import", str(sheet), "--reviewer",
                   "ann", "--create-studies")
    # "after": the same import run to the end on a copy of the store
    clean = tmp_path / "clean"
    shutil.copytree(review, clean)
    (clean / "reviewflow.db-wal").unlink(missing_ok=True)
    took = time.monotonic()
    res = runner.invoke(app, ["--review", str(clean), "extraction", "import", str(sheet),
                              "--reviewer", "ann", "--create-studies"])
    took = time.monotonic() - took
    assert res.exit_code == 0, res.output
    states = {"before": content(url), "after": content(load_config(clean).database_url())}
    assert states["before"] != states["after"]
    seen: list[str] = []
    check = consistency_of(url)

    def after_kill() -> list[str]:
        return check() + _either(url, states, seen)

    def complete() -> list[str]:
        return [] if content(url) == states["after"] else ["re-run differs from a clean run"]

    scenario = Scenario("extraction import", command, driver_env(), after_kill, complete,
                        progress=lambda: int(content(url) == states["after"]))
    # Kills within the time a whole import takes here (a process pays its start-up on top
    # of the in-process run timed above), however slow or fast the machine: a run that
    # commits leaves the later runs nothing to do, so they finish before their kills. An
    # all-or-nothing import shows no progress after a kill, and the harness then stretches
    # the next delay by half: the first three delays stay under 0.35, 0.53 and 0.79 of it.
    report = run_with_kills(scenario, 6, max_delay=max(0.4, 0.35 * took),
                            min_delay=0.2, seed=21)
    print("\n" + report.line(), f"states after kills: {seen}")
    assert report.problems == []
    assert report.kills >= 3


def test_killed_import_bundle_leaves_no_review_or_the_whole_one(tmp_path: Path) -> None:
    source = tmp_path / "src"
    assert runner.invoke(app, ["init", str(source)]).exit_code == 0
    src_url = load_config(source).database_url()
    with Store.open(src_url) as store:
        seed_records(store, 15000)
    (source / "analyses.toml").write_text('[[analysis]]\nname = "a"\noutcome = "x"\n'
                                          'measure = "MD"\n')
    bundle = tmp_path / "b.zip"
    assert runner.invoke(app, ["--review", str(source), "export", "bundle", str(bundle)]
                         ).exit_code == 0
    target = tmp_path / "restored"
    want = content(src_url)
    seen: list[str] = []

    def after_kill() -> list[str]:
        toml = target / "reviewflow.toml"
        if not toml.exists():  # "before": no review here (debris is not a review)
            seen.append("before")
            return []
        seen.append("after")
        problems = [] if content(load_config(target).database_url()) == want else [
            "a review folder whose store differs from the bundle"]
        if (target / "analyses.toml").read_text() != (source / "analyses.toml").read_text():
            problems.append("analyses.toml missing or different")
        return problems

    def complete() -> list[str]:
        if not (target / "reviewflow.toml").exists():
            return ["no review after the final run"]
        return after_kill()

    def progress() -> int:
        return int((target / "reviewflow.toml").exists())

    command = _cli("import-bundle", str(bundle), str(target))
    # a re-run after a finished run refuses (already a review): stop killing once done
    scenario = Scenario("import-bundle", command, driver_env(), after_kill, complete, progress)
    report = _run_until_done(scenario, target)
    print("\n" + report.line(), f"states after kills: {seen}")
    assert report.problems == []
    assert report.kills >= 3


def _run_until_done(scenario: Scenario, target: Path):  # type: ignore[no-untyped-def]
    """Kills while the folder is not yet a review; then one run to the end if needed."""
    from crash_harness import Report, _one_kill

    report = Report(scenario.name)
    delays = [0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.2]
    for attempt, delay in enumerate(delays):
        if (target / "reviewflow.toml").exists():
            break
        problem = _one_kill(scenario, delay, report)
        if problem:
            report.problems.append(f"attempt {attempt}: {problem}")
        report.problems += [f"after kill {attempt}: {p}" for p in scenario.check()]
    if not (target / "reviewflow.toml").exists():
        import subprocess

        done = subprocess.run(scenario.command, env=scenario.env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            report.problems.append(f"final run exited {done.returncode}: {done.stderr[-800:]}")
    report.problems += scenario.complete()
    return report
