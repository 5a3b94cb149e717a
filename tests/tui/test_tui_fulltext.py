"""Pilot tests of the full-text pane: pages, search, keyword highlighting (also in
Chinese), the open-PDF key with the viewer faked, and the no-PDF confirmation."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from reviewflow.fulltext.service import attach, read_pdfs, store_file
from reviewflow.fulltext.storage import Mode
from reviewflow.fulltext.viewer import ENV_VIEWER
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.state import my_decisions
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.tui.app import ReviewflowApp
from reviewflow.tui.widgets.fulltext_pane import SEARCH_STYLE, FullTextPane
from reviewflow.tui.widgets.record_view import EXCLUDE_STYLE, INCLUDE_STYLE
from tests.screening.support import decide, make_review, viewer
from tests.tui.support_tui import SIZE, pilot_test, shot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fulltext"))
from make_pdfs import CJK_FONT, make_pdf  # noqa: E402

pytestmark = pytest.mark.store


@pytest.fixture
def review(tmp_path: Path):
    from reviewflow.store.db import Store
    from reviewflow.store.location import load_config

    folder = make_review(tmp_path / "review", 4)
    store = Store.open(load_config(folder).database_url())
    english = make_pdf(tmp_path / "in" / "smith.pdf", [
        ["Mesenchymal stem cells for rheumatoid arthritis", "Background and aims"],
        ["Methods", "Patients were randomised by a computer list.", "A mouse study is cited."],
        ["Results", "Allocation concealment was adequate", "(sealed opaque envelopes)."],
    ])
    chinese = make_pdf(tmp_path / "in" / "zhang.pdf", [
        ["间充质干细胞治疗系统性红斑狼疮的随机对照试验", "方法：将患者随机分为两组，",
         "动物实验结果见前文。"]], font=CJK_FONT)
    pdfs, _ = read_pdfs([english, chinese])
    with store.write() as s:
        for rid, pdf in zip((1, 2), pdfs, strict=True):
            row = store_file(pdf, session=s, folder=folder / "fulltext", mode=Mode.COPY, by="ann")
            attach(rid, row.id, session=s, by="ann")
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid in (1, 2, 3):
        decide(store, ann, rid, TITLE_ABSTRACT, "include")
        decide(store, bob, rid, TITLE_ABSTRACT, "include")
    yield folder, store, ann
    store.dispose()


def app_for(review, settings: ScreeningSettings | None = None) -> ReviewflowApp:
    folder, store, ann = review
    return ReviewflowApp(store, ann, start_stage=FULL_TEXT, poll_seconds=0, folder=folder,
                         prioritise=False, settings=settings)


def styled(pane: FullTextPane) -> dict[str, set[str]]:
    text = pane.text
    out: dict[str, set[str]] = {}
    for span in text.spans:
        out.setdefault(str(text)[span.start:span.end].lower(), set()).add(str(span.style))
    return out


@pilot_test
async def test_pane_shows_pages_and_turns_them(review) -> None:
    app = app_for(review)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.query_one("#fulltext", FullTextPane)
        assert "smith.pdf · page 1 of 3" in shot(app)
        assert "Background and aims" in str(pane.text)
        await pilot.press("right_square_bracket")
        assert "page 2 of 3" in str(pane.text) and "computer list" in str(pane.text)
        await pilot.press("right_square_bracket", "right_square_bracket")  # stays on the last
        assert "page 3 of 3" in str(pane.text)
        await pilot.press("left_square_bracket")
        assert pane.page == 1
        await pilot.press("n", "n")  # record 3: no PDF
        assert "No PDF attached to record 3" in str(pane.text)


@pilot_test
async def test_search_goes_to_the_page_and_marks_hits(review) -> None:
    app = app_for(review)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.query_one("#fulltext", FullTextPane)
        await pilot.press("slash", *"opaque   envelopes", "enter")
        assert pane.page == 2
        assert SEARCH_STYLE in styled(pane)["opaque envelopes"]
        await pilot.press("slash", *"zebra", "enter")
        await pilot.pause()
        assert pane.query_text == "zebra" and pane.page == 2
        assert any("not in this PDF" in n.message for n in app._notifications)


@pilot_test
async def test_keywords_highlighted_in_english_and_chinese(review) -> None:
    settings = ScreeningSettings(include_keywords=("randomised", "随机"),
                                 exclude_keywords=("mouse", "动物"))
    app = app_for(review, settings)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.query_one("#fulltext", FullTextPane)
        await pilot.press("right_square_bracket")
        spans = styled(pane)
        assert INCLUDE_STYLE in spans["randomised"] and EXCLUDE_STYLE in spans["mouse"]
        await pilot.press("n")  # record 2: the Chinese PDF
        spans = styled(pane)
        assert INCLUDE_STYLE in spans["随机"]  # inside 随机对照 and 随机分为: no word boundary
        assert EXCLUDE_STYLE in spans["动物"]
        hits = [s for s in pane.text.spans if str(s.style) == INCLUDE_STYLE]
        assert len(hits) == 2


@pilot_test
async def test_o_opens_the_pdf_in_the_viewer(review, tmp_path, monkeypatch) -> None:
    log = tmp_path / "viewer.log"
    fake = tmp_path / "fake-viewer"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {log}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(ENV_VIEWER, str(fake))
    folder, store, ann = review
    app = app_for(review)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        for _ in range(50):
            if log.exists():
                break
            await pilot.pause(0.05)
        assert any("Opened smith.pdf" in n.message for n in app._notifications)
    opened = Path(log.read_text().strip())
    assert opened.parent.parent == folder / "fulltext" and opened.suffix == ".pdf"
    assert opened.read_bytes().startswith(b"%PDF")


@pilot_test
async def test_o_without_a_viewer_says_so(review, monkeypatch) -> None:
    monkeypatch.delenv(ENV_VIEWER, raising=False)
    monkeypatch.setenv("PATH", os.devnull)
    app = app_for(review)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert any("no PDF viewer found" in n.message for n in app._notifications)


@pilot_test
async def test_decision_without_a_pdf_asks_first(review) -> None:
    folder, store, ann = review
    app = app_for(review)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")  # record 1 has its PDF: no question
        await pilot.press("n")  # record 3 has none (record 2 is next in the queue... skip it)
        assert app.screen.queue.current_id == 3
        await pilot.press("i")
        assert "Record 3 has no PDF attached" in shot(app)
        await pilot.press("x")  # anything but y: nothing recorded
        await pilot.press("i", "y")
    with store.session() as s:
        assert my_decisions(s, FULL_TEXT, ann.reviewer_id) == {1: "include", 3: "include"}


@pilot_test
async def test_extraction_screen_shows_the_study_pdf(review, tmp_path, monkeypatch) -> None:
    """The extraction screen: the study's PDF beside the form; Ctrl+F / Ctrl+T reach it."""
    from textual.app import App

    from reviewflow.tui.screens.extraction import ExtractionScreen
    from tests.extraction.forms import form_now, new_study

    folder, store, _ann = review
    new_study(store, "Smith 2010", [3, 1])  # record 3 (no PDF) first: the PDF is found
    form_id, form = form_now(store)
    log = tmp_path / "viewer.log"
    fake = tmp_path / "fake-viewer"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {log}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv(ENV_VIEWER, str(fake))

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ExtractionScreen(store, form, form_id, "ann",
                                              fulltext_folder=folder / "fulltext"))

    app = Host()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#fulltext", FullTextPane)
        assert "smith.pdf · page 1 of 3" in str(pane.text)
        await pilot.press("ctrl+f", *"sealed", "enter")
        assert pane.page == 2 and SEARCH_STYLE in styled(pane)["sealed"]
        await pilot.press("ctrl+t")
        for _ in range(50):
            if log.exists():
                break
            await pilot.pause(0.05)
    assert Path(log.read_text().strip()).read_bytes().startswith(b"%PDF")


@pilot_test
async def test_card_shows_original_and_english_titles_and_language(review) -> None:
    from reviewflow.store import models

    folder, store, ann = review
    with store.write() as s:
        rec = s.get(models.RecordRow, 2)
        rec.title = "间充质干细胞治疗系统性红斑狼疮的随机对照试验"
        rec.translated_title = "Mesenchymal stem cells in lupus: a randomised trial"
        rec.language = "chi"
        s.add(rec)
    settings = ScreeningSettings(include_keywords=("随机", "randomised"))
    app = app_for(review, settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        card = app.screen.query_one("#record").text
        lines = str(card).splitlines()
        assert lines[0] == "间充质干细胞治疗系统性红斑狼疮的随机对照试验"
        assert lines[1] == "Mesenchymal stem cells in lupus: a randomised trial"
        assert "chi" in lines[3]
        lit = {str(card)[s.start:s.end] for s in card.spans if str(s.style) == INCLUDE_STYLE}
        assert lit == {"随机", "randomised"}


@pilot_test
async def test_same_study_suggestion_on_the_full_text_card(review) -> None:
    from reviewflow.store import models

    folder, store, ann = review
    with store.write() as s:
        rec = s.get(models.RecordRow, 2)
        rec.title = "间充质干细胞治疗类风湿关节炎的随机对照试验"
        rec.translated_title = s.get(models.RecordRow, 1).title
        rec.year = s.get(models.RecordRow, 1).year
        s.add(rec)
    app = app_for(review)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        card = str(app.screen.query_one("#record").text)
        assert "related: same study? record 2 (English title matches (100/100))" in card
        await pilot.press("n", "n")  # record 3: nothing suggested
        assert "same study" not in str(app.screen.query_one("#record").text)
