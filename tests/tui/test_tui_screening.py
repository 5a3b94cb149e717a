"""Pilot tests of the screening screen: every key, asserting on the store afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text

from reviewflow.screening.settings import ScreeningSettings, load_settings
from reviewflow.screening.state import my_decisions, record_votes
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.screening import ScreeningScreen
from reviewflow.tui.widgets.record_view import EXCLUDE_STYLE, INCLUDE_STYLE
from tests.screening.support import decide, make_store, viewer
from tests.tui.support_tui import SIZE, pilot_test, settle, shot

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

TA, FT = TITLE_ABSTRACT, FULL_TEXT


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 6)
    yield s
    s.dispose()


def app_for(store, who, stage=TA, **kw) -> ReviewflowApp:
    # These tests walk the records in file order; relevance order has its own tests.
    kw.setdefault("prioritise", False)
    return ReviewflowApp(store, who, start_stage=stage, poll_seconds=0, **kw)


def mine(store, who, stage=TA) -> dict[int, str]:
    with store.session() as s:
        return my_decisions(s, stage, who.reviewer_id)


@pilot_test
async def test_include_exclude_maybe_and_undo(store) -> None:
    ann = viewer(store, "ann")
    app = app_for(store, ann)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ScreeningScreen)
        await pilot.press("i", "e", "m")
        assert mine(store, ann) == {1: "include", 2: "exclude", 3: "maybe"}
        assert app.screen.queue.current_id == 4
        await pilot.press("u")
        assert mine(store, ann) == {1: "include", 2: "exclude"}
        assert app.screen.queue.current_id == 3
        await pilot.press("u", "u")
        assert mine(store, ann) == {}
        assert app.screen.queue.current_id == 1


@pilot_test
async def test_navigation_note_and_search(store) -> None:
    ann = viewer(store, "ann")
    app = app_for(store, ann)
    async with app.run_test(size=SIZE) as pilot:
        q = app.screen.queue
        await pilot.press("n", "right")
        assert q.current_id == 3
        await pilot.press("p")
        assert q.current_id == 2
        await pilot.press("left")
        assert q.current_id == 1
        await pilot.press("o", *"mouse study", "enter", "e")
        with store.session() as s:
            assert record_votes(s, 1, TA).votes[0].note == "mouse study"
        pane = app.screen.query_one("#record")
        await pilot.press("down", "pagedown")
        assert pane.offset_y == 0  # short record: nothing to scroll
        pane.show(pane.text + Text("\nline" * 200))
        await pilot.press("down", "pagedown")
        assert pane.offset_y == 11 and "more lines: ↓ / PgDn" in shot(app)
        await pilot.press("up", "pageup")
        assert pane.offset_y == 0
        await pilot.press("slash", *"lupus", "enter")
        assert "lupus" in q.card().title.lower()
        await pilot.press("question_mark")
        assert "this key map" in shot(app)
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, ScreeningScreen)


@pilot_test
async def test_full_text_reason_picker_and_not_retrieved(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid in (1, 2, 3):
        decide(store, ann, rid, TA, "include")
        decide(store, bob, rid, TA, "include")
    app = app_for(store, ann, FT)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.queue.ids == [1, 2, 3]
        await pilot.press("e")
        assert "Exclusion reason" in shot(app)
        await pilot.press("escape")          # cancelled: nothing stored
        assert mine(store, ann, FT) == {}
        await pilot.press("e", "5")          # 5th reason: not randomised
        assert "no PDF attached" in shot(app)  # full text judged without the article: ask
        await pilot.press("y")
        await pilot.press("e", "down", "enter", "y")  # 2nd reason via arrows
        await pilot.press("r")                # not retrievable needs no PDF: no question
    with store.session() as s:
        votes = {rid: record_votes(s, rid, FT).votes[0] for rid in (1, 2, 3)}
    assert (votes[1].decision, votes[1].reason) == ("exclude", "not randomised")
    assert (votes[2].decision, votes[2].reason) == ("exclude", "wrong intervention")
    assert votes[3].decision == "not_retrieved"


@pilot_test
async def test_blinding_reviewer_b_never_sees_a(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid in range(1, 7):
        decide(store, ann, rid, TA, "exclude", note=f"SECRET-{rid}")
    app = app_for(store, bob)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):  # walk every record undecided: nothing of ann's anywhere
            text = shot(app)
            assert "SECRET" not in text and "ann" not in text
            assert "exclude" not in str(app.screen.query_one("#status").render()).lower()
            assert "blind" in text
            await pilot.press("n")
        await pilot.press("escape")  # the dashboard: ann's progress, not her calls
        await settle(app, pilot)
        text = shot(app)
        assert "ann" in text and "SECRET" not in text
        ann_row = next(line for line in text.splitlines() if line.startswith("│ann"))
        assert "6" in ann_row and "·" in ann_row
        await pilot.press("t", "i", "p")  # bob decides record 1, goes back: both decided
        text = shot(app)
        assert "SECRET-1" in text and "ann: exclude" in text
        assert "SECRET-2" not in text


@pilot_test
async def test_keywords_highlighted_in_two_colours(store) -> None:
    ann = viewer(store, "ann")
    settings = ScreeningSettings(include_keywords=("randomised",), exclude_keywords=("mouse",))
    app = app_for(store, ann, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")  # record 3: "A mouse model..."
        header = app.screen.query_one("#record").text
        spans = {str(header)[s.start:s.end].lower(): str(s.style) for s in header.spans}
        assert "mouse" in spans and spans["mouse"] == EXCLUDE_STYLE
        await pilot.press("p", "p")
        header = app.screen.query_one("#record").text
        spans = {str(header)[s.start:s.end].lower(): str(s.style) for s in header.spans}
        assert spans["randomised"] == INCLUDE_STYLE and INCLUDE_STYLE != EXCLUDE_STYLE
    assert load_settings(store).blind


@pilot_test
async def test_failed_write_is_reported_and_not_counted(store, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import reviewflow.screening.queue as queue_module

    def locked(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    ann = viewer(store, "ann")
    app = app_for(store, ann)
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(queue_module, "record_decision", locked)
        await pilot.press("i")
        assert app.screen.queue.current_id == 1 and app.screen.queue.decided == 0
        assert any("NOT saved" in n.message for n in app._notifications)
        monkeypatch.undo()
        await pilot.press("i")
    assert mine(store, ann) == {1: "include"}


@pilot_test
async def test_records_reaching_full_text_elsewhere_join_the_open_screen(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, ann, 1, TA, "include")
    decide(store, bob, 1, TA, "include")
    app = app_for(store, ann, FT)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ScreeningScreen) and screen.queue.ids == [1]
        await pilot.press("r")  # the only record: done at this stage
        await settle(app, pilot)
        # Meanwhile, in the other terminals, record 2 reaches full text.
        decide(store, ann, 2, TA, "include")
        decide(store, bob, 2, TA, "include")
        screen.start_sync()  # what the screen's timer does every SYNC_EVERY_S seconds
        await settle(app, pilot)
        assert screen.queue.ids == [1, 2] and screen.queue.current_id == 2
        assert "1 left of 2" in shot(app)
        assert any("1 new record at this stage" in n.message for n in app._notifications)
        await pilot.press("i", "y")  # y: include at full text although no PDF is attached
    assert mine(store, ann, FT) == {1: "not_retrieved", 2: "include"}


@pilot_test
async def test_related_records_are_shown_with_the_record(store) -> None:
    from reviewflow.store import models

    with store.write() as s:
        s.add(models.DedupPair(record_a_id=1, record_b_id=4, score=0.9, outcome="related",
                               reason="erratum notice vs article"))
    app = app_for(store, viewer(store, "ann"))
    async with app.run_test(size=SIZE) as pilot:
        assert "related: record 4 (erratum notice vs article)" in shot(app)
        await pilot.press("n")
        assert "related:" not in shot(app)


@pilot_test
async def test_reveal_then_undo_or_redecide_is_refused(store) -> None:
    """Issue 16, scenario 1: i, p (bob's exclude shows), u, e must not erase the conflict."""
    from reviewflow.screening.conflicts import list_conflicts
    from reviewflow.screening.state import stage_statuses

    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, bob, 4, TA, "exclude")
    app = app_for(store, ann)
    async with app.run_test(size=SIZE) as pilot:
        q = app.screen.queue
        q.jump_to(4)
        await pilot.press("i")
        assert q.current_id == 5
        await pilot.press("p")
        assert q.current_id == 4
        await settle(app, pilot)
        assert "bob: exclude" in shot(app)  # revealed: ann has decided
        await pilot.press("u")
        assert any("locked" in n.message and "resolve 4" in n.message
                   for n in app._notifications)  # refused, pointing at resolution
        assert q.current_id == 4 and mine(store, ann) == {4: "include"}
        await pilot.press("e")
        assert mine(store, ann) == {4: "include"}
    with store.session() as s:
        assert [c.status.record_id for c in list_conflicts(s, TA)] == [4]
        status = stage_statuses(s, TA)[4]
    assert status.outcome == "conflict"
    assert [(v.reviewer, v.decision) for v in status.independent] == [("ann", "include"),
                                                                      ("bob", "exclude")]
