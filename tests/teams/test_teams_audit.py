"""Audit trail: ``history RECORD_ID`` and ``export decisions --format csv``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from review_fill import fill
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.db import Store

runner = CliRunner()


def test_history_lists_every_event_in_time_order(review_dir: Path, store: Store) -> None:
    ids = fill(store)
    res = runner.invoke(app, ["history", str(ids["first"]), "--json", "--review",
                              str(review_dir)])
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in res.output.splitlines()]
    kinds = [e["kind"] for e in events]
    # merge/unmerge were dated in the past, the resolution in the future.
    assert kinds[:2] == ["merge", "unmerge"]
    assert kinds[-1] == "resolution"
    assert kinds.count("decision") == 3  # bob's change of mind is kept, not overwritten
    decisions = [(e["who"], e["action"]) for e in events if e["kind"] == "decision"]
    assert decisions == [("alice", "include"), ("bob", "exclude"), ("bob", "maybe")]
    assert events[0]["who"] == "auto" and events[1]["who"] == "alice"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert events[-1]["who"] == "carol"


def test_history_table_and_merged_side(review_dir: Path, store: Store) -> None:
    ids = fill(store)
    res = runner.invoke(app, ["history", str(ids["second"]), "--review", str(review_dir)])
    assert res.exit_code == 0, res.output
    assert f"Record {ids['second']}: 3 events" in res.output and "unmerge" in res.output
    res = runner.invoke(app, ["history", str(ids["second"]), "--json", "--review",
                              str(review_dir)])
    details = [json.loads(line)["detail"] for line in res.output.splitlines()]
    assert details[:2] == [f"merged into record {ids['first']}",
                           f"split from record {ids['first']}"]


def test_history_of_missing_record_is_a_one_line_error(review_dir: Path) -> None:
    res = runner.invoke(app, ["history", "999", "--review", str(review_dir)])
    assert res.exit_code == 1
    assert "record 999 does not exist" in str(res.exception)


def test_export_decisions_csv_has_every_event(review_dir: Path, store: Store,
                                              tmp_path: Path) -> None:
    fill(store)
    out = tmp_path / "decisions.csv"
    res = runner.invoke(app, ["export", "decisions", "--format", "csv", "--out", str(out),
                              "--review", str(review_dir)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    for col in ("record_id", "stage", "reviewer", "decision", "reason", "note", "at"):
        assert col in rows[0]
    with store.session() as s:
        n_dec = s.exec(select(func.count()).select_from(models.ScreeningDecision)).one()
        n_res = s.exec(select(func.count()).select_from(models.ConflictResolution)).one()
    assert len(rows) == n_dec + n_res
    assert [r["kind"] for r in rows].count("resolution") == n_res
    assert all(r["at"].endswith("Z") for r in rows)
    assert {"exclude", "maybe", "include"} <= {r["decision"] for r in rows}
    assert not (tmp_path / "decisions.csv.partial").exists()


def test_export_decisions_to_stdout_and_bad_format(review_dir: Path, store: Store) -> None:
    fill(store, records=2)
    res = runner.invoke(app, ["export", "decisions", "--review", str(review_dir)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 4 + 1
    res = runner.invoke(app, ["export", "decisions", "--format", "xml", "--review",
                              str(review_dir)])
    assert res.exit_code == 1
