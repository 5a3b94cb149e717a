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
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.store import models
from reviewflow.store.db import Store

runner = CliRunner()


def test_history_lists_every_event_in_time_order(review_dir: Path, store: Store) -> None:
    ids = fill(store)
    res = runner.invoke(app, ["history", str(ids["first"]), "--json", "--as", "carol",
                              "--review", str(review_dir)])
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in res.output.splitlines()]
    kinds = [e["kind"] for e in events]
    # merge/unmerge were dated in the past, the resolution in the future.
    assert kinds[:2] == ["merge", "unmerge"]
    assert kinds[-1] == "resolution"
    assert kinds.count("decision") == 3  # bob's change of mind is kept, not overwritten
    decisions = [(e["who"], e["action"]) for e in events if e["kind"] == "decision"]
    assert decisions == [("bob", "exclude"), ("bob", "maybe"), ("alice", "include")]
    assert events[0]["who"] == "auto" and events[1]["who"] == "alice"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert events[-1]["who"] == "carol"


def test_history_table_and_merged_side(review_dir: Path, store: Store) -> None:
    ids = fill(store)
    res = runner.invoke(app, ["history", str(ids["second"]), "--as", "carol", "--review",
                              str(review_dir)])
    assert res.exit_code == 0, res.output
    assert f"Record {ids['second']}: 3 events" in res.output and "unmerge" in res.output
    res = runner.invoke(app, ["history", str(ids["second"]), "--json", "--as", "carol",
                              "--review", str(review_dir)])
    details = [json.loads(line)["detail"] for line in res.output.splitlines()]
    assert details[:2] == [f"merged into record {ids['first']}",
                           f"split from record {ids['first']}"]


def test_history_of_missing_record_is_a_one_line_error(review_dir: Path, store: Store) -> None:
    with store.write() as s:
        ensure_reviewer(session=s, name="carol", role="arbiter")
    res = runner.invoke(app, ["history", "999", "--as", "carol", "--review", str(review_dir)])
    assert res.exit_code == 1
    assert "record 999 does not exist" in str(res.exception)


def test_export_decisions_csv_has_every_event(review_dir: Path, store: Store,
                                              tmp_path: Path) -> None:
    fill(store)
    out = tmp_path / "decisions.csv"
    res = runner.invoke(app, ["export", "decisions", "--format", "csv", "--out", str(out),
                              "--as", "carol", "--review", str(review_dir)])
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
    res = runner.invoke(app, ["export", "decisions", "--as", "carol", "--review",
                              str(review_dir)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 4 + 1
    res = runner.invoke(app, ["export", "decisions", "--format", "xml", "--review",
                              str(review_dir)])
    assert res.exit_code == 1


def _history(review_dir: Path, record_id: int, *who: str) -> list[dict[str, object]]:
    res = runner.invoke(app, ["history", str(record_id), "--json", *who, "--review",
                              str(review_dir)])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.output.splitlines()]


def test_blind_audit_trail_needs_a_viewer_and_hides_undecided_votes(
        review_dir: Path, store: Store) -> None:
    """History is where a screener looks up their own vote: it must not show the other's."""
    ids = fill(store)
    for cmd in (["history", str(ids["second"])], ["export", "decisions"]):
        res = runner.invoke(app, [*cmd, "--review", str(review_dir)])
        assert res.exit_code == 1
        assert "--as NAME" in str(res.exception)
    # bob never decided the second record: alice's exclusion stays hidden from him ...
    bob_view = _history(review_dir, ids["second"], "--as", "bob")
    assert [e["who"] for e in bob_view if e["kind"] == "decision"] == []
    assert {e["kind"] for e in bob_view} == {"merge", "unmerge"}  # dedup events are not votes
    # ... while alice sees her own, and the arbiter sees it too.
    alice_view = _history(review_dir, ids["second"], "--as", "alice")
    assert [e["who"] for e in alice_view if e["kind"] == "decision"] == ["alice"]
    # Both decided the first record, so each sees everything on it, resolution included.
    full = _history(review_dir, ids["first"], "--as", "carol")
    assert _history(review_dir, ids["first"], "--as", "bob") == full
    assert _history(review_dir, ids["first"], "--as", "alice") == full


def test_blind_export_decisions_for_a_screener(review_dir: Path, store: Store) -> None:
    ids = fill(store)
    res = runner.invoke(app, ["export", "decisions", "--as", "bob", "--review",
                              str(review_dir)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    seen = {(r["reviewer"], r["record_id"]) for r in rows if r["kind"] == "decision"}
    assert ("alice", str(ids["first"])) in seen  # decided by bob too
    assert not any(who == "alice" and rec != str(ids["first"]) for who, rec in seen)
    assert [r["kind"] for r in rows].count("resolution") == 1


def _blind_off(store: Store) -> None:
    """Blind mode is a rule in the store, changed by the arbiter (audited)."""
    from reviewflow.review_state.policy import change_policy
    from reviewflow.screening.decisions import require_reviewer

    with store.write() as s:
        change_policy(session=s, changed_by=require_reviewer(s, "carol"), blind=False)


def test_audit_trail_without_viewer_when_blind_mode_is_off(review_dir: Path,
                                                           store: Store) -> None:
    ids = fill(store)
    _blind_off(store)
    events = _history(review_dir, ids["second"])
    assert [e["who"] for e in events if e["kind"] == "decision"] == ["alice"]
    # and nobody's view is filtered then, a screener's included
    assert _history(review_dir, ids["second"], "--as", "bob") == events


def _status(review_dir: Path, *who: str) -> dict:
    res = runner.invoke(app, ["status", "--json", *who, "--review", str(review_dir)])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)["stages"]["title_abstract"]["reviewers"]


def test_status_counts_follow_the_blinding_rule(review_dir: Path, store: Store) -> None:
    """Counts reveal calls too (one decided record, one include): status shows them
    only to their owner and the arbiter while screening is blind."""
    fill(store)
    assert _status(review_dir) == {"alice": {"decided": 6}, "bob": {"decided": 1}}
    bob = _status(review_dir, "--as", "bob")
    assert bob["bob"] == {"maybe": 1, "decided": 1} and bob["alice"] == {"decided": 6}
    full = _status(review_dir, "--as", "carol")
    assert full["alice"] == {"exclude": 5, "include": 1, "decided": 6}
    res = runner.invoke(app, ["status", "--review", str(review_dir)])
    assert "hidden while screening is blind" in res.output
    _blind_off(store)
    assert _status(review_dir) == full
