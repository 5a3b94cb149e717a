"""A new reviewer's first day (issue 22): keys that must not surprise, as Pilot scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from reviewflow.extraction.rob import ROB1
from reviewflow.extraction.values import reviewer_values
from reviewflow.screening.state import record_votes
from reviewflow.stages import TITLE_ABSTRACT
from reviewflow.store.db import Store
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.confirm import ConfirmPrompt
from reviewflow.tui.screens.conflicts import ConflictsScreen
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.extraction import ExtractionScreen, input_id
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.screens.rob_assessment import RobScreen
from reviewflow.tui.screens.screening import ScreeningScreen
from reviewflow.tui.widgets.clip import clip
from tests.extraction.forms import form_now, new_study
from tests.screening.support import add_reviewer, decide, make_store, viewer
from tests.tui.support_tui import SIZE, Host, pilot_test, settle, shot

pytestmark = pytest.mark.store

TA = TITLE_ABSTRACT


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 6)
    yield s
    s.dispose()


def _stored(store: Store, reviewer: str, path: str) -> str | None:
    rid = add_reviewer(store, reviewer).id
    with store.session() as s:
        return next((v for (_sid, r, p), v in reviewer_values(s).items()
                     if r == rid and p == path), None)


@pilot_test
async def test_help_key_never_types_into_a_field_and_text_is_not_selected(store) -> None:
    new_study(store, "Alda 2018")
    form_id, form = form_now(store)
    screen = ExtractionScreen(store, form, form_id, "alice")
    app = Host(screen)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        country = screen.query_one(f"#{input_id('study/country')}", Input)
        assert app.focused is country
        await pilot.press(*"Norway", "tab")
        await pilot.pause()
        assert _stored(store, "alice", "study/country") == "Norway"
        country.focus()
        await pilot.pause()
        assert country.selected_text == ""  # focus does not select: a key does not replace
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert country.value == "Norway"
        await pilot.press("tab")
        await pilot.pause()
        assert _stored(store, "alice", "study/country") == "Norway"


@pilot_test
async def test_rob_hint_shows_whole_at_160_columns_and_help_opens(store) -> None:
    new_study(store, "Alda 2018")
    screen = RobScreen(store, ROB1, "alice")
    app = Host(screen)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert "low / unclear / high" in shot(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "tab")  # into the support text: "?" is a question mark
        await pilot.press(*"why?")
        support = screen.query_one(f"#s-{ROB1.domains[0].id}", Input)
        assert support.value == "why?" and not isinstance(app.screen, HelpScreen)


def _screening(store, who) -> ReviewflowApp:
    return ReviewflowApp(store, who, start_stage=TA, poll_seconds=0, prioritise=False)


@pilot_test
async def test_q_quits_and_the_footer_says_so(store) -> None:
    app = _screening(store, viewer(store, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ScreeningScreen)
        assert "back  q  quit" in shot(app)  # one line at 120 columns
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running


@pilot_test
async def test_ctrl_c_quits_and_asks_before_losing_a_typed_note(store) -> None:
    app = _screening(store, viewer(store, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o", *"quite a question?")  # q and ? type into a note
        note = app.screen.query_one("#note", Input)
        assert note.value == "quite a question?"
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmPrompt) and "lose the note" in shot(app)
        await pilot.press("n")  # no: back, the note kept
        await pilot.pause()
        assert isinstance(app.screen, ScreeningScreen) and app.is_running
        assert app.screen.query_one("#note", Input).value == "quite a question?"
        await pilot.press("ctrl+c", "y")
        await pilot.pause()
    assert not app.is_running


@pilot_test
async def test_ctrl_c_on_the_dashboard_quits_at_once(store) -> None:
    app = ReviewflowApp(store, viewer(store, "ann"), poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert not app.is_running


@pilot_test
async def test_a_periodic_refresh_never_dismisses_a_dialog(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid, (a, b) in {1: ("include", "exclude"), 2: ("maybe", "exclude")}.items():
        decide(store, ann, rid, TA, a)
        decide(store, bob, rid, TA, b)
    carol = viewer(store, "carol", "arbiter")
    app = ReviewflowApp(store, carol, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmPrompt) and "Resolve record 1" in shot(app)
        # other terminals work meanwhile: a new conflict, a new reviewer; many polls pass
        decide(store, ann, 3, TA, "include")
        decide(store, bob, 3, TA, "exclude")
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmPrompt) and "Resolve record 1" in shot(app)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.pause(0.3)  # the list catches up once the dialog is gone
        assert "#3" in shot(app) and "#1 " not in shot(app)
    with store.session() as s:
        assert record_votes(s, 1, TA).resolution.decision == "exclude"


@pilot_test
async def test_the_dashboard_refresh_leaves_its_help_open(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    app = ReviewflowApp(store, ann, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        decide(store, bob, 1, TA, "include")
        await pilot.pause(0.4)
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)


def test_clip_cuts_at_a_word_with_an_ellipsis() -> None:
    title = "Mesenchymal stem cells in lupus nephritis: a randomised controlled trial"
    assert clip(title, 200) == title
    cut = clip(title, 40)
    assert cut.endswith("…") and len(cut) <= 40
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "  # a whole word kept
    assert clip("x" * 50, 10) == "x" * 9 + "…"  # one long word: cut, still marked


@pilot_test
async def test_a_poll_never_supersedes_a_refresh_still_computing(
        store, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a review whose dashboard takes longer to compute than the poll interval, the
    refresh under way finishes and is shown; polls meanwhile start nothing."""
    import threading
    import time

    from reviewflow.tui.screens import dashboard as board

    started: list[float] = []
    slow_once, release = threading.Event(), threading.Event()
    real = board.DashboardScreen._compute

    def slow(self: board.DashboardScreen, force: bool) -> None:
        started.append(time.monotonic())
        if not slow_once.is_set():
            slow_once.set()
            release.wait(30)  # held until the test has watched the polls pass
        real(self, force)

    monkeypatch.setattr(board.DashboardScreen, "_compute", slow)
    app = ReviewflowApp(store, viewer(store, "ann"), poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):  # the first refresh under way (however loaded the machine)
            if started:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.3)  # six polls or more while it computes
        assert len(started) == 1  # the slow first refresh, alone
        release.set()
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert "ann" in shot(app) and "Title/abstract" in shot(app), shot(app)
    assert [w for w in app.workers if w.is_cancelled] == []
