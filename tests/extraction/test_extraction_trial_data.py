"""Trial data as trials report it, through extraction: several arms, reported statistics,
reported effects (generic inverse variance), and the refusals that keep numbers honest."""

from __future__ import annotations

import re

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.form import parse_form
from reviewflow.extraction.run_analysis import pool, summary_lines
from reviewflow.extraction.values import reconcile
from reviewflow.pooling import conversions as cv
from tests.extraction.forms import extracted_with, form_now, import_sheet, input_of, write_sheet

FORM = """
[[study_fields]]
name = "disease"
[[arms]]
id = "bm"
label = "Bone marrow MSC"
role = "intervention"
[[arms]]
id = "uc"
label = "Umbilical cord MSC"
role = "intervention"
[[arms]]
id = "ctrl"
label = "Control"
role = "control"
[[arm_fields]]
name = "cell_source"
type = "choice"
choices = ["bone marrow", "umbilical cord"]
[[outcomes]]
id = "vas"
type = "continuous"
reported = "all"
[[outcomes]]
id = "response"
type = "dichotomous"
reported = ["percent"]
[[outcomes]]
id = "survival"
type = "generic"
ratio = true
[[outcomes]]
id = "pain_diff"
type = "generic"
"""

ROWS = [
    {"study": "Three 2020", "outcome": "vas", "bm_cell_source": "bone marrow",
     "uc_cell_source": "umbilical cord", "mean_bm": "3.1", "sd_bm": "1.2", "n_bm": "20",
     "mean_uc": "2.9", "sd_uc": "1.1", "n_uc": "21", "mean_ctrl": "4.2", "sd_ctrl": "1.3",
     "n_ctrl": "41"},
    {"study": "Median 2021", "outcome": "vas", "uc_cell_source": "umbilical cord",
     "median_uc": "2.5", "q1_uc": "1.8", "q3_uc": "3.4", "n_uc": "30", "mean_ctrl": "4.0",
     "se_ctrl": "0.25", "n_ctrl": "30"},
    {"study": "Three 2020", "outcome": "response", "events_bm": "12", "n_bm": "20",
     "percent_uc": "50", "n_uc": "21", "events_ctrl": "9", "n_ctrl": "41"},
    {"study": "Median 2021", "outcome": "survival", "effect_estimate": "0.75",
     "effect_ci_low": "0.6", "effect_ci_high": "0.94"},
    {"study": "Cluster 2022", "outcome": "survival", "effect_estimate": "0.8",
     "effect_se": "0.1", "effect_cluster_size": "25", "effect_icc": "0.05"},
    {"study": "Cross 2019", "outcome": "pain_diff", "effect_mean_e": "7.0", "effect_mean_c": "6.5",
     "effect_sd_e": "2.38", "effect_sd_c": "2.21", "effect_corr": "0.68", "effect_n": "10"},
]


@pytest.fixture
def trial_review(review, tmp_path):
    folder, store = review
    return folder, store, extracted_with(store, folder, FORM, ROWS, tmp_path / "x.csv")


def _analysis(form, text: str):
    return parse_analyses(f"[[analysis]]\n{text}", form)[0]


def test_three_arm_split_by_arm_cell_source_and_median_conversion(trial_review) -> None:
    _folder, store, form = trial_review
    a = _analysis(form, 'name="vas"\noutcome="vas"\nmeasure="MD"\nsubgroup="cell_source"\n'
                        "reported_only=true\n")
    data = input_of(store, a, form=form)
    labels = [(c.label, c.subgroup) for c in data.comparisons]
    assert labels == [("Three 2020 (bone marrow)", "bone marrow"),
                      ("Median 2021", "umbilical cord"),
                      ("Three 2020 (umbilical cord)", "umbilical cord")]
    shares = [c.ctrl.n.value for c in data.comparisons if c.study == "Three 2020"]
    assert shares == [21, 20] and sum(shares) == 41  # never the same participants twice
    median = next(c for c in data.comparisons if c.study == "Median 2021")
    expected = cv.from_median(30, 2.5, 1.8, 3.4)
    assert median.treat.mean.value == pytest.approx(expected.mean.value)
    assert median.ctrl.sd.method == "se_sqrt_n"
    assert median.ctrl.sd.value == pytest.approx(0.25 * 30 ** 0.5)
    run = pool(a, data)
    assert run.reported_only is not None and run.reported_only.estimable == 2
    lines = summary_lines(run)
    assert any(line.startswith("  Reported data only (k = 2): MD = ") for line in lines)
    assert run.input.marks() == {"Median 2021": "†"}


def test_combine_and_percent_events(trial_review) -> None:
    _folder, store, form = trial_review
    a = _analysis(form, 'name="r"\noutcome="response"\nmeasure="RR"\nmethod="MH"\n'
                        'multi_arm="combine"\n')
    (c,) = input_of(store, a, form=form).comparisons
    assert (c.treat.n.value, c.treat.events.value) == (41, 12 + 11)  # 50% of 21 = 10.5 -> 11
    assert c.treat.events.method == "combine_groups"
    assert c.origin.value == "converted"  # one arm's events came from a percentage
    run = pool(a, input_of(store, a, form=form))
    assert "    Multi-arm: Three 2020: combined 2+1 arms (Handbook 6.5.2.10)" in \
        summary_lines(run)
    only_bm = _analysis(form, 'name="r2"\noutcome="response"\nmeasure="RR"\nmethod="MH"\n'
                              'intervention="bm"\n')
    (c2,) = input_of(store, only_bm, form=form).comparisons
    assert (c2.treat.arm, c2.ctrl.n.value) == ("Bone marrow MSC", 41)


def test_generic_ratio_outcome_from_ci_and_cluster(trial_review) -> None:
    import math

    _folder, store, form = trial_review
    a = _analysis(form, 'name="os"\noutcome="survival"\nmeasure="HR"\n')
    data = input_of(store, a, form=form)
    by = {c.study: c.effect for c in data.comparisons}
    assert by["Median 2021"]["estimate"].value == pytest.approx(math.log(0.75))
    assert by["Median 2021"]["se"].method == "ci_z"
    assert by["Cluster 2022"]["se"].value == pytest.approx(0.1 * (1 + 24 * 0.05) ** 0.5)
    run = pool(a, data)
    pooled = {s.study: s.estimate for s in run.result.studies}
    assert pooled == pytest.approx({"Median 2021": math.log(0.75), "Cluster 2022": math.log(0.8)})
    with pytest.raises(ReviewflowError, match="whose effects are ratios"):
        _analysis(form, 'name="x"\noutcome="survival"\nmeasure="MD"\n')


@pytest.mark.parametrize(("change", "message"), [
    ({"q1_uc": "2.6"}, "row 3, field q1_uc: Q1 (2.6) is above the median (2.5)"),
    ({"percent_bm": "90"}, "row 4, field percent_bm: 90% of 20 is not 12 events; check both"),
    ({"se_ctrl": "", "mean_ctrl": ""}, "row 3, field mean_ctrl: missing"),
    ({"effect_ci_low": "0.8"}, "row 5, field effect_estimate: 0.75 is outside its confidence"),
])
def test_bad_reported_statistics_are_refused_on_import(review, tmp_path, change,
                                                       message) -> None:
    folder, store = review
    (folder / "extraction_form.toml").write_text(FORM, encoding="utf-8")
    form_id, form = form_now(store, folder)
    key = next(iter(change))
    row = 3 if "effect" in key else 2 if key.endswith("_bm") else 1
    rows = [dict(r) for r in ROWS]
    rows[row] |= change
    with pytest.raises(ReviewflowError, match=re.escape(message)):
        import_sheet(store, form, form_id, write_sheet(tmp_path / "b.csv", rows, form), "al",
                          create_studies=True)
    assert reconcile(store).values == {}  # nothing written


@pytest.mark.parametrize(("text", "message"), [
    ('intervention="ctrl"\n', "arm 'ctrl' is both intervention and comparator"),
    ('multi_arm="merge"\n', "multi_arm must be split or combine"),
    ('intervention="xx"\n', "unknown arm 'xx'"),
    ('convert="median"\n', "unknown method 'median'"),
])
def test_bad_analysis_choices(text: str, message: str) -> None:
    form = parse_form(FORM)
    with pytest.raises(ReviewflowError, match=message):
        _analysis(form, 'name="v"\noutcome="vas"\nmeasure="MD"\n' + text)


def test_combining_arms_of_different_subgroups_is_refused(trial_review) -> None:
    _folder, store, form = trial_review
    a = _analysis(form, 'name="v"\noutcome="vas"\nmeasure="MD"\nsubgroup="cell_source"\n'
                        'multi_arm="combine"\n')
    with pytest.raises(ReviewflowError, match="study 'Three 2020': its intervention arms fall "
                       "in different subgroups"):
        input_of(store, a, form=form)


def test_skewness_warnings_reach_the_summary(trial_review) -> None:
    _folder, store, form = trial_review
    a = _analysis(form, 'name="vas"\noutcome="vas"\nmeasure="MD"\nlower_bound=0\n')
    run = pool(a, input_of(store, a, form=form))
    warnings = [line for line in summary_lines(run) if line.startswith("    Warning: ")]
    # Three 2020's arms: means 3.1 and 2.9 with SDs 1.2 and 1.1 are more than 2 SD above 0;
    # Median 2021's control (mean 4.0, SD 0.25 x sqrt(30) = 1.37) is too.
    assert warnings == []
    b = _analysis(form, 'name="vas2"\noutcome="vas"\nmeasure="MD"\nlower_bound=2\n')
    run = pool(b, input_of(store, b, form=form))
    warnings = [line for line in summary_lines(run) if line.startswith("    Warning: ")]
    assert any("Altman & Bland 1996" in w and "Three 2020" in w for w in warnings)


def test_crossover_trial_as_a_generic_outcome(trial_review) -> None:
    """The Handbook's cross-over example (23.2.7; 5.1: 16.4.6.4): MD 0.5, SE 0.583."""
    _folder, store, form = trial_review
    a = _analysis(form, 'name="x"\noutcome="pain_diff"\nmeasure="MD"\n')
    (c,) = input_of(store, a, form=form).comparisons
    assert c.effect["estimate"].value == pytest.approx(0.5)
    assert c.effect["se"].value == pytest.approx(0.583, abs=5e-4)
    assert c.origin.value == "imputed"  # the correlation is an assumption
