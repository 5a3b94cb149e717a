"""The dashboard opens the extraction, risk-of-bias, discrepancy and analysis screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_review import copy_demo
from sqlmodel import select

from reviewflow.screening.blinding import Viewer
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.analysis import AnalysisScreen
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.discrepancies import DiscrepancyScreen
from reviewflow.tui.screens.extraction import ExtractionScreen
from reviewflow.tui.screens.rob_assessment import RobScreen
from tests.screening.support import add_reviewer
from tests.tui.support_tui import SIZE, pilot_test, settle, shot


@pytest.fixture(scope="module")
def demo(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_build, tmp_path_factory.mktemp("tui") / "review")


@pilot_test
async def test_dashboard_keys_open_each_extraction_screen(demo: Path) -> None:
    store = Store.open(load_config(demo).database_url())
    person = add_reviewer(store, "reviewer_a")
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
async def test_opening_screens_stores_no_form_version(demo_build: Path, tmp_path: Path) -> None:
    """Opening the analysis, GRADE, extraction and discrepancy screens on an edited form
    leaves every table as it was; the edited form is stored once, in the transaction of
    the first value written under it, and later values point at that same version."""
    from reviewflow.extraction.form import FORM_FILE
    from reviewflow.store import models
    from reviewflow.store.bundle import summarize
    from reviewflow.tui.screens.extraction import input_id

    review = copy_demo(demo_build, tmp_path / "review")
    form = review / FORM_FILE
    form.write_text(form.read_text(encoding="utf-8") + "\n[[study_fields]]\nname = "
                    "\"funding\"\ntype = \"text\"\nlabel = \"Funding\"\n", encoding="utf-8")
    store = Store.open(load_config(review).database_url())
    person = add_reviewer(store, "reviewer_a")
    viewer = Viewer(person.id or 0, person.name, person.role, True)
    app = ReviewflowApp(store, viewer, poll_seconds=0, folder=review)

    def rows() -> dict:
        with store.engine.connect() as conn:
            return summarize(conn)

    try:
        before = rows()
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            for key, screen in (("a", AnalysisScreen), ("e", None), ("x", ExtractionScreen),
                                ("v", DiscrepancyScreen)):
                await pilot.press(key)
                await settle(app, pilot)
                assert not isinstance(app.screen, DashboardScreen), key
                assert screen is None or isinstance(app.screen, screen), key
                await pilot.press("escape")
                await settle(app, pilot)
            assert rows() == before
            await pilot.press("x")
            await settle(app, pilot)
            for n, text in enumerate(("industry", "public")):
                field = app.screen.query_one("#" + input_id("study/funding"))
                field.focus()
                field.value = text
                await pilot.press("enter")
                await settle(app, pilot)
                after = rows()
                assert after["extraction_form"].rows == before["extraction_form"].rows + 1, n
        with store.session() as s:
            latest = max(s.exec(select(models.ExtractionForm)), key=lambda f: f.id or 0)
            funding = s.exec(select(models.ExtractionValue).where(
                models.ExtractionValue.field_path == "study/funding")).all()
        assert "funding" in latest.definition
        assert [(v.value, v.form_id) for v in funding] == [("industry", latest.id),
                                                           ("public", latest.id)]
    finally:
        store.dispose()
