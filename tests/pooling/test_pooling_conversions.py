"""Conversions of reported statistics against their references (fixture names each source),
and against identities that hold exactly (combining groups = pooling the raw data)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from reviewflow.pooling import conversions as cv

REF = json.loads((Path(__file__).parent / "fixtures" / "conversions_reference.json").read_text())


@pytest.mark.parametrize("case", REF["fivenum"], ids=lambda c: c["source"][:40])
def test_fivenum_matches_metafor(case: dict) -> None:
    got = cv.from_median(case["n"], case["median"], case.get("q1"), case.get("q3"),
                         case.get("min"), case.get("max"), mean_method=case["mean_method"],
                         sd_method=case["sd_method"])
    assert got.mean.value == pytest.approx(case["mean"], rel=case["tol"])
    assert got.sd.value == pytest.approx(case["sd"], rel=case["tol"])
    assert [got.mean.method, got.sd.method] == case["expect_methods"]


def test_default_sd_for_all_five_is_shi2020() -> None:
    got = cv.from_median(100, 15, 10, 22, 0, 50)
    assert got.sd.method == "shi2020"
    w = 1 / (1 + 0.07 * 100 ** 0.6)
    wan_range = cv.sd_from_median(100, 15, minimum=0, maximum=50).value
    wan_iqr = cv.sd_from_median(100, 15, q1=10, q3=22).value
    assert got.sd.value == pytest.approx(w * wan_range + (1 - w) * wan_iqr, rel=1e-12)


def test_wan_hozo_bland_formulas() -> None:
    # Wan 2014 S2 mean (q1 + m + q3)/3; Hozo S1 small n (a + 2m + b)/4; Bland S3.
    assert cv.mean_from_median(30, 15, 10, 22, method="wan2014").value == pytest.approx(47 / 3)
    assert cv.mean_from_median(20, 15, minimum=0, maximum=50, method="hozo2005").value == 20
    assert cv.mean_from_median(40, 15, minimum=0, maximum=50, method="hozo2005").value == 15
    assert cv.sd_from_median(40, 15, minimum=0, maximum=50, method="hozo2005").value == 12.5
    assert cv.sd_from_median(80, 15, minimum=0, maximum=50, method="hozo2005").value == \
        pytest.approx(50 / 6)
    # Bland's SD for a symmetric summary of a uniform-ish sample is finite and positive
    sd = cv.sd_from_median(100, 15, 10, 20, 5, 25, method="bland2015").value
    assert 4 < sd < 7
    with pytest.raises(cv.ConversionError, match="bland2015 does not estimate the SD from "
                                                  "Q1/median/Q3"):
        cv.sd_from_median(100, 15, 10, 22, method="bland2015")
    with pytest.raises(cv.ConversionError, match="unknown mean method"):
        cv.mean_from_median(100, 15, 10, 22, method="nonsense")


def test_skewness_test_warns_on_skewed_summary_only() -> None:
    skewed = cv.from_median(100, 15, minimum=0, maximum=50)
    assert skewed.skew is not None and skewed.skew.skewed
    assert "skewed" in skewed.mean.warnings[0] and "Shi et al. 2023" in skewed.sd.warnings[0]
    symmetric = cv.from_median(100, 15, 10, 20, 0, 30)
    assert symmetric.skew is not None and not symmetric.skew.skewed
    assert symmetric.mean.warnings == ()
    assert cv.looks_skewed(mean=3.0, sd=2.0) and not cv.looks_skewed(mean=10.0, sd=2.0)


@pytest.mark.parametrize("case", REF["ci_divisor"], ids=lambda c: str(c["n"]))
def test_ci_divisor_follows_the_handbook(case: dict) -> None:
    divisor, method = cv.ci_divisor(case["n"])
    assert divisor == pytest.approx(case["divisor"], abs=case["tol"])
    assert method == case["method"]


def test_sd_from_ci_and_se() -> None:
    # n = 25: width 4.128 SEs, so a CI 4.128 wide gives SE 1 and SD 5.
    got = cv.sd_from_ci(10 - 2.0639, 10 + 2.0639, 25, mean=10)
    assert got.value == pytest.approx(5.0, abs=1e-4) and got.method == "ci_t"
    assert "24 df" in got.note
    big = cv.sd_from_ci(8.04, 11.96, 100)
    assert big.method == "ci_z" and big.value == pytest.approx(10 * 3.92 / 3.919928, rel=1e-6)
    assert cv.sd_from_se(2.0, 49).value == 14.0
    assert cv.sd_from_se(2.0, 49).method == "se_sqrt_n"


@pytest.mark.parametrize("case", REF["se_from_p"], ids=lambda c: "p")
def test_se_from_p_handbook_example(case: dict) -> None:
    got = cv.se_from_p(case["estimate"], case["p"], df=case["df"])
    assert got.value == pytest.approx(case["se"], abs=case["tol"])
    assert float(got.note.removeprefix("t = ")) == pytest.approx(case["t"], abs=5e-3)
    z = cv.se_from_p(case["estimate"], case["p"])
    assert z.method == "se_from_p_z" and z.value > got.value * 0.95


def test_se_from_ci_ratio_is_on_log_scale() -> None:
    got = cv.se_from_ci(0.5, 2.0, ratio=True)
    assert got.value == pytest.approx(math.log(4) / (2 * 1.959964), rel=1e-6)
    assert got.note == "log scale"


@pytest.mark.parametrize("case", REF["crossover"], ids=lambda c: "crossover")
def test_crossover_handbook_example(case: dict) -> None:
    a = cv.crossover_md(case["mean_e"], case["mean_c"], case["n"], sd_diff=case["sd_diff"])
    assert a.se.value == pytest.approx(case["se_md_from_sd_diff"], abs=case["tol"])
    b = cv.crossover_md(case["mean_e"], case["mean_c"], case["n"], sd_e=case["sd_e"],
                        sd_c=case["sd_c"], corr=case["corr"])
    assert b.se.value == pytest.approx(case["se_md_from_corr"], abs=case["tol"])
    assert b.se.origin is cv.Origin.IMPUTED
    s = cv.crossover_smd(case["mean_e"], case["mean_c"], case["sd_e"], case["sd_c"], case["n"],
                         case["corr"])
    assert s.estimate.value == pytest.approx(case["smd"], abs=case["tol"])
    assert s.se.value == pytest.approx(case["se_smd"], abs=case["tol"])


def test_change_sd_round_trips_raw_paired_data() -> None:
    rng = np.random.default_rng(7)
    base = rng.normal(50, 10, 200)
    final = 0.7 * base + rng.normal(5, 6, 200)
    sdb, sdf, sdc = base.std(ddof=1), final.std(ddof=1), (final - base).std(ddof=1)
    r = cv.correlation_from_change(sdb, sdf, sdc)
    assert r == pytest.approx(np.corrcoef(base, final)[0, 1], rel=1e-9)
    imputed = cv.sd_change(sdb, sdf, r, imputed_from="Lee 2020")
    assert imputed.value == pytest.approx(sdc, rel=1e-9)
    assert imputed.origin is cv.Origin.IMPUTED and "Lee 2020" in imputed.note
    with pytest.raises(cv.ConversionError, match="outside -1 to 1"):
        cv.correlation_from_change(1.0, 1.0, 5.0)


def test_combining_groups_equals_pooling_the_raw_data() -> None:
    rng = np.random.default_rng(3)
    parts = [rng.normal(m, s, n) for m, s, n in ((10, 2, 17), (14, 5, 23), (9, 1, 8))]
    got = cv.combine_continuous([cv.Group(len(p), p.mean(), p.std(ddof=1)) for p in parts])
    everything = np.concatenate(parts)
    assert got.n == len(everything)
    assert got.mean == pytest.approx(everything.mean(), rel=1e-12)
    assert got.sd == pytest.approx(everything.std(ddof=1), rel=1e-12)
    assert cv.combine_dichotomous([(3, 10), (4, 12)]) == (7, 22)


def test_split_control_divides_as_evenly_as_integers_allow() -> None:
    assert cv.split_control(41, 2, 9) == [(21, 5), (20, 4)]
    assert cv.split_control(30, 3) == [(10, None)] * 3
    with pytest.raises(cv.ConversionError, match="0 participants"):
        cv.split_control(2, 3, 1)


def test_cluster_design_effect() -> None:
    assert cv.design_effect(30, 0.02) == pytest.approx(1.58)
    got = cv.cluster_se(0.2, 30, 0.02)
    assert got.value == pytest.approx(0.2 * math.sqrt(1.58))
    assert "1.58" in got.note
    with pytest.raises(cv.ConversionError, match="icc"):
        cv.design_effect(30, 1.5)


@pytest.mark.parametrize(("kwargs", "field", "text"), [
    (dict(n=50, median=15, q1=20, q3=22), "q1", "Q1 (20) is above the median (15)"),
    (dict(n=50, median=15, q1=10, q3=12), "median", "median (15) is above the Q3 (12)"),
    (dict(n=50, median=15), "q1", "needs Q1 and Q3"),
    (dict(n=1, median=15, q1=10, q3=22), "n", "at least 2"),
])
def test_bad_five_number_summaries_name_the_field(kwargs, field, text) -> None:
    with pytest.raises(cv.ConversionError) as err:
        cv.from_median(**kwargs)
    assert err.value.field == field and text in str(err.value)
    located = str(err.value.at("Wang 2019", "bone marrow"))
    assert located.startswith(f"study 'Wang 2019', arm 'bone marrow', field {field}: ")


def test_bad_ci_inputs() -> None:
    with pytest.raises(cv.ConversionError, match="outside its confidence interval"):
        cv.sd_from_ci(1, 2, 30, mean=3)
    with pytest.raises(cv.ConversionError, match="at least 2"):
        cv.sd_from_ci(1, 2, 1)
    with pytest.raises(cv.ConversionError, match="not above"):
        cv.sd_from_ci(2, 1, 30)


# -- R 4.2 / metafor 3.8 references (make_conversions_fixtures.R) -----------------------

R_REF = json.loads((Path(__file__).parent / "fixtures" / "conversions_metafor.json").read_text())


@pytest.mark.parametrize("row", R_REF["sd_from_ci"], ids=lambda r: f"n{r['n']}")
def test_sd_from_ci_matches_r_qt_qnorm(row: dict) -> None:
    got = cv.sd_from_ci(row["low"], row["high"], row["n"])
    assert got.value == pytest.approx(row["sd"], rel=1e-10)
    assert got.method == row["method"]
    assert cv.ci_divisor(row["n"])[0] == pytest.approx(row["divisor"], rel=1e-10)


@pytest.mark.parametrize("row", R_REF["se_from_p"], ids=lambda r: f"p{r['p']}")
def test_se_from_p_matches_r(row: dict) -> None:
    t = cv.se_from_p(row["estimate"], row["p"], df=row["df"])
    z = cv.se_from_p(row["estimate"], row["p"])
    assert t.value == pytest.approx(row["se_t"], rel=1e-10)
    assert z.value == pytest.approx(row["se_z"], rel=1e-10)


@pytest.mark.parametrize("row", R_REF["ratio_ci"], ids=lambda r: f"{r['low']}-{r['high']}")
def test_se_from_ratio_ci_matches_r(row: dict) -> None:
    assert cv.se_from_ci(row["low"], row["high"], ratio=True).value == \
        pytest.approx(row["se"], rel=1e-10)


@pytest.mark.parametrize("row", R_REF["change"], ids=lambda r: f"n{r['n']}-r{r['r']}")
def test_change_sd_and_paired_se_match_metafor_escalc_mc(row: dict) -> None:
    sd = cv.sd_change(row["sd_baseline"], row["sd_final"], row["r"])
    assert sd.value == pytest.approx(row["sd_change"], rel=1e-10)
    assert cv.correlation_from_change(row["sd_baseline"], row["sd_final"],
                                      row["sd_change"]) == pytest.approx(row["r"], rel=1e-10)
    paired = cv.crossover_md(row["m_final"], row["m_baseline"], row["n"],
                             sd_e=row["sd_final"], sd_c=row["sd_baseline"], corr=row["r"])
    assert paired.estimate.value == pytest.approx(row["mean_change"], rel=1e-10)
    assert paired.se.value == pytest.approx(row["se_paired_md"], rel=1e-10)


def test_combining_arms_matches_r_raw_data() -> None:
    ref = R_REF["combine"]
    got = cv.combine_continuous([cv.Group(a["n"], a["mean"], a["sd"]) for a in ref["arms"]])
    assert got.n == ref["n"]
    assert got.mean == pytest.approx(ref["mean"], rel=1e-12)
    assert got.sd == pytest.approx(ref["sd"], rel=1e-12)


@pytest.mark.parametrize("row", R_REF["wan_xi_eta"], ids=lambda r: f"n{r['n']}")
def test_wan_xi_eta_match_r_qnorm(row: dict) -> None:
    # a range of exactly xi(n) (an IQR of eta(n)) gives an SD of exactly 1 by Wan 2014
    n, xi, eta = row["n"], row["xi"], row["eta"]
    assert cv.sd_from_median(n, xi / 2, minimum=0, maximum=xi).value == pytest.approx(1, rel=1e-10)
    assert cv.sd_from_median(n, eta / 2, q1=0, q3=eta).value == pytest.approx(1, rel=1e-10)


FIVENUM = json.loads((Path(__file__).parent / "fixtures" / "fivenum_metafor.json").read_text())


@pytest.mark.parametrize("row", FIVENUM["rows"], ids=lambda r: (
    f"{r['case']}-n{r['n']}-{r['mean_method']}-{r['sd_method']}-m{r['median']}"))
def test_fivenum_matches_metafor_conv_fivenum(row: dict) -> None:
    """metafor's own conv.fivenum (make_fivenum_fixtures.R): mean, SD and Shi et al.'s
    skewness statistic, critical value and verdict, over n, cases and methods."""
    got = cv.from_median(row["n"], row["median"], row["q1"], row["q3"], row["min"], row["max"],
                         mean_method=row["mean_method"], sd_method=row["sd_method"])
    assert got.mean.value == pytest.approx(row["mean"], rel=1e-12, abs=1e-12)
    assert got.sd.value == pytest.approx(row["sd"], rel=1e-12)
    assert got.skew is not None
    assert got.skew.statistic == pytest.approx(row["skew_statistic"], rel=1e-12, abs=1e-14)
    assert got.skew.critical == pytest.approx(row["skew_critical"], rel=1e-12)
    assert got.skew.skewed is row["skewed"]
    assert bool(got.mean.warnings) is row["skewed"]


@pytest.mark.parametrize("row", R_REF["sd_from_se"], ids=lambda r: f"n{r['n']}")
def test_sd_from_se_matches_r(row: dict) -> None:
    assert cv.sd_from_se(row["se"], row["n"]).value == pytest.approx(row["sd"], rel=1e-12)


@pytest.mark.parametrize("row", R_REF["effect_se"], ids=lambda r: f"df{r['df']}")
def test_effect_se_from_t_ci_and_t_match_r(row: dict) -> None:
    got = cv.se_from_ci(row["low"], row["high"], df=row["df"])
    assert got.value == pytest.approx(row["se_ci_t"], rel=1e-10) and got.method == "ci_t"
    assert cv.se_from_t(row["estimate"], row["t"]).value == pytest.approx(row["se_from_t"],
                                                                          rel=1e-12)


@pytest.mark.parametrize("case", REF["cluster"], ids=lambda c: "handbook-16.3.6")
def test_cluster_handbook_example(case: dict) -> None:
    """The Handbook's cluster trial: SE of the log OR from its CI, then inflated by the
    square root of the design effect (as reviewflow pool does for generic effects)."""
    se = cv.se_from_ci(case["or_ci_low"], case["or_ci_high"], ratio=True)
    assert se.value == pytest.approx(case["se"], abs=case["tol"])
    assert math.log(case["or"]) == pytest.approx(case["log_or"], abs=case["tol"])
    assert cv.design_effect(case["cluster_size"], case["icc"]) == \
        pytest.approx(case["design_effect"], rel=1e-12)
    inflated = cv.cluster_se(case["se"], case["cluster_size"], case["icc"])
    assert inflated.value == pytest.approx(case["se_inflated"], abs=case["tol"])
    # the 2x2 table gives the Handbook's OR and CI
    a, b = case["events_e"], case["n_e"] - case["events_e"]
    c, d = case["events_c"], case["n_c"] - case["events_c"]
    log_or, se_or = math.log(a * d / (b * c)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert math.exp(log_or) == pytest.approx(case["or"], abs=5e-4)
    assert math.exp(log_or - 1.959964 * se_or) == pytest.approx(case["or_ci_low"], abs=5e-4)
    assert math.exp(log_or + 1.959964 * se_or) == pytest.approx(case["or_ci_high"], abs=5e-4)


def test_normal_quantile_is_scipys_to_a_few_ulps_and_infinite_at_the_ends() -> None:
    from scipy.special import ndtri

    ps = [*np.linspace(1e-9, 1 - 1e-9, 20001), 0.975, 0.995, 1e-300, 1 - 2 ** -52]
    for p in ps:
        want = float(ndtri(p))
        assert cv.ndtri(float(p)) == pytest.approx(want, rel=4e-15, abs=1e-15), p
    assert cv.ndtri(0.0) == -math.inf and cv.ndtri(1.0) == math.inf
    # a P value so small that 1 - p/2 rounds to 1: no standard error, named, not a crash
    with pytest.raises(cv.ConversionError, match="t \\(or z\\) of 0"):
        cv.se_from_p(1.0, 1e-17)


def test_medians_and_large_groups_convert_without_scipy() -> None:
    """A sheet check of medians, quartiles, ranges and large groups' CIs is what
    ``extraction import`` runs on every row: it must not pay scipy's and numpy's import
    (a quarter of a second); a small group's CI, which needs t, loads scipy then."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from reviewflow.pooling import conversions as cv\n"
        "cv.from_median(36, 3.85, 3.03, 4.67)\n"
        "cv.from_median(80, 15, None, None, 2, 40)\n"
        "cv.from_median(100, 15, 10, 22, 0, 50)\n"
        "cv.sd_from_ci(1.0, 2.0, 80)\n"
        "cv.se_from_p(0.5, 0.03)\n"
        "print(sorted(m for m in ('numpy', 'scipy') if m in sys.modules))\n"
        "d = cv.sd_from_ci(1.0, 2.0, 25)\n"
        "print('scipy' in sys.modules, d.note)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "[]"
    assert out[1] == "True 95% CI, t distribution, 24 df (divisor 4.1278)"
