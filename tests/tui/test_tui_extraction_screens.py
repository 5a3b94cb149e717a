"""Pilot tests of the extraction, risk-of-bias and analysis screens, each hosted in a
tiny App of its own (the screens take the store and reviewer; no main app needed)."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Label, Static

from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.rob import ROB1, current_judgements
from reviewflow.extraction.values import reviewer_values
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.tui.screens.analysis import AnalysisScreen
from reviewflow.tui.screens.extraction import ExtractionScreen, input_id
from reviewflow.tui.screens.rob_assessment import RobScreen
from tests.extraction.extraction_data import TRIALS, trial_entries
from tests.extraction.forms import new_study, save_judgements, save_values, use_test_form
from tests.screening.support import add_reviewer
from tests.tui.support_tui import Host

SIZE = (160, 60)


@pytest.fixture
def store(tmp_path: Path):
    s = Store.create(f"sqlite:///{tmp_path / 'rf.db'}", title="TUI test")
    with s.write() as w:
        rec = models.RecordRow(title="MSC injection for knee OA: a randomised trial",
                               year=2018, authors_json='["Alda, J."]')
        w.add(rec)
        w.flush()
        rid = int(rec.id or 0)
    new_study(s, "Alda 2018", [rid])
    new_study(s, "Brun 2019")
    yield s
    s.dispose()


def _mine(store: Store, reviewer: str) -> dict[tuple[str, str], str | None]:
    with store.session() as s:
        rid = add_reviewer(store, reviewer).id
        labels = {st.id: st.label for st in s.exec(__import__("sqlmodel").select(models.Study))}
        return {(labels[sid], p): v for (sid, r, p), v in reviewer_values(s).items() if r == rid}


def test_extraction_screen_saves_each_field_and_refuses_bad_values(store) -> None:
    form_id, form = use_test_form(store)

    async def scenario() -> None:
        screen = ExtractionScreen(store, form, form_id, "alice")
        app = Host(screen)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "MSC injection for knee OA" in str(
                screen.query_one("#report-text", Static).content)
            assert app.focused is screen.query_one(f"#{input_id('study/country')}", Input)
            # Each outcome is a heading once; its rows say only arm and statistic.
            headings = [str(w.content) for w in screen.query(".field-group")]
            pain = form.outcome("pain_vas").label
            assert pain in headings and len(headings) == len(set(headings))
            rows = [str(w.content) for w in screen.query(".field Label")]
            assert not any(r.startswith(f"{pain} · ") for r in rows)
            assert f"{form.arms[0].label} · Mean" in rows
            await pilot.press(*"Spain", "tab")
            await pilot.pause()
            assert _mine(store, "alice")[("Alda 2018", "study/country")] == "Spain"
            sd = screen.query_one(f"#{input_id('outcome/pain_vas/arm/treat/sd')}", Input)
            sd.focus()
            await pilot.press("0", "enter")
            await pilot.pause()
            assert sd.has_class("bad-value")
            assert "SD must be > 0" in str(screen.query_one("#status", Label).content)
            assert ("Alda 2018", "outcome/pain_vas/arm/treat/sd") not in _mine(store, "alice")
            sd.focus()
            await pilot.press("backspace", *"12.5", "enter")
            await pilot.pause()
            assert not sd.has_class("bad-value")
            assert _mine(store, "alice")[("Alda 2018", "outcome/pain_vas/arm/treat/sd")] == "12.5"
            await pilot.press("ctrl+n")  # next study: its own (empty) values are shown
            await pilot.pause()
            assert screen.study is not None and screen.study.label == "Brun 2019"
            assert screen.query_one(f"#{input_id('study/country')}", Input).value == ""
            await pilot.press("ctrl+b")
            await pilot.pause()
            assert screen.query_one(f"#{input_id('study/country')}", Input).value == "Spain"

    asyncio.run(scenario())


def test_extraction_screen_is_blinded_and_lists_discrepancies(store) -> None:
    form_id, form = use_test_form(store)
    bob = int(add_reviewer(store, "bob").id or 0)
    alice = int(add_reviewer(store, "alice").id or 0)
    save_values(store, form, form_id, bob, [(1, "study/country", "Italy")])
    save_values(store, form, form_id, alice, [(1, "study/country", "Spain")])

    async def scenario() -> None:
        screen = ExtractionScreen(store, form, form_id, "alice")
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert screen.query_one(f"#{input_id('study/country')}", Input).value == "Spain"
            await pilot.press("ctrl+o")
            await pilot.pause()
            text = str(screen.query_one("#report-text", Static).content)
            assert "study/country: alice: Spain, bob: Italy" in text

    asyncio.run(scenario())


def test_rob_screen_records_judgement_and_support(store) -> None:
    async def scenario() -> None:
        screen = RobScreen(store, ROB1, "alice")
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("l", "tab", *"computer list", "tab")  # D1 low + support
            await pilot.press("q", "tab")  # D2: not a judgement
            await pilot.pause()
            assert screen.query_one("#j-allocation_concealment", Input).has_class("bad-value")
            screen.query_one("#j-allocation_concealment", Input).focus()
            await pilot.press("backspace", "h", "enter")
            await pilot.pause()
            mine, _ = current_judgements(store, ROB1)
            rows = {d: r for (_s, d, _r), r in mine.items()}
            assert rows["random_sequence"].judgement == "low"
            assert rows["random_sequence"].support == "computer list"
            assert rows["allocation_concealment"].judgement == "high"
            assert screen.query_one("#j-random_sequence", Input).value == "Low"
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert screen.query_one("#j-random_sequence", Input).value == ""

    asyncio.run(scenario())


def test_analysis_screen_shows_pooled_lines_or_why_not(tmp_path: Path) -> None:
    store = Store.create(f"sqlite:///{tmp_path / 'a.db'}", title="A")
    form_id, form = use_test_form(store)
    ids = {label: new_study(store, label).id for label in TRIALS}
    for name in ("alice", "bob"):
        rid = int(add_reviewer(store, name).id or 0)
        save_values(store, form, form_id, rid,
                   [e for label, t in TRIALS.items() for e in trial_entries(ids[label], t)])
    analyses = parse_analyses("[[analysis]]\nname='vas'\noutcome='pain_vas'\nmeasure='SMD'\n"
                              "subgroup='cell_source'\n[[analysis]]\nname='resp'\n"
                              "outcome='clinical_response'\nmeasure='RR'\n", form)

    async def scenario() -> None:
        screen = AnalysisScreen(store, form, analyses)
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            lines = str(screen.query_one("#lines", Static).content)
            assert "Overall: SMD = -1.00, 95% CI -1.28 to -0.72, P < 0.00001" in lines
            assert "bone marrow (k = 2)" in lines
            console = Console(record=True, width=150)
            console.print(screen.query_one("#forest", Static).content)
            drawn = console.export_text()
            assert "Alda 2018" in drawn and "Fox 2022" in drawn
            # the arm data as typed (RevMan style: "32.0", not "32"), under the arm names
            assert drawn.split("Alda 2018")[1].split()[:6] == ["32.0", "14.0", "20", "48.0",
                                                               "16.0", "20"]
            assert "Intervention" in drawn.splitlines()[0]
            # on screen the plot keeps its full width (the pane scrolls sideways) instead
            # of a table squeezed into the pane, its cells cut to "14…"
            plot = screen.query_one("#forest", Static)
            assert plot.size.width >= len(drawn.splitlines()[1].rstrip())
            svg = html.unescape(re.sub(r"<[^>]+>", "", pilot.app.export_screenshot()))
            svg = svg.replace("\xa0", " ")
            alda = next(line for line in svg.splitlines() if "Alda 2018" in line)
            assert "32.0" in alda and "14.0" in alda and "…" not in alda
            body = screen.query_one("#analysis-body")
            await pilot.press("right")
            await pilot.pause()
            assert body.max_scroll_x > 0 and body.scroll_x == 8  # wider than the pane
            await pilot.press("down")
            await pilot.pause()
            forest = screen.query_one("#forest", Static).content
            assert "no study has reconciled data" in str(forest)

    try:
        asyncio.run(scenario())
    finally:
        store.dispose()


def test_discrepancy_screen_takes_a_value_or_a_typed_one(store) -> None:
    from reviewflow.extraction.values import reconcile
    from reviewflow.tui.screens.discrepancies import DiscrepancyScreen

    form_id, form = use_test_form(store)
    alice, bob = (int(add_reviewer(store, n).id or 0) for n in ("alice", "bob"))
    save_values(store, form, form_id, alice, [(1, "study/country", "Spain"),
                                             (1, "outcome/pain_vas/arm/treat/sd", "12")])
    save_values(store, form, form_id, bob, [(1, "study/country", "Italy"),
                                           (1, "outcome/pain_vas/arm/treat/sd", "21")])

    async def scenario() -> None:
        screen = DiscrepancyScreen(store, form, form_id, "carol")
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "2 open discrepancies" in str(screen.query_one("#disc-status", Label).content)
            first = screen.current
            assert first is not None and first.path == "outcome/pain_vas/arm/treat/sd"
            await pilot.press("2")  # bob's value (reviewers listed by name)
            await pilot.pause()
            assert "1 open discrepancies" in str(screen.query_one("#disc-status", Label).content)
            await pilot.press("v", *"Portugal", "enter")
            await pilot.pause()
            assert "0 open discrepancies" in str(screen.query_one("#disc-status", Label).content)

    asyncio.run(scenario())
    values = reconcile(store).values["Alda 2018"]
    assert values["outcome/pain_vas/arm/treat/sd"] == "21"
    assert values["study/country"] == "Portugal"


def test_rob_discrepancy_screen_settles_by_consensus(store) -> None:
    from reviewflow.extraction.rob import reconcile_rob
    from reviewflow.tui.screens.discrepancies import RobDiscrepancyScreen

    alice, bob = (int(add_reviewer(store, n).id or 0) for n in ("alice", "bob"))
    save_judgements(store, ROB1, alice, [(1, "D1", "low", None), (1, "D2", "high", None)])
    save_judgements(store, ROB1, bob, [(1, "D1", "unclear", None), (1, "D2", "low", None)])

    async def scenario() -> None:
        screen = RobDiscrepancyScreen(store, ROB1, "carol")
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "2 open" in str(screen.query_one("#disc-status", Label).content)
            assert "1  alice: Low" in str(screen.query_one("#disc-values", Static).content)
            await pilot.press("1")  # alice's judgement for D1
            await pilot.pause()
            await pilot.press("v", *"nonsense", "enter")  # not a judgement: refused
            await pilot.pause()
            assert "must be one of" in str(screen.query_one("#disc-status", Label).content)
            await pilot.press(*"\b" * 8, *"unclear", "enter")
            await pilot.pause()
            assert "0 open" in str(screen.query_one("#disc-status", Label).content)

    asyncio.run(scenario())
    table = reconcile_rob(store, ROB1)
    assert table.judgements["Alda 2018"]["random_sequence"].judgement == "low"
    assert table.judgements["Alda 2018"]["allocation_concealment"].judgement == "unclear"


def test_extraction_screen_takes_several_arms_reported_statistics_and_effects(store) -> None:
    from reviewflow.extraction.form import parse_form
    from tests.extraction.forms import stored_form
    from tests.extraction.test_extraction_trial_data import FORM

    form_id, _ = stored_form(store, FORM)
    form = parse_form(FORM)

    async def scenario() -> None:
        screen = ExtractionScreen(store, form, form_id, "alice")
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            rows = [str(w.content) for w in screen.query(".field Label")]
            for label in ("Umbilical cord MSC · Median", "Control · Q3", "Bone marrow MSC · SE",
                          "effect · Estimate", "effect · ICC"):
                assert any(label in r for r in rows), label
            for path, value in (("outcome/vas/arm/uc/median", "2.5"),
                                ("outcome/survival/effect/estimate", "0.75")):
                field = screen.query_one(f"#{input_id(path)}", Input)
                field.focus()
                await pilot.press(*value, "enter")
                await pilot.pause()
                assert _mine(store, "alice")[("Alda 2018", path)] == value

    asyncio.run(scenario())


def test_a_merged_study_is_extracted_once_with_both_reports(store) -> None:
    """Brun 2019 (a Chinese report) merged into Alda 2018: one study in the list, both
    reports beside the form, Brun's values shown and kept; unmerge gives them back."""
    from reviewflow.linking.merge import merge_studies, unmerge_study

    form_id, form = use_test_form(store)
    alice = int(add_reviewer(store, "alice").id or 0)
    with store.write() as w:
        zh = models.RecordRow(title="间充质干细胞治疗膝骨关节炎", language="chi", year=2018,
                              translated_title="MSC for knee osteoarthritis")
        w.add(zh)
        w.flush()
        zh_id = int(zh.id or 0)
    with store.write() as w:
        w.add(models.StudyRecord(study_id=2, record_id=zh_id, is_primary=True))
    save_values(store, form, form_id, alice, [(2, "study/country", "China")])
    with store.write() as w:
        merge_studies(1, 2, session=w, by="alice")

    async def scenario() -> None:
        screen = ExtractionScreen(store, form, form_id, "alice")
        async with Host(screen).run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert [s.label for s in screen.studies] == ["Alda 2018"]
            reports = str(screen.query_one("#report-text", Static).content)
            assert "Primary report (record 1)" in reports
            assert f"Also reported in (record {zh_id}) · chi" in reports
            assert "MSC for knee osteoarthritis" in reports
            country = screen.query_one(f"#{input_id('study/country')}", Input)
            assert country.value == "China"  # entered on the Chinese report's study
            size = screen.query_one(f"#{input_id('study/sample_size')}", Input)
            size.focus()
            await pilot.press(*"14", "enter")
            await pilot.pause()

    asyncio.run(scenario())
    with store.session() as s:
        assert reviewer_values(s)[(1, alice, "study/sample_size")] == "14"
    with store.write() as w:
        unmerge_study(2, session=w, by="alice")
    mine = _mine(store, "alice")
    assert mine[("Brun 2019", "study/country")] == "China"
    assert ("Alda 2018", "study/country") not in mine  # never written there
    assert mine[("Alda 2018", "study/sample_size")] == "14"  # entered while merged: kept
