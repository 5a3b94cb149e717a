"""Cluster-randomised trials through extraction forms: each arm's clusters (or mean
cluster size) and ICC give its effective sample size (Handbook 23.1.4), traced."""

from __future__ import annotations

import re

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.form import parse_form
from reviewflow.extraction.run_analysis import pool
from reviewflow.extraction.spreadsheet import header
from reviewflow.extraction.values import reconcile
from tests.extraction.forms import extracted_with, form_now, import_sheet, input_of, write_sheet

FORM = """
[[arms]]
id = "msc"
label = "MSC"
[[arms]]
id = "ctrl"
label = "Control"
[[outcomes]]
id = "vas"
type = "continuous"
reported = ["clusters", "cluster_size", "icc"]
[[outcomes]]
id = "remission"
type = "dichotomous"
reported = ["clusters", "icc"]
[[outcomes]]
id = "os"
type = "generic"
ratio = true
"""

ROWS = [
    # 12 wards of 25 and 12 of 26: mean cluster sizes 25 and 26, ICC 0.05
    {"study": "Wards 2021", "outcome": "remission", "events_msc": "120", "n_msc": "300",
     "clusters_msc": "12", "icc_msc": "0.05", "events_ctrl": "90", "n_ctrl": "312",
     "clusters_ctrl": "12", "icc_ctrl": "0.05"},
    {"study": "Plain 2020", "outcome": "remission", "events_msc": "10", "n_msc": "40",
     "events_ctrl": "6", "n_ctrl": "40"},
    {"study": "Wards 2021", "outcome": "vas", "mean_msc": "3.1", "sd_msc": "1.2", "n_msc": "300",
     "cluster_size_msc": "25", "icc_msc": "0.05", "mean_ctrl": "3.9", "sd_ctrl": "1.3",
     "n_ctrl": "312", "cluster_size_ctrl": "26", "icc_ctrl": "0.05"},
    {"study": "Plain 2020", "outcome": "vas", "mean_msc": "3.0", "sd_msc": "1.0", "n_msc": "40",
     "mean_ctrl": "3.5", "sd_ctrl": "1.1", "n_ctrl": "40"},
    # a hazard ratio from a cluster trial that gives its mean cluster size but no ICC
    {"study": "Wards 2021", "outcome": "os", "effect_estimate": "0.8", "effect_se": "0.1",
     "effect_cluster_size": "25"},
]


@pytest.fixture
def cluster_review(review, tmp_path):
    folder, store = review
    return store, extracted_with(store, folder, FORM, ROWS, tmp_path / "x.csv")


def test_sheet_has_one_column_per_arm_and_cluster_statistic() -> None:
    form = parse_form(FORM)
    cols = header(form)
    for arm in ("msc", "ctrl"):
        assert {f"clusters_{arm}", f"cluster_size_{arm}", f"icc_{arm}"} <= set(cols)
    assert len(cols) == len(set(cols))


def test_dichotomous_cluster_arms_use_effective_sample_size(cluster_review) -> None:
    store, form = cluster_review
    (a,) = parse_analyses('[[analysis]]\nname="r"\noutcome="remission"\nmeasure="RR"\n'
                          'method="MH"\nreported_only=true\n', form)
    data = input_of(store, a, form=form)
    wards = next(c for c in data.comparisons if c.study == "Wards 2021")
    # design effects 1 + 24 x 0.05 = 2.2 and 1 + 25 x 0.05 = 2.25, rounded to whole people
    assert (wards.treat.n.value, wards.treat.events.value) == (136, 55)  # 136.4, 54.5
    assert (wards.ctrl.n.value, wards.ctrl.events.value) == (139, 40)  # 138.7, 40
    assert wards.treat.n.method == "cluster_design_effect"
    assert wards.treat.n.inputs == ("n", "clusters", "icc")
    assert "design effect 2.2 (mean cluster size 25 = n 300 / 12 clusters" in wards.treat.n.note
    assert str(wards.origin) == "converted" and data.marks() == {"Wards 2021": "†"}
    plain = next(c for c in data.comparisons if c.study == "Plain 2020")
    assert plain.treat.n.value == 40 and str(plain.origin) == "reported"
    run = pool(a, data)
    assert run.reported_only is not None and run.reported_only.estimable == 1


def test_continuous_cluster_arms_keep_mean_and_sd(cluster_review) -> None:
    store, form = cluster_review
    (a,) = parse_analyses('[[analysis]]\nname="v"\noutcome="vas"\nmeasure="MD"\n', form)
    wards = next(c for c in input_of(store, a, form=form).comparisons
                 if c.study == "Wards 2021")
    assert (wards.treat.n.value, wards.ctrl.n.value) == (136, 139)
    assert wards.treat.n.inputs == ("n", "cluster_size", "icc")
    assert (wards.treat.mean.value, wards.treat.sd.value) == (3.1, 1.2)
    assert wards.treat.mean.origin.value == "reported"


@pytest.mark.parametrize(("change", "message"), [
    ({"icc_msc": "1.2"}, "row 2, field icc_msc: ICC must be at least 0 and below 1"),
    ({"clusters_msc": ""}, "row 2, field icc_msc: a cluster trial needs its mean cluster "
                           "size (cluster_size) or its number of clusters (clusters)"),
    ({"clusters_msc": "400"}, "row 2, field clusters_msc: 400 is not a whole number of "
                              "clusters between 1 and n (300)"),
    ({"clusters_msc": "0"}, "row 2, field clusters_msc: clusters must be at least 1"),
])
def test_bad_cluster_statistics_are_refused_on_import(review, tmp_path, change,
                                                      message) -> None:
    folder, store = review
    (folder / "extraction_form.toml").write_text(FORM, encoding="utf-8")
    form_id, form = form_now(store, folder)
    rows = [dict(r) for r in ROWS]
    rows[0] |= change
    with pytest.raises(ReviewflowError, match=re.escape(message)):
        import_sheet(store, form, form_id, write_sheet(tmp_path / "b.csv", rows, form), "al",
                          create_studies=True)
    assert reconcile(store).values == {}  # nothing written


def test_an_analysis_can_assume_the_icc_an_arm_does_not_give(review, tmp_path) -> None:
    folder, store = review
    rows = [dict(r) for r in ROWS]
    rows[0] |= {"icc_msc": "", "icc_ctrl": ""}  # the paper gives its wards, not its ICC
    form = extracted_with(store, folder, FORM, rows, tmp_path / "a.csv")
    text = '[[analysis]]\nname="r"\noutcome="remission"\nmeasure="RR"\nmethod="MH"\n'
    (plain,) = parse_analyses(text, form)
    with pytest.raises(ReviewflowError, match=re.escape(
            "analysis 'r': study 'Wards 2021', arm 'MSC', field icc: a cluster trial needs "
            "its ICC")):
        input_of(store, plain, form=form)
    (assumed,) = parse_analyses(text + "icc=0.05\nreported_only=true\n", form)
    assert assumed.icc == 0.05
    data = input_of(store, assumed, form=form)
    wards = next(c for c in data.comparisons if c.study == "Wards 2021")
    assert (wards.treat.n.value, wards.treat.events.value) == (136, 55)
    assert str(wards.origin) == "imputed" and data.marks() == {"Wards 2021": "‡"}
    assert "ICC 0.05 assumed by the analysis" in wards.treat.n.note
    assert pool(assumed, data).reported_only.estimable == 1


def test_analysis_icc_is_checked(cluster_review) -> None:
    _store, form = cluster_review
    for bad, message in (('"high"', "icc.float: must be a number"),
                         ("1.5", "icc: 1.5 is not at least 0 and below 1")):
        with pytest.raises(ReviewflowError, match=re.escape(message)):
            parse_analyses('[[analysis]]\nname="r"\noutcome="remission"\nmeasure="RR"\n'
                           f'icc={bad}\n', form)[0].conversion()


def test_generic_cluster_effect_takes_the_analysis_icc(cluster_review) -> None:
    store, form = cluster_review
    text = '[[analysis]]\nname="os"\noutcome="os"\nmeasure="HR"\n'
    with pytest.raises(ReviewflowError, match=re.escape(
            "study 'Wards 2021', field icc: a cluster trial needs its ICC")):
        input_of(store, parse_analyses(text, form)[0], form=form)
    data = input_of(store, parse_analyses(text + "icc=0.05\n", form)[0], form=form)
    (c,) = data.comparisons
    assert c.effect["se"].value == pytest.approx(0.1 * (1 + 24 * 0.05) ** 0.5, rel=1e-12)
    assert str(c.origin) == "imputed" and data.marks() == {"Wards 2021": "‡"}
