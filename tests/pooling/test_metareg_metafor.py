"""Meta-regression and trim-and-fill agree with R's metafor to 1e-6 relative.

Fixtures from make_metareg_fixtures.R; each case carries its input data, so the
model is rebuilt here from the JSON and nothing is copied by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reviewflow.pooling.metareg import (
    Moderator,
    design_matrix,
    meta_regression,
)
from reviewflow.pooling.metareg_permutation import permutation_test
from reviewflow.pooling.trimfill import Side, trim_and_fill
from reviewflow.pooling.types import Tau2Method

FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "metareg_reference.json").read_text())
REL = 1e-6
ABS = 1e-9


def approx(x):
    return pytest.approx(x, rel=REL, abs=ABS)


def method_of(name: str) -> Tau2Method | None:
    return None if name == "FE" else Tau2Method(name)


def as_list(x) -> list:
    return x if isinstance(x, list) else [x]


def fitted(case: dict):
    data = case["data"]
    mods = [Moderator(name, tuple(data[name])) for name in as_list(case["moderators"])]
    return meta_regression(data["yi"], data["vi"], design_matrix(mods),
                           tau2_method=method_of(case["method"]), hksj=case["knha"])


@pytest.mark.parametrize("case", FIXTURES["metareg"], ids=lambda c: c["name"])
def test_meta_regression_matches_metafor(case: dict) -> None:
    fit = fitted(case)
    assert [c.name for c in fit.coefficients] == [c["name"] for c in case["coefficients"]]
    for ours, ref in zip(fit.coefficients, case["coefficients"], strict=True):
        for key in ("estimate", "se", "stat", "p", "ci_low", "ci_high"):
            assert getattr(ours, key) == approx(ref[key]), (ours.name, key)
    if case["tau2"] is None:
        assert fit.tau2 is None
    else:
        assert fit.tau2 == approx(case["tau2"])
    assert fit.qm.stat == approx(case["qm"])
    assert fit.qm.df == case["qm_df"]
    assert fit.qm.df_resid == case["qm_df_resid"]
    assert fit.qm.p == approx(case["qm_p"])
    assert (fit.qe.q, fit.qe.df, fit.qe.p) == (approx(case["qe"]), case["qe_df"],
                                               approx(case["qe_p"]))
    assert fit.qe.i2 == approx(case["i2"])
    assert fit.qe.h2 == approx(case["h2"])
    if case["method"] == "FE":
        assert fit.r2 is None  # metafor's FE R^2 is a weighted lm's; we do not report it
    else:
        assert fit.r2 == approx(case["r2"])


def test_fixtures_cover_factors_covariates_and_every_estimator() -> None:
    cases = FIXTURES["metareg"]
    assert {c["method"] for c in cases} == {"REML", "DL", "PM", "FE"}
    assert any(c["knha"] for c in cases)
    names = {c["name"] for c in cases}
    assert "bcg ablat+alloc REML" in names  # a covariate and a factor together
    assert any(len(c["coefficients"]) >= 5 for c in cases)  # three moderators, one a factor


def test_exact_permutation_test_matches_metafor() -> None:
    case = next(c for c in FIXTURES["metareg"] if "permutation" in c)
    ref = case["permutation"]
    fit = permutation_test(case["data"]["yi"], case["data"]["vi"], fitted(case),
                           iterations=ref["iterations"])
    assert fit.permutation.exact and fit.permutation.iterations == 1716
    assert fit.permutation.qm_p == approx(ref["qm_p"])
    assert list(fit.permutation.coefficient_p) == [approx(p) for p in ref["p"]]


def test_random_permutation_test_is_reproducible_and_sensible() -> None:
    case = next(c for c in FIXTURES["metareg"] if c["name"] == "bcg ablat REML")
    fit = fitted(case)
    a = permutation_test(case["data"]["yi"], case["data"]["vi"], fit, iterations=200, seed=3)
    b = permutation_test(case["data"]["yi"], case["data"]["vi"], fit, iterations=200, seed=3)
    assert a.permutation == b.permutation and not a.permutation.exact
    # latitude explains most of the heterogeneity: few shuffles do as well
    assert a.permutation.qm_p < 0.05


def test_factor_levels_are_sorted_with_the_first_as_reference() -> None:
    design = design_matrix([Moderator("cell", ("UC", "BM", "AD", "UC"))])
    assert design.names == ("intrcpt", "cellBM", "cellUC")
    assert design.x[:, 1:].tolist() == [[0, 1], [1, 0], [0, 0], [0, 1]]


@pytest.mark.parametrize("mods", [
    [Moderator("a", ("x", "x", "x"))],
    [Moderator("a", (1.0, 2.0, 3.0)), Moderator("b", (2.0, 4.0, 6.0))],
])
def test_degenerate_designs_are_refused(mods) -> None:
    with pytest.raises(ValueError):
        design_matrix(mods)


@pytest.mark.parametrize("case", FIXTURES["trimfill"], ids=lambda c: c["name"])
def test_trim_and_fill_matches_metafor(case: dict) -> None:
    side = Side(case["side_given"]) if case["side_given"] else None
    tf = trim_and_fill(case["data"]["yi"], case["data"]["vi"],
                       tau2_method=method_of(case["method"]), hksj=case["knha"], side=side)
    assert tf.side.value == case["side"]
    assert tf.k0 == case["k0"]
    assert tf.se_k0 == approx(case["se_k0"])
    assert tf.observed.estimate == approx(case["observed"]["estimate"])
    adj = case["adjusted"]
    for key in ("estimate", "se", "stat", "p", "ci_low", "ci_high"):
        assert getattr(tf.adjusted, key) == approx(adj[key]), key
    if adj["tau2"] is not None:
        assert tf.adjusted_tau2 == approx(adj["tau2"])
    filled = sorted((f.estimate, f.variance) for f in tf.filled)
    ref = sorted(zip(as_list(case["filled"]["yi"]), as_list(case["filled"]["vi"]), strict=True))
    assert len(filled) == len(ref)
    for (y, v), (ry, rv) in zip(filled, ref, strict=True):
        assert (y, v) == (approx(ry), approx(rv))


def test_trim_and_fill_cases_reach_both_sides_and_fill() -> None:
    cases = FIXTURES["trimfill"]
    assert {c["side"] for c in cases} == {"left", "right"}
    assert any(c["k0"] == 0 for c in cases) and any(c["k0"] >= 5 for c in cases)


def test_filled_studies_mirror_the_trimmed_estimate() -> None:
    case = next(c for c in FIXTURES["trimfill"] if c["name"] == "hackshaw1998 REML")
    y = np.array(case["data"]["yi"])
    tf = trim_and_fill(y, case["data"]["vi"])
    centre = (tf.filled[0].estimate + y[tf.filled[0].mirror_of]) / 2
    for f in tf.filled:
        assert (f.estimate + y[f.mirror_of]) / 2 == pytest.approx(centre)


def test_trimfill_ranks_match_scipy_ordinal_ranks() -> None:
    """The numpy ranks that replaced scipy.stats.rankdata (whose import was the slowest
    part of 'reviewflow analyse') give the same ranks, ties in order of appearance."""
    import numpy as np
    from scipy.stats import rankdata

    from reviewflow.pooling.trimfill import ordinal_ranks

    rng = np.random.default_rng(7)
    for _ in range(200):
        x = np.abs(np.round(rng.normal(size=int(rng.integers(1, 40))), 1))  # many ties
        assert (ordinal_ranks(x) == rankdata(x, method="ordinal")).all()
