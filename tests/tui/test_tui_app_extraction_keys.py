"""The dashboard opens the extraction, risk-of-bias, discrepancy and analysis screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_review import copy_demo

from reviewflow.screening.blinding import Viewer
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.analysis import AnalysisScreen
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.discrepancies import DiscrepancyScreen
from reviewflow.tui.screens.extraction import ExtractionScreen
from reviewflow.tui.screens.rob_assessment import RobScreen
from tests.tui.support_tui import SIZE, pilot_test, settle, shot


@pytest.fixture(scope="module")
def demo(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_build, tmp_path_factory.mktemp("tui") / "review")


@pilot_test
async def test_dashboard_keys_open_each_extraction_screen(demo: Path) -> None:
    store = Store.open(load_config(demo).database_url())
    person = ensure_reviewer(store, "reviewer_a")
    viewer = Viewer(person.id or 0, person.name, person.role, True)
    app = ReviewflowApp(store, viewer, poll_seconds=0, folder=demo)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, DashboardScreen)
            for key, screen in (("x", ExtractionScreen), ("b", RobScreen),
                                ("v", DiscrepancyScreen), ("a", AnalysisScreen)):
                await pilot.press(key)
                await settle(app, pilot)
                assert isinstance(app.screen, screen), key
                if key == "a":
                    assert "Std. Mean Difference" in shot(app)  # the first analysis, drawn
                await pilot.press("escape")
                await settle(app, pilot)
                assert isinstance(app.screen, DashboardScreen)
    finally:
        store.dispose()


@pilot_test
async def test_reading_screens_store_no_form_version(demo_build: Path, tmp_path: Path) -> None:
    """The analysis and GRADE screens read the edited form; only a screen that writes
    values records it as a new version."""
    from reviewflow.extraction.form import FORM_FILE
    from reviewflow.store.bundle import summarize

    review = copy_demo(demo_build, tmp_path / "review")
    form = review / FORM_FILE
    form.write_text(form.read_text(encoding="utf-8") + "\n[[study_fields]]\nname = "
                    "\"funding\"\ntype = \"text\"\nlabel = \"Funding\"\n", encoding="utf-8")
    store = Store.open(load_config(review).database_url())
    person = ensure_reviewer(store, "reviewer_a")
    viewer = Viewer(person.id or 0, person.name, person.role, True)
    app = ReviewflowApp(store, viewer, poll_seconds=0, folder=review)
    try:
        with store.engine.connect() as conn:
            before = summarize(conn)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            for key in ("a", "e"):
                await pilot.press(key)
                await settle(app, pilot)
                assert not isinstance(app.screen, DashboardScreen), key
                await pilot.press("escape")
                await settle(app, pilot)
        with store.engine.connect() as conn:
            assert summarize(conn) == before
    finally:
        store.dispose()
