"""SIGKILL at random moments: the store stays consistent and re-running completes the work.

Each scenario is a real subprocess killed many times (see ``crash_harness``);
after every kill the store must pass :func:`check_consistency`, and after one
run is allowed to finish the work must be complete with nothing counted twice.
A bigger run (more kills, both backends) is ``python bench/bench_concurrency.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from crash_harness import Scenario, consistency_of, run_with_kills
from sqlalchemy import func
from sqlmodel import select
from store_drivers import driver_command, driver_env, seed_records
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.dedup_state import merged_into
from reviewflow.store.location import load_config
from tests.screening.support import make_review

# about 90 s on a 2-core machine (each test kills dozens of processes): -m "not slow" skips
pytestmark = pytest.mark.slow

KILLS = 10
REPO = Path(__file__).resolve().parents[2]
MAX_DELAY_S = 1.2


def decision_scenario(url: str, records: int) -> Scenario:
    """A run of decisions through record_decision, resumable by client_key."""
    with Store.open(url) as store:
        seed_records(store, records)
    d = models.ScreeningDecision

    def progress() -> int:
        with Store.open(url) as store, store.session() as s:
            return int(s.exec(select(func.count()).select_from(d)).one())

    def complete() -> list[str]:
        with Store.open(url) as store, store.session() as s:
            rows = s.exec(select(d.record_id, d.stage, d.reviewer_id)).all()
        problems = [] if len(rows) == records else [f"{len(rows)} decisions, want {records}"]
        if len(set(rows)) != len(rows):
            problems.append(f"{len(rows) - len(set(rows))} decisions stored twice")
        return problems

    return Scenario("decisions", driver_command("decide", url, "alice"), driver_env(),
                    consistency_of(url), complete, progress, ready_line=True)


def import_scenario(url: str, files: int, per_file: int) -> Scenario:
    """Stand-in imports, each one transaction, skipped when already imported (sha256)."""
    seeds = ",".join(f"f{i}" for i in range(files))

    def progress() -> int:
        with Store.open(url) as store, store.session() as s:
            return int(s.exec(select(func.count()).select_from(models.RecordRow)).one())

    def complete() -> list[str]:
        with Store.open(url) as store, store.session() as s:
            imports = s.exec(select(func.count()).select_from(models.SearchImport)).one()
        got = progress()
        want = files * per_file
        return ([] if imports == files else [f"{imports} imports, want {files}"]) + (
            [] if got == want else [f"{got} records, want {want}"])

    return Scenario("import (stand-in)", driver_command("import", url, seeds, str(per_file)),
                    driver_env(), consistency_of(url), complete, progress, ready_line=True)


def decide_cli_scenario(review: Path, rows: int) -> Scenario:
    """The real ``reviewflow decide --from FILE``: re-running must not double any row."""
    url = load_config(review).database_url()
    csv_file = review / "ann.csv"
    csv_file.write_text("record_id,decision,note\n" + "".join(
        f"{i},{('include', 'exclude', 'maybe')[i % 3]},row {i}\n" for i in range(1, rows + 1)))
    d = models.ScreeningDecision
    command = [sys.executable, "-m", "reviewflow", "--review", str(review), "decide",
               "--reviewer", "ann", "--stage", "title-abstract", "--from", str(csv_file)]

    def progress() -> int:
        with Store.open(url) as store, store.session() as s:
            return int(s.exec(select(func.count()).select_from(d)).one())

    def complete() -> list[str]:
        with Store.open(url) as store, store.session() as s:
            got = s.exec(select(d.record_id, d.note)).all()
        problems = [] if len(got) == rows else [f"{len(got)} decisions, want {rows}"]
        if len(set(got)) != len(got):
            problems.append(f"{len(got) - len(set(got))} rows stored twice")
        return problems

    return Scenario("decide --from (real CLI)", command, driver_env(), consistency_of(url),
                    complete, progress)


def _create(url: str) -> None:
    Store.create(url, title="crash").dispose()


def test_killed_decisions_leave_a_consistent_store(store_url: str) -> None:
    _create(store_url)
    report = run_with_kills(decision_scenario(store_url, 2000), KILLS, MAX_DELAY_S, seed=9,
                            after_progress=True)
    print("\n" + report.line())
    assert report.problems == []
    # Once the work is done, later runs finish before their kill: that is fine.
    assert report.kills >= 3, "kills should hit a running process"
    assert report.mid_work >= 2, "kills should land while decisions are being written"


def test_killed_imports_are_all_or_nothing(store_url: str) -> None:
    _create(store_url)
    report = run_with_kills(import_scenario(store_url, 24, 1500), KILLS, MAX_DELAY_S, seed=3)
    print("\n" + report.line())
    assert report.problems == []
    assert report.kills >= 3
    assert report.mid_work >= 1, "some imports should commit between kills"


def test_killed_decide_from_file_resumes_without_doubles(tmp_path: Path) -> None:
    review = make_review(tmp_path / "review", n_records=2000)
    # decide writes through sqlite3 in one transaction (about 0.2 s here): the delays
    # start near zero so the harness's shrinking range can still cut a run mid-way.
    report = run_with_kills(decide_cli_scenario(review, 2000), 8, max_delay=3.0,
                            min_delay=0.02, seed=5)
    print("\n" + report.line())
    assert report.problems == []
    # How many kills land before the file is fully loaded depends on machine speed.
    assert report.kills >= 1 and report.mid_work >= 1


# -- the real commands: `reviewflow import` and `reviewflow dedup` --------------------
SAMPLES = ["cnki.ris", "cochrane_central.ris", "embase_ovid.ris", "pubmed_medline.txt",
           "wos_savedrecs.txt"]


def _cli(review: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "reviewflow", "--review", str(review), *args]


def _dedup_state(url: str) -> tuple[dict[int, int], int, int]:
    """Current groups, stored pairs (certain, possible and related) and merge events:
    a clean run's, if safe. A killed run commits nothing, so the re-run is a full run
    (runs only judge records no committed run has seen)."""
    with Store.open(url) as store, store.session() as s:
        merges = s.exec(select(func.count()).select_from(models.DedupDecision)).one()
        pairs = s.exec(select(func.count()).select_from(models.DedupPair)).one()
        return merged_into(s), int(pairs), int(merges)


def cli_import_scenario(review: Path, files: list[Path]) -> Scenario:
    url = load_config(review).database_url()

    def progress() -> int:
        with Store.open(url) as store, store.session() as s:
            return int(s.exec(select(func.count()).select_from(models.RecordRow)).one())

    def complete() -> list[str]:
        with Store.open(url) as store, store.session() as s:
            imports = s.exec(select(models.SearchImport)).all()
        want = sum(i.record_count for i in imports)
        got = progress()
        return ([] if len(imports) == len(files) else [f"{len(imports)} imports"]) + (
            [] if got == want else [f"{got} records stored, imports say {want}"])

    return Scenario("reviewflow import", _cli(review, "import", *map(str, files)),
                    driver_env(), consistency_of(url), complete, progress)


def cli_dedup_scenario(review: Path, reference: tuple[dict[int, int], int, int]) -> Scenario:
    url = load_config(review).database_url()

    def complete() -> list[str]:
        state = _dedup_state(url)
        problems = [] if state[0] == reference[0] else ["groups differ from a clean run"]
        if state[1:] != reference[1:]:
            problems.append(f"pairs/merge events {state[1:]} vs clean run {reference[1:]}")
        return problems

    return Scenario("reviewflow dedup", _cli(review, "dedup"), driver_env(),
                    consistency_of(url), complete, lambda: _dedup_state(url)[2])


def test_killed_real_import_then_dedup(tmp_path: Path) -> None:
    files = [REPO / "sample_exports" / name for name in SAMPLES]
    runner = CliRunner()
    for name in ("clean", "killed"):
        assert runner.invoke(app, ["init", str(tmp_path / name)]).exit_code == 0
    clean = tmp_path / "clean"
    res = runner.invoke(app, ["--review", str(clean), "import", *map(str, files)])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["--review", str(clean), "dedup"]).exit_code == 0
    reference = _dedup_state(load_config(clean).database_url())
    assert reference[2] > 0, "the samples hold duplicates"

    killed = tmp_path / "killed"
    report = run_with_kills(cli_import_scenario(killed, files), 5, max_delay=3.0,
                            min_delay=0.5, seed=11)
    print("\n" + report.line())
    assert report.problems == []
    report = run_with_kills(cli_dedup_scenario(killed, reference), 5, max_delay=3.0,
                            min_delay=0.5, seed=12)
    print(report.line())
    assert report.problems == []
