"""Declared analyses: parsing, the pooling DataFrame, and blocking on discrepancies."""

from __future__ import annotations

import pytest
from extraction_data import TRIALS

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import parse_analyses, select_analyses
from reviewflow.extraction.form import parse_form
from reviewflow.extraction.run_analysis import fmt_p
from tests.extraction.forms import TEST_FORM_TEXT, form_now, input_of, save_values, settle_value
from tests.screening.support import add_reviewer

FORM = parse_form(TEST_FORM_TEXT)
VAS = 'name = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\nsubgroup = "cell_source"\n'


def _one(text: str):
    return parse_analyses(f"[[analysis]]\n{text}", FORM)[0]


@pytest.mark.parametrize(("text", "problem"), [
    ('name = "x"\noutcome = "pain_vas"\nmeasure = "RR"\n', "does not fit continuous"),
    ('name = "x"\noutcome = "grip"\nmeasure = "MD"\n', "unknown outcome 'grip'"),
    ('name = "x"\noutcome = "pain_vas"\nmeasure = "MD"\nsubgroup = "colour"\n',
     "unknown study field 'colour'"),
    ('name = "x"\noutcome = "pain_vas"\n', "missing key 'measure'"),
    ('name = "x"\noutcome = "pain_vas"\nmeasure = "MD"\nmodle = "fixed"\n', "unknown key"),
])
def test_bad_declarations_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ReviewflowError, match=problem):
        _one(text)


def test_selecting_analyses() -> None:
    two = parse_analyses(f"[[analysis]]\n{VAS}[[analysis]]\nname = 'ae'\n"
                         "outcome = 'adverse_events'\nmeasure = 'RR'\nmethod = 'MH'\n", FORM)
    assert [a.name for a in select_analyses(two, None, True)] == ["vas", "ae"]
    assert select_analyses(two, "ae", False)[0].method == "MH"
    with pytest.raises(ReviewflowError, match="declared: vas, ae"):
        select_analyses(two, "nope", False)
    with pytest.raises(ReviewflowError, match="or pass --all"):
        select_analyses(two, None, False)


def test_input_has_the_pool_csv_columns_and_subgroup(extracted) -> None:
    _folder, store, _ids = extracted
    df = input_of(store, _one(VAS)).frame()
    assert list(df.columns) == ["study", "mean_treat", "sd_treat", "n_treat", "mean_ctrl",
                                "sd_ctrl", "n_ctrl", "cell_source"]
    assert list(df["study"]) == sorted(TRIALS)
    alda = df.set_index("study").loc["Alda 2018"]
    assert (alda["mean_treat"], alda["sd_ctrl"], alda["n_ctrl"]) == (32.0, 16.0, 20.0)
    ae = input_of(store, _one('name="ae"\noutcome="adverse_events"\nmeasure="RR"\n'))
    ae = ae.frame()
    assert list(ae.columns) == ["study", "events_treat", "n_treat", "events_ctrl", "n_ctrl"]


def test_where_and_exclude_select_studies(extracted) -> None:
    _folder, store, _ids = extracted
    df = input_of(store, _one(VAS + 'exclude = ["Fox 2022"]\n')).frame()
    assert "Fox 2022" not in set(df["study"]) and len(df) == 5
    with pytest.raises(ReviewflowError, match="no study has reconciled data"):
        input_of(store, _one(VAS + 'where = { disease = "lupus" }\n'))


def test_unresolved_discrepancy_blocks_until_resolved(extracted) -> None:
    folder, store, ids = extracted
    form_id, form = form_now(store, folder)
    bob = int(add_reviewer(store, "bob").id or 0)
    path = "outcome/pain_vas/arm/ctrl/sd"
    save_values(store, form, form_id, bob, [(ids["Brun 2019"], path, "51")])
    with pytest.raises(ReviewflowError, match=r"blocked by 1 unresolved.*Brun 2019 "
                       r"outcome/pain_vas/arm/ctrl/sd: alice: 15.0, bob: 51"):
        input_of(store, _one(VAS))
    # another outcome is not touched by that discrepancy
    input_of(store, _one('name="ae"\noutcome="adverse_events"\nmeasure="RR"\n'))
    settle_value(store, form, form_id, study_id=ids["Brun 2019"], reviewer_id=bob, path=path,
            value="15")
    df = input_of(store, _one(VAS)).frame()
    assert df.set_index("study").loc["Brun 2019", "sd_ctrl"] == 15.0


@pytest.mark.parametrize(("p", "text"), [
    (0.002, "P = 0.002"), (0.0009, "P = 0.0009"), (0.15, "P = 0.15"), (0.5, "P = 0.50"),
    (0.76, "P = 0.76"), (0.000003, "P < 0.00001"), (0.0003, "P = 0.0003"),
    (0.00005, "P < 0.0001"), (None, "P not applicable"),
])
def test_p_values_print_as_revman_does(p: float, text: str) -> None:
    assert fmt_p(p) == text


def test_single_study_heterogeneity_is_not_applicable() -> None:
    from reviewflow.extraction.run_analysis import heterogeneity_line
    from reviewflow.pooling.types import Heterogeneity

    nan = float("nan")
    assert heterogeneity_line(Heterogeneity(0.0, 0, nan, nan, 0.0),
                              True) == "Heterogeneity: Not applicable"
    assert heterogeneity_line(Heterogeneity(6.55, 5, 0.256, 23.7, 0.031),
                              True) == ("Heterogeneity: Tau² = 0.03; Chi² = 6.55, df = 5 "
                                        "(P = 0.26); I² = 24%")


def test_favours_labels_follow_the_outcome_direction() -> None:
    """Left of the line favours the treatment only when lower values are better."""
    from reviewflow.extraction.run_analysis import favours

    form = parse_form(TEST_FORM_TEXT)
    arms = (form.arms[0].label, form.arms[1].label)
    lower = next(o for o in form.outcomes if o.direction == "lower_is_better")
    assert favours(lower, arms) == (f"Favours {arms[0]}", f"Favours {arms[1]}")
    higher = next(o for o in form.outcomes if o.direction == "higher_is_better")
    assert favours(higher, arms) == (f"Favours {arms[1]}", f"Favours {arms[0]}")
