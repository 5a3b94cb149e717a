"""Pilot tests of the dashboard, conflicts and duplicate-review screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from reviewflow.screening.dedup_review import waiting_pair_ids
from reviewflow.screening.state import record_votes
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.dedup_state import active_record_ids
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.conflicts import ConflictsScreen
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.duplicates import DuplicatesScreen
from reviewflow.tui.screens.screening import ScreeningScreen
from tests.screening.support import add_pair, decide, make_store, viewer
from tests.tui.support_tui import SIZE, pilot_test, settle, shot

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

TA, FT = TITLE_ABSTRACT, FULL_TEXT


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 6)
    yield s
    s.dispose()


@pilot_test
async def test_dashboard_shows_progress_and_notices_other_terminal(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, ann, 1, TA, "include")
    decide(store, bob, 1, TA, "exclude")
    decide(store, ann, 2, TA, "include")
    decide(store, bob, 2, TA, "include")
    add_pair(store, 3, 4)
    app = ReviewflowApp(store, ann, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        await settle(app, pilot)
        text = shot(app)
        assert "Conflicts waiting: 1" in text and "duplicate pairs waiting: 1" in text
        assert "Agreement ann/bob on 2 records: 50.0 %" in text and "kappa 0.00" in text
        assert "Full text: 1 record, " in text
        decide(store, bob, 3, TA, "exclude")  # "another terminal"
        await pilot.pause(0.3)
        await settle(app, pilot)
        assert "│bob" in shot(app) and "3 (50 %)" in shot(app)
        await pilot.press("question_mark")
        assert "duplicate review" in shot(app)
        await pilot.press("escape", "t")
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("escape", "c")
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("escape", "d")
        assert isinstance(app.screen, DuplicatesScreen)
        await pilot.press("escape", "f")
        assert isinstance(app.screen, ScreeningScreen) and app.screen.queue.ids == [2]
        await pilot.press("escape", "q")
    assert app.return_code == 0


def _conflicted(store):
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, ann, 1, TA, "include", note="looks randomised")
    decide(store, bob, 1, TA, "exclude", note="case series")
    decide(store, ann, 2, TA, "maybe")
    decide(store, bob, 2, TA, "exclude")
    for rid in (3, 4):
        decide(store, ann, rid, TA, "include")
        decide(store, bob, rid, TA, "include")
    decide(store, ann, 3, FT, "exclude", reason="wrong population")
    decide(store, bob, 3, FT, "exclude", reason="not randomised")
    return ann, bob


@pilot_test
async def test_conflicts_side_by_side_and_consensus(store) -> None:
    ann, _ = _conflicted(store)
    app = ReviewflowApp(store, ann, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        text = shot(app)
        assert "looks randomised" in text and "case series" in text
        assert "#1" in text and "#2" in text and "#3" in text
        await pilot.press("i", "x")     # a stray key cancels: nothing resolved
        with store.session() as s:
            assert record_votes(s, 1, TA).resolution is None
        await pilot.press("o", *"talked it over", "enter", "i", "y")   # record 1 -> include
        await pilot.press("e", "enter")                                 # record 2 -> exclude
        await pilot.press("e", "2", "y")                                # record 3 (FT) -> reason
        assert "No conflicts waiting" in shot(app)
    with store.session() as s:
        r1, r2, r3 = (record_votes(s, 1, TA), record_votes(s, 2, TA), record_votes(s, 3, FT))
    assert (r1.resolution.decision, r1.resolution.method, r1.resolution.note) == (
        "include", "consensus", "talked it over")
    assert r2.outcome == "exclude" and r3.resolution.reason == "wrong intervention"


@pilot_test
async def test_arbiter_resolves_as_arbiter_and_sees_all(store) -> None:
    _conflicted(store)
    carol = viewer(store, "carol", "arbiter")
    dan = viewer(store, "dan")  # a third screener sees no one else's conflicts
    app = ReviewflowApp(store, dan, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert "No conflicts waiting" in shot(app) and "case series" not in shot(app)
    app = ReviewflowApp(store, carol, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "m", "y")
    with store.session() as s:
        res = record_votes(s, 1, TA).resolution
    assert (res.decision, res.method, res.resolved_by) == ("maybe", "arbiter", "carol")


@pilot_test
async def test_duplicate_review_keys(store) -> None:
    ann = viewer(store, "ann")
    p1, p2, p3 = add_pair(store, 1, 6, 0.99), add_pair(store, 2, 5, 0.9), add_pair(store, 3, 4, 0.8)
    app = ReviewflowApp(store, ann, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        text = shot(app)
        assert "3 pairs waiting" in text and "title ≠" in text and f"Pair {p1}" in text
        await pilot.press("d")   # p1 duplicate -> merge
        await pilot.press("s")   # p2 skipped
        await pilot.press("n")   # p3 distinct
        assert f"Pair {p2}" in shot(app)
        with store.session() as s:
            assert 6 not in active_record_ids(s) and waiting_pair_ids(s) == [p2]
        await pilot.press("u")   # undo distinct on p3
        await pilot.press("u")   # undo merge on p1
        with store.session() as s:
            assert 6 in active_record_ids(s) and waiting_pair_ids(s) == [p1, p2, p3]
            rows = s.exec(select(models.DedupDecision.action, models.DedupDecision.method)
                          .order_by(models.DedupDecision.id)).all()
        assert rows == [("merge", "manual"), ("distinct", "manual"), ("reopen", "manual"),
                        ("unmerge", "manual")]


@pilot_test
async def test_duplicate_pair_shows_the_english_title_beside_the_original(store) -> None:
    with store.write() as s:
        zh = s.get(models.RecordRow, 1)
        zh.title, zh.language = "脐带间充质干细胞治疗系统性红斑狼疮", "chi"
        zh.translated_title = "Umbilical cord MSC for systemic lupus erythematosus"
        en = s.get(models.RecordRow, 6)
        en.title = "Umbilical cord MSC for systemic lupus erythematosus"
    add_pair(store, 1, 6, 0.99)
    app = ReviewflowApp(store, viewer(store, "ann"), poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        text = shot(app)
        rows = [line for line in text.splitlines() if "english" in line]
        assert len(rows) == 1 and rows[0].count("Umbilical cord MSC for systemic") == 2
        assert "language" in text and "chi" in text and "红斑狼疮" in text
