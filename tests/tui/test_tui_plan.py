"""The dashboard shows the screening plan: the pilot's progress and agreement, then each
screener's allocation (done / allocated); the queue serves a screener their records."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.screening.allocation import close_pilot, run_allocation, start_pilot
from reviewflow.screening.decisions import require_reviewer
from reviewflow.stages import TITLE_ABSTRACT
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.screening import ScreeningScreen
from tests.screening.support import decide, make_store, viewer
from tests.tui.support_tui import SIZE, pilot_test, settle, shot

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

TA = TITLE_ABSTRACT


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 8)
    yield s
    s.dispose()


async def shown(app, pilot, needle: str) -> str:  # type: ignore[no-untyped-def]
    """The screen once it shows ``needle`` (the dashboard counts in a worker thread and
    repaints when it is done: on a busy machine that takes a while)."""
    for _ in range(100):
        await settle(app, pilot)
        text = shot(app)
        if needle in text:
            return text
        await pilot.pause(0.1)
    return text


@pilot_test
async def test_dashboard_shows_pilot_then_allocation(store) -> None:
    ann, bob, cat = (viewer(store, n) for n in ("ann", "bob", "cat"))
    viewer(store, "ari", "arbiter")
    with store.write() as s:
        pilot = sorted(start_pilot(session=s, stage=TA, by=require_reviewer(s, "ari"), seed=3,
                                   size=2).records)
    for who in (ann, bob):
        decide(store, who, pilot[0], TA, "include")
        decide(store, who, pilot[1], TA, "exclude")
    decide(store, cat, pilot[0], TA, "include")
    app = ReviewflowApp(store, ann, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot_:
        assert isinstance(app.screen, DashboardScreen)
        text = await shown(app, pilot_, "Pilot:")
        assert "Pilot: 2 records, open; done: ann 2/2, bob 2/2, cat 1/2" in text
        assert "ann-bob kappa 1.00 (n=2)" in text
        assert "Title/abstract: 8 records, 0 left for you" in text  # only the pilot, done
        await pilot_.press("t")
        assert isinstance(app.screen, ScreeningScreen)
        assert sorted(app.screen.queue.ids) == pilot
        await pilot_.press("escape")
        decide(store, cat, pilot[1], TA, "include")  # "another terminal"
        with store.write() as s:
            close_pilot(session=s, stage=TA, by=require_reviewer(s, "ari"))
            run_allocation(session=s, stage=TA, by=require_reviewer(s, "ari"), seed=1)
        text = await shown(app, pilot_, "Allocated")
        assert "Pilot: 2 records, closed by ari" in text
        assert "Fleiss kappa" in text
        assert "Allocated (done/allocated): ann 0/4, bob 0/4, cat 0/4" in text
        assert "4 left for you" in text
        await pilot_.press("q")
