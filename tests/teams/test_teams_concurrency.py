"""Several reviewers writing at once: nothing lost, nothing doubled, no lock errors.

Real processes (not threads) each record decisions at full speed through
``record_decision`` -- the path the TUI and ``decide`` use -- while a dashboard
process reads ``status_summary`` in a loop. How long a write waits is a figure of
``bench/bench_concurrency.py`` (against one writer in the same run), not asserted here.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func
from sqlmodel import select
from store_drivers import run_writers

from reviewflow.store import models
from reviewflow.store.consistency import check_consistency
from reviewflow.store.db import Store

PER_WRITER = 5_000
# Four PostgreSQL writers race for several seconds at this count already: without
# Store.session's one snapshot most of the reader's loops see two states by 300 each.
PER_PG_WRITER = 1_500


def _race(url: str, writers: int, tmp_path: Path, per_writer: int = PER_WRITER) -> dict:
    Store.create(url, title="race").dispose()
    result = run_writers(url, writers, per_writer, tmp_path)
    for name, worker in result["workers"].items():
        assert worker["code"] == 0, f"{name} failed:\n{worker['stderr']}"
        assert "Traceback" not in worker["stderr"], worker["stderr"]
        assert "locked" not in worker["stderr"].lower(), worker["stderr"]
    d = models.ScreeningDecision
    with Store.open(url) as store:
        assert check_consistency(store) == []
        with store.session() as s:
            total = s.exec(select(func.count()).select_from(d)).one()
            distinct = s.exec(select(func.count()).select_from(
                select(d.record_id, d.stage, d.reviewer_id).distinct().subquery())).one()
            per_reviewer = dict(s.exec(select(d.reviewer_id, func.count()).group_by(
                d.reviewer_id)).all())
    assert total == writers * per_writer
    assert distinct == total, "a decision was stored twice"
    assert sorted(per_reviewer.values()) == [per_writer] * writers
    print(f"\n{writers} writers on {url.split(':')[0]}: {result['decisions_per_s']:.0f} "
          f"decisions/s, max write latency {result['max_write_latency'] * 1000:.0f} ms, "
          f"reader loops {result['workers']['reader']['figures']['loops']}")
    reader = result["workers"]["reader"]["figures"]
    assert reader["loops"] > 0, "the reader never read"
    # One snapshot per read session (on PostgreSQL: Store.session's REPEATABLE READ).
    assert reader["torn"] == 0, "a read saw two states in one transaction"
    assert reader["backwards"] == 0, "a committed decision disappeared from a later read"
    assert reader["last_count"] <= total
    return result


def test_two_sqlite_writers_and_a_reader(tmp_path: Path) -> None:
    _race(f"sqlite:///{tmp_path / 'race.db'}", 2, tmp_path)


def test_four_postgres_writers_and_a_reader(pg_url: str, tmp_path: Path) -> None:
    _race(pg_url, 4, tmp_path, PER_PG_WRITER)
