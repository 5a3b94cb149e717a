"""Pilot tests of "most relevant first": switch-over, the sort key, the background refit,
and the dashboard's stopping estimate."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from reviewflow.screening.prioritise import Prioritiser
from reviewflow.screening.seeds import mark_known_relevant
from reviewflow.screening.state import my_decisions
from reviewflow.stages import TITLE_ABSTRACT as TA
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.screening import ScreeningScreen
from tests.screening.support import decide, make_store, viewer
from tests.tui.support_tui import SIZE, pilot_test, settle, shot

RA_TRIALS = {1, 6, 11, 16}  # support.TITLES cycles every 5: these share record 1's title


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 20)
    yield s
    s.dispose()


async def applied(app: ReviewflowApp, pilot) -> None:  # noqa: ANN001
    """Wait for the refit worker and for the new order to be applied (after a pause)."""
    screen = app.screen
    for _ in range(200):
        await settle(app, pilot)
        if not getattr(screen, "refitting", False):
            return
        await pilot.pause(0.05)
    raise AssertionError("the ranking never arrived")


def remaining(screen: ScreeningScreen) -> list[int]:
    q = screen.queue
    return [i for i in q.ids[q.pos + 1:] if i not in q.mine]


@pilot_test
async def test_order_switches_to_relevance_after_an_include_and_an_exclude(store) -> None:
    ann = viewer(store, "ann")
    app = ReviewflowApp(store, ann, start_stage=TA, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ScreeningScreen)
        await applied(app, pilot)
        assert "order: file (ranks after" in shot(app)
        await pilot.press("i")  # record 1 (RA trial): an include alone is not enough
        await applied(app, pilot)
        assert remaining(screen) == list(range(3, 21)) and screen.queue.current_id == 2
        await pilot.press("e")  # record 2 excluded: now rank
        on_screen = screen.queue.current_id
        await applied(app, pilot)
        assert screen.queue.current_id == on_screen == 3  # the record shown never changes
        assert "order: most relevant first" in shot(app)
        rest = remaining(screen)
        assert sorted(rest) == list(range(4, 21)) and rest != sorted(rest)
        assert set(rest[:3]) == RA_TRIALS - {1}  # like the include, so first
        await pilot.press("e")  # on record 3; the next shown is the top-ranked one
        assert screen.queue.current_id == rest[0]
        with store.session() as s:
            assert my_decisions(s, TA, ann.reviewer_id) == {1: "include", 2: "exclude",
                                                             3: "exclude"}
        child = app._prioritisers[TA]._proc  # the refits ran in a child process ...
        assert child is not None and child.is_alive()
    assert not child.is_alive()  # ... which leaves with the app


@pilot_test
async def test_sort_key_toggles_file_and_relevance_order(store) -> None:
    ann = viewer(store, "ann")
    mark_known_relevant(store, [16])  # a seed alone switches relevance order on
    app = ReviewflowApp(store, ann, start_stage=TA, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await applied(app, pilot)
        assert "order: most relevant first" in shot(app)
        ranked = remaining(screen)
        assert set(ranked[:3]) == RA_TRIALS - {1}  # the seed itself still needs screening
        await pilot.press("s")
        assert "order: file" in shot(app) and "most relevant" not in shot(app)
        assert remaining(screen) == sorted(ranked) and screen.queue.current_id == 1
        await pilot.press("s")
        await applied(app, pilot)
        assert "order: most relevant first" in shot(app)
        assert remaining(screen) == ranked
        await pilot.press("question_mark")
        await pilot.pause()
        assert "order: most relevant first / file" in shot(app)


@pilot_test
async def test_refit_runs_in_a_worker_and_never_blocks_a_decision(store, monkeypatch) -> None:
    ann = viewer(store, "ann")
    decide(store, ann, 1, TA, "include")
    decide(store, ann, 2, TA, "exclude")
    gate, started = threading.Event(), threading.Event()
    slow_threads: list[str] = []
    real_refresh = Prioritiser.refresh

    def slow_refresh(self: Prioritiser):  # noqa: ANN202
        slow_threads.append(threading.current_thread().name)
        started.set()
        assert gate.wait(30), "test never released the refit"
        return real_refresh(self)

    monkeypatch.setattr(Prioritiser, "refresh", slow_refresh)
    app = ReviewflowApp(store, ann, start_stage=TA, poll_seconds=0, ranking_in_process=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert started.wait(10)  # the refit is under way (and stuck) ...
        await pilot.press("i", "e", "i")  # ... yet decisions go through at once
        with store.session() as s:
            assert my_decisions(s, TA, ann.reviewer_id) == {1: "include", 2: "exclude",
                                                             3: "include", 4: "exclude",
                                                             5: "include"}
        assert screen.queue.current_id == 6 and screen.refitting
        assert "order: file (ranking...)" in shot(app)
        assert threading.main_thread().name not in slow_threads
        gate.set()
        await applied(app, pilot)
        assert screen.priority is not None and screen.priority.active
        assert screen.queue.current_id == 6  # applied behind the record on screen
        assert "order: most relevant first" in shot(app)
        assert screen.priority.n_labels == 5  # it saw the decisions made while it waited


@pilot_test
async def test_dashboard_shows_the_stopping_estimate_labelled_as_such(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid in range(1, 9):
        decide(store, ann, rid, TA, "include" if rid in RA_TRIALS else "exclude")
    app = ReviewflowApp(store, ann, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        await settle(app, pilot)
        text = shot(app)
        assert "ESTIMATE (not a count)" in text
        assert "too early (8 of 20 decisions needed); 2 relevant found so far" in text
    for rid in range(9, 21):  # every record screened: the heuristic has its say
        decide(store, ann, rid, TA, "include" if rid in RA_TRIALS else "exclude")
    app = ReviewflowApp(store, ann, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = shot(app)
        assert "ESTIMATE (not a count): about 0.0 relevant records still unseen by you" in text
        assert "consecutive irrelevant" in text
        assert "stopping heuristic: could stop (every record has been screened)" in text
    # Bob has decided nothing: no estimate for him, and he sees none of ann's.
    app = ReviewflowApp(store, bob, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "ESTIMATE" not in shot(app)
