"""Teams on one store: throughput with concurrent writers, SIGKILL survival, fuzz.

    python bench/bench_concurrency.py [--quick] [--per-writer N] [--kills N] [--fuzz N]
        [--throughput-only]

Prints decisions/s with 1, 2 and 4 concurrent writer processes (plus a dashboard
reader) on SQLite and, when a server answers, PostgreSQL, with the ratio against
one writer measured in the same run; each write's latency (p50, p99, max, the
ratios against one writer) and the writers' fairness (shortest writer's time over
the longest's: 1.0 shared evenly, 1/writers one ran while the others waited), on
SQLite first without the write turn (reviewflow.store.write_turn) as the baseline;
how many SIGKILLs the decision, stand-in import and real ``decide --from`` runs
survived with nothing lost or doubled; and how many fuzzed decide CSVs were tried.
The test suite runs the same code
smaller (tests/teams).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "teams")]

from crash_harness import run_with_kills  # noqa: E402
from store_backend import create_pg_database, drop_pg_database, pg_unavailable  # noqa: E402
from store_drivers import run_writers  # noqa: E402
from test_teams_crash import (  # noqa: E402
    SAMPLES,
    _dedup_state,
    cli_dedup_scenario,
    cli_import_scenario,
    decide_cli_scenario,
    decision_scenario,
    import_scenario,
)

from reviewflow.store.db import Store  # noqa: E402
from reviewflow.store.location import ReviewConfig  # noqa: E402
from tests.screening.support import fill  # noqa: E402


class Backends:
    """Fresh databases on SQLite (files in a temp folder) and PostgreSQL (dropped after)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.pg_reason = pg_unavailable()
        self.made: list[str] = []

    def names(self) -> list[str]:
        return ["sqlite"] + ([] if self.pg_reason else ["postgres"])

    def new(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.work / f'db-{len(list(self.work.iterdir()))}.db'}"
        url = create_pg_database()
        self.made.append(url)
        return url

    def close(self) -> None:
        for url in self.made:
            drop_pg_database(url)


def throughput(b: Backends, per_writer: int) -> None:
    print(f"\n== decisions/s, record_decision, {per_writer} per writer, 1 dashboard reader")
    runs = [(name, "1") for name in b.names()]
    runs.insert(0, ("sqlite", "0"))  # the baseline: SQLite's busy handler picks the writer
    for backend, turn in runs:
        base = None
        os.environ["REVIEWFLOW_SQLITE_WRITE_TURN"] = turn  # read by the writer processes
        label = backend if turn == "1" or backend != "sqlite" else "sqlite (no write turn)"
        print(f"-- {label}")
        for writers in (1, 2, 4):
            url = b.new(backend)
            Store.create(url, title="bench").dispose()
            r = run_writers(url, writers, per_writer, b.work)
            bad = [k for k, v in r["workers"].items() if v["code"] != 0]
            base = base or (r["decisions_per_s"] or 1.0, r["p99_write_latency"] or 1e-9,
                            r["max_write_latency"] or 1e-9)
            reader = r["workers"]["reader"]["figures"]
            print(f"{backend:8} {writers} writer(s): {r['decisions_per_s']:7.0f} decisions/s "
                  f"(x{r['decisions_per_s'] / base[0]:.2f} vs 1 writer); write latency p50 "
                  f"{r['p50_write_latency'] * 1000:.1f} ms, p99 "
                  f"{r['p99_write_latency'] * 1000:.1f} ms (x{r['p99_write_latency'] / base[1]:.1f}"
                  f"), max {r['max_write_latency'] * 1000:.0f} ms "
                  f"(x{r['max_write_latency'] / base[2]:.1f}); fairness {r['fairness']:.2f}; "
                  f"reader loops {reader.get('loops', 0)}, torn reads {reader.get('torn')}"
                  + (f", FAILED: {bad}" if bad else ""))


def kills(b: Backends, n: int) -> None:
    print(f"\n== SIGKILL at random moments ({n} per scenario)")
    total, lost = 0, 0
    for backend in b.names():
        scenarios = []
        url = b.new(backend)
        Store.create(url, title="bench").dispose()
        scenarios.append((decision_scenario(url, 3000), 1.5, 0.0, True))
        url = b.new(backend)
        Store.create(url, title="bench").dispose()
        scenarios.append((import_scenario(url, n + 4, 1500), 1.5, 0.0, True))
        scenarios.append((decide_cli_scenario(_review(b, backend), 1500), 4.0, 1.0, False))
        for scenario, max_delay, min_delay, _ in scenarios + _real_commands(b, backend):
            report = run_with_kills(scenario, n, max_delay, seed=n, min_delay=min_delay)
            total += report.kills
            lost += bool(report.problems)
            print(f"{backend:8} {report.line()}")
            for problem in report.problems[:5]:
                print(f"         ! {problem}")
    print(f"kills survived with nothing lost or doubled: {total}; scenarios with problems: "
          f"{lost}")


def _real_commands(b: Backends, backend: str) -> list[tuple]:
    """``reviewflow import`` then ``reviewflow dedup`` on the sample exports.

    Built lazily: the dedup scenario's reference is a clean run made first.
    """
    from typer.testing import CliRunner

    from reviewflow.cli.main import app
    from reviewflow.store.location import load_config

    files = [str(REPO / "sample_exports" / n) for n in SAMPLES]
    runner = CliRunner()
    clean, killed = _empty_review(b, backend), _empty_review(b, backend)
    runner.invoke(app, ["--review", str(clean), "import", *files])
    runner.invoke(app, ["--review", str(clean), "dedup"])
    reference = _dedup_state(load_config(clean).database_url())
    return [(cli_import_scenario(killed, [Path(f) for f in files]), 3.0, 0.5, False),
            (cli_dedup_scenario(killed, reference), 3.0, 0.5, False)]


def _empty_review(b: Backends, backend: str) -> Path:
    folder = b.work / f"review-{backend}-{time.monotonic_ns()}"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="bench")
    if backend == "postgres":
        config.db_url = b.new(backend)
    Store.create(config.database_url(), title="bench").dispose()
    config.save()
    return folder


def _review(b: Backends, backend: str) -> Path:
    folder = b.work / f"review-{backend}-{time.monotonic_ns()}"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="bench")
    if backend == "postgres":
        config.db_url = b.new(backend)
    fill(Store.create(config.database_url(), title="bench"), 1500).dispose()
    config.save()
    return folder


def fuzz(b: Backends, n: int) -> None:
    """Random decide CSVs through the real CLI: loaded whole, or one-line refusal."""
    from typer.testing import CliRunner

    from reviewflow.cli.main import app
    from reviewflow.errors import ReviewflowError

    review = _review(b, "sqlite")
    rng = random.Random(7)
    pieces = ["1", "2", "15", "-3", "x", "", "include", "exclude", "maybe", "Included",
              "retracted", '"a,b"', '"multi\nline"', "ünï", "\x00", "record_id", "decision"]
    outcome = {"loaded": 0, "refused": 0, "crashed": 0}
    runner = CliRunner()
    start = time.perf_counter()
    for i in range(n):
        header = rng.choice(["record_id,decision,reason,note", "decision,record_id", "id,x"])
        rows = [",".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
                for _ in range(rng.randint(0, 6))]
        raw = "\n".join([header, *rows]).encode()
        if rng.random() < 0.15:
            raw += bytes(rng.randrange(256) for _ in range(8))
        path = b.work / f"fuzz-{i}.csv"
        path.write_bytes(raw)
        res = runner.invoke(app, ["decide", "--reviewer", "f", "--stage", "title-abstract",
                                  "--from", str(path), "--review", str(review)])
        if res.exit_code == 0:
            outcome["loaded"] += 1
        elif res.exit_code == 1 and isinstance(res.exception, ReviewflowError):
            outcome["refused"] += 1
        else:
            outcome["crashed"] += 1
            print(f"  crash on {raw!r}: {res.exception!r}")
    print(f"\n== fuzz: {n} decide CSV inputs tried in {time.perf_counter() - start:.0f} s: "
          f"{outcome['loaded']} loaded, {outcome['refused']} refused (one line), "
          f"{outcome['crashed']} tracebacks")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    p.add_argument("--per-writer", type=int, default=None)
    p.add_argument("--kills", type=int, default=None)
    p.add_argument("--fuzz", type=int, default=None)
    p.add_argument("--throughput-only", action="store_true",
                   help="only the writers' throughput, latency and fairness")
    a = p.parse_args()
    per_writer = a.per_writer or (200 if a.quick else 500)
    n_kills = a.kills or (2 if a.quick else 5)
    n_fuzz = a.fuzz if a.fuzz is not None else (50 if a.quick else 150)
    with tempfile.TemporaryDirectory(prefix="rf-bench-") as tmp:
        b = Backends(Path(tmp))
        if b.pg_reason:
            print(f"(PostgreSQL skipped: {b.pg_reason})")
        try:
            throughput(b, per_writer)
            if not a.throughput_only:
                kills(b, n_kills)
                fuzz(b, n_fuzz)
        finally:
            b.close()


if __name__ == "__main__":
    main()
