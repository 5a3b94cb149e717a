"""A study RevMan stores more than once in one outcome is imported as entered and says so."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from revman_support import SMALL, invoke, small_with

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import load_analyses, parse_analyses
from reviewflow.extraction.values import reconcile
from reviewflow.pooling import meta_analysis
from reviewflow.pooling.analysis import analyse
from reviewflow.pooling.trial_data import Handling
from reviewflow.pooling.types import RATIO_MEASURES, Measure
from reviewflow.revman.check import close
from reviewflow.revman.engine_input import engine_input
from reviewflow.revman.model import Totals
from reviewflow.revman.plan import outcome_id, plan_import
from reviewflow.revman.reader import read_rm5
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import form_now, input_of

# Li 2019 gets a second arm in the "Bone marrow" subgroup against the same control (20, 5
# events): the author counted the control twice, as RevMan lets one do.
SECOND_ENTRY = ('<DICH_DATA EVENTS_1="7" EVENTS_2="5" STUDY_ID="STD-Li_x002d_2019" '
                'TOTAL_1="18" TOTAL_2="20"/>\n')
ANCHOR = '<DICH_DATA EVENTS_1="0" EVENTS_2="0" STUDY_ID="STD-Ruiz-2021"'


@pytest.fixture
def repeated(tmp_path: Path) -> Path:
    return small_with(tmp_path / "repeated.rm5", ANCHOR, SECOND_ENTRY)


def _natural(measure: str, x: float) -> float:
    return math.exp(x) if Measure(measure) in RATIO_MEASURES else x


def test_every_entry_is_imported_in_its_subgroup_and_pooled_as_revman_does(
        repeated: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    output = invoke("revman", "import", str(repeated), str(folder))
    assert "Studies entered more than once in one outcome, imported as entered" in output
    assert "Li 2019 (2 entries)" in output and "Handbook 23.3.4" in output
    assert "only the first entry" not in output
    store = Store.open(load_config(folder).database_url())
    try:
        form = form_now(store, folder)[1]
        values = reconcile(store).values["Li 2019"]
        assert values["outcome/c1_o1/arm/treat/events"] == "12"
        assert values["outcome/c1_o1/subgroup"] == "Umbilical cord"
        assert values["outcome/c1_o1_e2/arm/treat/events"] == "7"
        assert values["outcome/c1_o1_e2/arm/ctrl/n"] == "20"
        assert values["outcome/c1_o1_e2/subgroup"] == "Bone marrow"
        a = {x.name: x for x in load_analyses(folder, form)}["c1_o1"]
        assert (a.repeated_study_entries, a.entry_outcomes) == ("as entered in RevMan",
                                                                ("c1_o1_e2",))
        inp = input_of(store, a, form=form)
        entries = [c for c in inp.comparisons if c.study == "Li 2019"]
        assert [(c.label, c.subgroup, c.handling) for c in entries] == [
            ("Li 2019 (entry 1)", "Umbilical cord", Handling.AS_ENTERED),
            ("Li 2019 (entry 2)", "Bone marrow", Handling.AS_ENTERED)]
        assert "the same control numbers are in all 2 entries" in \
            inp.repeated_entry_lines()[0]
        # The forest plot and data CSV show each entry's numbers as typed.
        from reviewflow.extraction.entered import entered_cells
        from reviewflow.extraction.run_analysis import pool

        cells = entered_cells(pool(a, inp), form, reconcile(store))
        assert cells["Li 2019 (entry 2)"] == ("7", "18", "5", "20")
        assert cells["Li 2019 (entry 1)"] == ("12", "20", "5", "20")
        # The analysis of the imported review pools what RevMan's own rows pool.
        outcome = read_rm5(repeated).comparisons[0].outcomes[0]
        direct = engine_input(outcome, read_rm5(repeated).study_names())
        assert direct is not None and len(direct.rows) == 4
        theirs = analyse(direct.table, direct.options)
        ours = meta_analysis(inp.frame(), subgroup=a.subgroup, **a.options())
        assert ours.overall.estimate == pytest.approx(theirs.overall.estimate, abs=1e-12)
        assert ours.overall.heterogeneity.tau2 == pytest.approx(
            theirs.overall.heterogeneity.tau2, abs=1e-12)
        assert len(ours.studies) == 4
    finally:
        store.dispose()
    shown = invoke("--review", str(folder), "analyse", "c1_o1", "--out", str(tmp_path / "o"))
    assert "Repeated entries: Li 2019 is pooled 2 times, as entered in RevMan" in shown
    assert "counted more than once (Cochrane Handbook 23.3.4)" in shown


def test_entries_go_back_to_revman_as_they_came(repeated: Path, tmp_path: Path) -> None:
    first, exported = tmp_path / "a", tmp_path / "a.rm5"
    invoke("revman", "import", str(repeated), str(first))
    invoke("--review", str(first), "revman", "export", "--out", str(exported))
    outcome = read_rm5(exported).comparisons[0].outcomes[0]
    li = [(g.name, r.events_1, r.total_1, r.events_2, r.total_2)
          for g in outcome.subgroups for r in g.rows if r.study_id == "STD-Li_x002d_2019"]
    assert li == [("Umbilical cord", 12, 20, 5, 20), ("Bone marrow", 7, 18, 5, 20)]
    invoke("revman", "import", str(exported), str(tmp_path / "b"))
    assert (tmp_path / "a" / "analyses.toml").read_text(encoding="utf-8") == \
        (tmp_path / "b" / "analyses.toml").read_text(encoding="utf-8")


FORM_TEXT = """
[[arms]]
id = "treat"
[[arms]]
id = "ctrl"
role = "control"
[[outcomes]]
id = "o"
type = "dichotomous"
[[outcomes]]
id = "o_e2"
type = "dichotomous"
[[outcomes]]
id = "m"
type = "continuous"
"""


@pytest.mark.parametrize(("extra", "problem"), [
    ('entry_outcomes = ["o_e2"]', "add repeated_study_entries"),
    ('repeated_study_entries = "yes"', "must be 'as entered in RevMan'"),
    ('repeated_study_entries = "as entered in RevMan"\nentry_outcomes = ["m"]',
     "entry outcome 'm' is continuous"),
    ('repeated_study_entries = "as entered in RevMan"\nentry_outcomes = ["o"]',
     "listed twice"),
    ('repeated_study_entries = "as entered in RevMan"\nentry_outcomes = ["x"]',
     "unknown outcome 'x'"),
])
def test_entry_declarations_are_checked(extra: str, problem: str) -> None:
    from reviewflow.extraction.form import parse_form

    form = parse_form(FORM_TEXT)
    text = f'[[analysis]]\nname = "a"\noutcome = "o"\nmeasure = "RR"\n{extra}\n'
    with pytest.raises(ReviewflowError, match=problem):
        parse_analyses(text, form)


@pytest.mark.corpus
def test_corpus_outcomes_with_repeated_studies_reproduce_revman(corpus: Path,
                                                                tmp_path: Path) -> None:
    """Every outcome of the corpus where RevMan stores a study more than once: the
    imported analysis gives RevMan's stored totals and subtotals."""
    compared = outcomes = 0
    for path in sorted((corpus / "revman" / "rm5").glob("*.rm5")):
        review = read_rm5(path)
        plan = plan_import(review)
        marked = {str(a["name"]) for a in plan.analyses if "entry_outcomes" in a}
        if not marked:
            continue
        folder = tmp_path / path.stem
        invoke("revman", "import", str(path), str(folder))
        store = Store.open(load_config(folder).database_url())
        try:
            form = form_now(store, folder)[1]
            analyses = {a.name: a for a in load_analyses(folder, form)}
            rec = reconcile(store)
            for c, o in review.outcomes():
                name = outcome_id(c.no, o.no)
                if name not in marked:
                    continue
                outcomes += 1
                a = analyses[name]
                inp = input_of(store, a, form=form, reconciled=rec)
                assert inp.repeated_entry_lines(), (path.name, name)
                result = meta_analysis(inp.frame(), subgroup=a.subgroup, **a.options())
                pairs = [(o.stored, result.overall)] if o.settings.totals is Totals.YES else []
                ours = {g.name: g.pooled for g in result.subgroups}
                pairs += [(g.stored, ours[g.name]) for g in o.subgroups if g.name in ours]
                for st, pooled in pairs:
                    if not st.estimable:
                        continue
                    where = (path.name, name)
                    assert close("effect", st.effect, _natural(a.measure, pooled.estimate)), \
                        where
                    assert close("CI start", st.ci_start,
                                 _natural(a.measure, pooled.ci_low)), where
                    assert close("CI end", st.ci_end, _natural(a.measure, pooled.ci_high)), \
                        where
                    compared += 1
        finally:
            store.dispose()
    assert outcomes == 98 and compared >= 400, (outcomes, compared)


def test_generic_rows_keep_their_group_totals(tmp_path: Path) -> None:
    """RevMan's N columns of generic inverse variance rows: kept, never pooled, written
    back (Chen 2020 gives none, as RevMan allows)."""
    first, exported = tmp_path / "a", tmp_path / "a.rm5"
    invoke("revman", "import", str(SMALL), str(first))
    store = Store.open(load_config(first).database_url())
    try:
        form = form_now(store, first)[1]
        assert form.outcome("c1_o3").group_totals and form.outcome("c1_o3").stats == ("n",)
        values = reconcile(store).values
        assert values["Li 2019"]["outcome/c1_o3/arm/treat/n"] == "20"
        assert values["Li 2019"]["outcome/c1_o3/arm/ctrl/n"] == "20"
        assert not any("/c1_o3/arm/" in p for p in values["Chen 2020"])
    finally:
        store.dispose()
    invoke("--review", str(first), "revman", "export", "--out", str(exported))
    rows = {r.study_id: (r.total_1, r.total_2)
            for r in read_rm5(exported).comparisons[0].outcomes[2].rows}
    assert rows == {"STD-Li_x002d_2019": (20, 20), "STD-Chen-2020": (None, None)}


def test_group_totals_are_for_generic_outcomes_only() -> None:
    from reviewflow.extraction.form import parse_form

    text = FORM_TEXT.replace('id = "m"\ntype = "continuous"',
                             'id = "m"\ntype = "continuous"\ngroup_totals = true')
    with pytest.raises(ReviewflowError, match="group_totals is for generic outcomes"):
        parse_form(text)


@pytest.mark.corpus
def test_corpus_generic_totals_survive_the_round_trip(corpus: Path, tmp_path: Path) -> None:
    path = corpus / "revman" / "rm5" / "CD008625StatsDataOnly.rm5"
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    exported = tmp_path / "a.rm5"
    invoke("revman", "import", str(path), str(tmp_path / "a"))
    invoke("--review", str(tmp_path / "a"), "revman", "export", "--out", str(exported))

    def totals(review) -> list[tuple]:
        return sorted((c.no, o.no, r.study_id, r.total_1 or None, r.total_2 or None)
                      for c, o in review.outcomes() if o.kind.value == "IV"
                      for r in o.all_rows())

    before = totals(read_rm5(path))
    assert sum(1 for t in before if t[3]) >= 200
    assert totals(read_rm5(exported)) == before


def test_the_analysis_screen_shows_the_note(repeated: Path, tmp_path: Path) -> None:
    import asyncio

    from textual.widgets import Static

    from reviewflow.tui.screens.analysis import AnalysisScreen
    from tests.tui.support_tui import Host

    folder = tmp_path / "r"
    invoke("revman", "import", str(repeated), str(folder))
    store = Store.open(load_config(folder).database_url())
    form = form_now(store, folder)[1]

    async def scenario() -> None:
        screen = AnalysisScreen(store, form, load_analyses(folder, form))
        async with Host(screen).run_test(size=(160, 60)) as pilot:
            await pilot.pause()
            text = str(screen.query_one("#lines", Static).content)
            assert "Note: Li 2019 is pooled 2 times, as entered in RevMan" in text

    try:
        asyncio.run(scenario())
    finally:
        store.dispose()
