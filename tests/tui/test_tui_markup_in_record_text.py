"""Record text is shown as text, never as Textual markup (issue 21, item 4).

An abstract with ``[/b]`` crashed the extraction and RoB panels (MarkupError);
"15/46 [33%]" and "mean [SD]" lost their bracketed parts; ``[@click=app.quit]``
became a live action. Each screen that shows a record, a study label, a vote
note or a reason is opened here on such text.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select
from textual.screen import Screen
from textual.widgets import Static
from typer.testing import CliRunner

from reviewflow.cli.main import app as cli
from reviewflow.extraction.rob import ROB1
from reviewflow.stages import TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.screens.extraction import ExtractionScreen
from reviewflow.tui.screens.rob_assessment import RobScreen
from tests.extraction.forms import form_now, new_study
from tests.screening.support import decide, make_store, viewer
from tests.tui.support_tui import SIZE, Host, pilot_test, shot

HOSTILE = "Pain fell [/b] in 15/46 [33%] patients, mean [SD] 4.1 [@click=app.quit] here"
SHOWN = ("[/b]", "15/46 [33%]", "mean [SD]", "[@click=app.quit]")


@pytest.fixture
def hostile_study(tmp_path: Path):
    s = Store.create(f"sqlite:///{tmp_path / 'rf.db'}", title="Markup [/b] review")
    with s.write() as w:
        rec = models.RecordRow(title=f"Title {HOSTILE}", abstract=HOSTILE, year=2018,
                               authors_json='["Alda [b]J."]')
        w.add(rec)
        w.flush()
        rid = int(rec.id or 0)
    new_study(s, "Alda [/i] 2018", [rid])
    yield s
    s.dispose()


def _panel_text(screen: Screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.parametrize("which", ["extraction", "rob"])
def test_extraction_and_rob_panels_show_brackets_verbatim(hostile_study, which: str) -> None:
    form_id, form = form_now(hostile_study)

    async def scenario() -> None:
        screen = (ExtractionScreen(hostile_study, form, form_id, "alice") if which == "extraction"
                  else RobScreen(hostile_study, ROB1, "alice"))
        host = Host(screen)
        async with host.run_test(size=SIZE) as pilot:
            await pilot.pause()
            panel = "#report-text" if which == "extraction" else "#rob-report-text"
            text = _panel_text(screen, panel)
            for part in SHOWN:
                assert part in text, (part, text)
            assert host.is_running  # a clicked [@click=app.quit] would not be live anyway

    asyncio.run(scenario())


@pytest.fixture
def conflict_store(tmp_path: Path):
    s = make_store(tmp_path, 3)
    with s.write() as w:
        for rec in w.exec(select(models.RecordRow)).all():
            rec.title = f"T{rec.id} {HOSTILE}"
            rec.abstract = HOSTILE
            w.add(rec)
    yield s
    s.dispose()


@pilot_test
async def test_screening_and_conflict_screens_show_brackets_verbatim(conflict_store) -> None:
    ann, bob = viewer(conflict_store, "ann"), viewer(conflict_store, "bob")
    decide(conflict_store, ann, 1, TITLE_ABSTRACT, "include", note="see [/b] [33%]")
    decide(conflict_store, bob, 1, TITLE_ABSTRACT, "exclude", note="mean [SD] missing")
    app = ReviewflowApp(conflict_store, ann, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        text = shot(app)
        assert "15/46 [33%]" in text and "[/b]" in text and "mean [SD]" in text
        assert app.is_running


def test_cli_tables_print_record_text_verbatim(conflict_store, tmp_path: Path) -> None:
    """Rich tables in the CLI (conflicts, history) parse markup too."""
    ann, bob = viewer(conflict_store, "ann"), viewer(conflict_store, "bob")
    decide(conflict_store, ann, 1, TITLE_ABSTRACT, "include", note="[/b] note")
    decide(conflict_store, bob, 1, TITLE_ABSTRACT, "exclude")
    runner = CliRunner()
    for args in (["conflicts", "--as", "ann"], ["history", "1", "--as", "ann"], ["status"]):
        res = runner.invoke(cli, [*args, "--db", conflict_store.url], env={"COLUMNS": "300"})
        assert res.exit_code == 0, (args, res.output, res.exception)
    res = runner.invoke(cli, ["conflicts", "--as", "ann", "--db", conflict_store.url],
                        env={"COLUMNS": "300"})
    assert "[33%]" in res.output and "[/b]" in res.output
