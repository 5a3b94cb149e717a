"""Hand-worked checks of the RevMan-specific formulas and zero-cell rules.

The expected numbers are worked out here step by step from the published
formulas (Deeks & Higgins, "Statistical algorithms in Review Manager 5"), not
taken from the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reviewflow.pooling import pool_continuous, pool_dichotomous, pool_generic
from reviewflow.pooling.effect_sizes import TwoByTwo, dichotomous_effects
from reviewflow.pooling.types import Measure


def test_smd_is_hedges_g_with_revman_correction_and_se() -> None:
    # m1=10 sd1=2 n1=20; m2=8 sd2=3 n2=25; N=45
    s_pooled = math.sqrt((19 * 4 + 24 * 9) / 43)
    g = 2 / s_pooled * (1 - 3 / (4 * 45 - 9))
    se = math.sqrt(45 / (20 * 25) + g * g / (2 * (45 - 3.94)))
    r = pool_continuous([10], [2], [20], [8], [3], [25], measure="SMD", model="fixed")
    s = r.studies[0]
    assert s.estimate == pytest.approx(g, rel=1e-12)
    assert s.se == pytest.approx(se, rel=1e-12)
    assert g == pytest.approx(0.75402, abs=1e-5)  # the number worked on paper


def test_smd_metafor_convention_differs_and_uses_exact_correction() -> None:
    revman = pool_continuous([10], [2], [20], [8], [3], [25], measure="SMD", model="fixed")
    meta = pool_continuous([10], [2], [20], [8], [3], [25], measure="SMD", model="fixed",
                           smd_convention="metafor")
    m = 43
    j = math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2))
    d = 2 / math.sqrt((19 * 4 + 24 * 9) / 43)
    assert meta.studies[0].estimate == pytest.approx(d * j, rel=1e-12)
    assert meta.studies[0].se ** 2 == pytest.approx(1 / 20 + 1 / 25 + (d * j) ** 2 / 90)
    assert meta.studies[0].se != pytest.approx(revman.studies[0].se, rel=1e-6)


def test_mh_heterogeneity_is_q_around_the_mh_estimate_with_iv_weights() -> None:
    e1, n1, e2, n2 = [12, 5, 30], [50, 40, 100], [20, 9, 28], [52, 41, 98]
    r = pool_dichotomous(e1, n1, e2, n2, measure="OR", method="MH", model="fixed")
    a, b = np.array(e1, float), np.array(n1, float) - e1
    c, d = np.array(e2, float), np.array(n2, float) - e2
    n = a + b + c + d
    or_mh = (a * d / n).sum() / (b * c / n).sum()
    y = np.log(a * d / (b * c))
    w = 1 / (1 / a + 1 / b + 1 / c + 1 / d)
    q = float((w * (y - math.log(or_mh)) ** 2).sum())
    assert r.overall.estimate == pytest.approx(math.log(or_mh), rel=1e-12)
    assert r.overall.heterogeneity.q == pytest.approx(q, rel=1e-12)
    assert r.overall.heterogeneity.i2 == pytest.approx(max(0, (q - 2) / q) * 100)
    # weights shown are the M-H weights b*c/N
    mh_w = b * c / n
    assert [s.weight for s in r.studies] == pytest.approx(list(100 * mh_w / mh_w.sum()))


def test_mh_random_is_dl_tau2_from_the_mh_q_pooled_by_inverse_variance() -> None:
    e1, n1, e2, n2 = [12, 5, 30, 2], [50, 40, 100, 30], [20, 9, 28, 10], [52, 41, 98, 31]
    fixed = pool_dichotomous(e1, n1, e2, n2, measure="RR", method="MH", model="fixed")
    rand = pool_dichotomous(e1, n1, e2, n2, measure="RR", method="MH", model="random")
    y = np.array([s.estimate for s in fixed.studies])
    v = np.array([s.se for s in fixed.studies]) ** 2
    w = 1 / v
    q = fixed.overall.heterogeneity.q
    tau2 = max(0.0, (q - 3) / (w.sum() - (w * w).sum() / w.sum()))
    wr = 1 / (v + tau2)
    assert rand.overall.heterogeneity.q == q
    assert rand.overall.heterogeneity.tau2 == pytest.approx(tau2, rel=1e-12)
    assert rand.overall.estimate == pytest.approx(float((wr * y).sum() / wr.sum()), rel=1e-12)
    pi_half = stats.t.ppf(0.975, 2) * math.sqrt(tau2 + 1 / wr.sum())
    assert rand.overall.prediction_interval == pytest.approx(
        (rand.overall.estimate - pi_half, rand.overall.estimate + pi_half))


def test_any_zero_cell_adds_half_to_all_four_cells() -> None:
    t = TwoByTwo.from_counts(np.array([0.0]), np.array([10.0]), np.array([3.0]), np.array([12.0]))
    y, v = dichotomous_effects(t, Measure.OR)
    assert y[0] == pytest.approx(math.log(0.5 * 9.5 / (10.5 * 3.5)))
    assert v[0] == pytest.approx(1 / 0.5 + 1 / 10.5 + 1 / 3.5 + 1 / 9.5)
    y, v = dichotomous_effects(t, Measure.RR)
    assert y[0] == pytest.approx(math.log((0.5 / 11) / (3.5 / 13)))


def test_mh_sums_use_the_corrected_cells() -> None:
    r = pool_dichotomous([0, 4], [10, 20], [3, 6], [12, 20], measure="OR", method="MH",
                         model="fixed")
    a, b, c, d = np.array([0.5, 4]), np.array([10.5, 16]), np.array([3.5, 6]), np.array([9.5, 14])
    n = a + b + c + d
    assert r.overall.estimate == pytest.approx(math.log((a * d / n).sum() / (b * c / n).sum()))


@pytest.mark.parametrize("measure,method", [("RR", "MH"), ("OR", "MH"), ("OR", "Peto"),
                                            ("RR", "IV"), ("OR", "IV")])
def test_double_zero_and_all_event_studies_are_not_estimable_for_ratios(measure, method) -> None:
    r = pool_dichotomous([0, 5, 7, 10], [10, 10, 20, 10], [0, 3, 9, 12], [12, 10, 20, 12],
                         measure=measure, method=method, model="fixed")
    assert [s.estimable for s in r.studies] == [False, True, True, False]
    assert r.overall.k == 2 and r.overall.heterogeneity.df == 1
    assert math.isnan(r.studies[0].weight)


def test_risk_difference_keeps_double_zero_studies() -> None:
    r = pool_dichotomous([0, 5], [10, 10], [0, 3], [12, 10], measure="RD", method="IV",
                         model="fixed")
    s = r.studies[0]
    assert s.estimable and s.estimate == 0.0
    # variance from the corrected cells: 0.5*10.5/11^3 + 0.5*12.5/13^3
    assert s.se ** 2 == pytest.approx(0.5 * 10.5 / 11**3 + 0.5 * 12.5 / 13**3)
    assert r.overall.k == 2


def test_mh_risk_difference_uses_raw_counts_and_greenland_robins_variance() -> None:
    e1, n1, e2, n2 = [3, 0], [20, 15], [7, 4], [21, 16]
    r = pool_dichotomous(e1, n1, e2, n2, measure="RD", method="MH", model="fixed")
    w = np.array([20 * 21 / 41, 15 * 16 / 31])
    rd = np.array([3 / 20 - 7 / 21, 0 / 15 - 4 / 16])
    assert r.overall.estimate == pytest.approx(float((w * rd).sum() / w.sum()))
    # study 2 has a zero cell: its variance term uses 0.5, 15.5, 4.5, 12.5
    t1 = (3 * 17 * 21**3 + 7 * 14 * 20**3) / (20 * 21 * 41**2)
    t2 = (0.5 * 15.5 * 17**3 + 4.5 * 12.5 * 16**3) / (16 * 17 * 33**2)
    assert r.overall.se == pytest.approx(math.sqrt((t1 + t2) / w.sum() ** 2))


def test_subgroup_difference_is_q_across_subgroup_estimates() -> None:
    est, se = [0.1, 0.3, -0.2, 0.5, 0.4], [0.1, 0.2, 0.15, 0.3, 0.25]
    groups = ["A", "A", "B", "B", "B"]
    r = pool_generic(est, se, subgroups=groups, measure="MD", model="fixed")
    ests, ses = [], []
    for g in ("A", "B"):
        idx = [i for i, x in enumerate(groups) if x == g]
        w = np.array([1 / se[i] ** 2 for i in idx])
        ests.append(float((w * np.array([est[i] for i in idx])).sum() / w.sum()))
        ses.append(math.sqrt(1 / w.sum()))
    w = 1 / np.array(ses) ** 2
    mean = (w * ests).sum() / w.sum()
    q = float((w * (np.array(ests) - mean) ** 2).sum())
    d = r.subgroup_difference
    assert d is not None and d.df == 1
    assert d.q == pytest.approx(q, rel=1e-12)
    assert d.p == pytest.approx(stats.chi2.sf(q, 1), rel=1e-10)
    assert d.i2 == pytest.approx(max(0.0, (q - 1) / q) * 100)
    assert [g.weight for g in r.subgroups] == pytest.approx(
        [sum(s.weight for s in r.studies if s.subgroup == g) for g in ("A", "B")])


def test_random_subgroups_each_get_their_own_tau2() -> None:
    est = [0.1, 0.9, 0.2, -0.5, 0.4, 0.45]
    se = [0.1, 0.1, 0.15, 0.1, 0.1, 0.1]
    groups = ["A", "A", "A", "B", "B", "B"]
    r = pool_generic(est, se, subgroups=groups, measure="MD", model="random")
    alone = pool_generic(est[:3], se[:3], measure="MD", model="random")
    assert r.subgroups[0].pooled.heterogeneity.tau2 == pytest.approx(
        alone.overall.heterogeneity.tau2)
    assert r.subgroups[0].pooled.heterogeneity.tau2 != pytest.approx(
        r.subgroups[1].pooled.heterogeneity.tau2)


def test_single_study_has_no_heterogeneity_statistics() -> None:
    r = pool_generic([0.2], [0.1], measure="MD", model="random")
    h = r.overall.heterogeneity
    assert h.df == 0 and math.isnan(h.p) and math.isnan(h.i2)
    assert r.overall.prediction_interval is None


@pytest.mark.parametrize("p,shown", [(0.2634, "P = 0.26"), (0.0412, "P = 0.04"),
                                     (0.0021, "P = 0.002"), (0.00031, "P = 0.0003"),
                                     (0.00007, "P < 0.0001"), (3e-9, "P < 0.00001")])
def test_p_values_are_printed_as_revman_prints_them(p: float, shown: str) -> None:
    from reviewflow.pooling.formatting import format_p

    assert format_p(p) == shown


def test_no_estimable_study_gives_not_estimable_studies_and_total() -> None:
    # RevMan 5 shows every study and the total "Not estimable" (28 outcomes of
    # the corpus files, e.g. every trial with no events in either arm).
    r = pool_dichotomous([0, 0], [10, 12], [0, 0], [10, 9], measure="RR", method="MH",
                         model="random", subgroups=["a", "b"])
    assert not r.overall.estimable and r.overall.k == 0
    assert math.isnan(r.overall.estimate) and math.isnan(r.overall.p)
    assert [s.estimable for s in r.studies] == [False, False]
    assert r.subgroups == () and r.subgroup_difference is None
    one = pool_dichotomous([3], [10], [2], [10], measure="RR", method="MH", model="fixed")
    assert one.overall.estimable and one.overall.k == 1


def test_rd_mh_single_study_with_zero_cells_reports_the_study_ci() -> None:
    # 0/13 vs 0/12: RevMan's CI is the study's own, SE^2 = a b / n1^3 + c d / n2^3
    # on the corrected cells (0.5, 13.5 | 0.5, 12.5).
    se = math.sqrt(0.5 * 13.5 / 14**3 + 0.5 * 12.5 / 13**3)
    r = pool_dichotomous([0], [13], [0], [12], measure="RD", method="MH", model="fixed")
    assert r.overall.estimate == 0.0
    assert r.overall.se == pytest.approx(se, rel=1e-12)
    assert r.overall.ci_high == pytest.approx(1.959963984540054 * se, rel=1e-12)
    assert r.studies[0].se == pytest.approx(se, rel=1e-12)
    # With two studies the Greenland-Robins variance (raw weights) still applies.
    two = pool_dichotomous([0, 2], [13, 20], [0, 1], [12, 21], measure="RD", method="MH",
                           model="fixed")
    assert two.overall.se != pytest.approx(two.studies[1].se, rel=1e-3)
