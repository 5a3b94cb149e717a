"""Agreement with R's metafor (fixtures from make_metafor_fixtures.R) to 1e-6 relative.

The fixture JSON holds the input data of each case, so nothing here is copied
by hand: a wrong formula in the engine changes our side only and fails.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from reviewflow.pooling import analyse, cumulative, egger_test, leave_one_out, make_options
from reviewflow.pooling.analysis import StudyTable, compute_effects
from reviewflow.pooling.types import DataType

FIXTURES = Path(__file__).parent / "fixtures" / "metafor_reference.json"
CASES = json.loads(FIXTURES.read_text())["cases"]
REL = 1e-6
ABS = 1e-10

RENAME = {
    "ai": "events_treat", "n1i": "n_treat", "ci": "events_ctrl", "n2i": "n_ctrl",
    "m1i": "mean_treat", "sd1i": "sd_treat", "m2i": "mean_ctrl", "sd2i": "sd_ctrl",
    "yi": "estimate", "sei": "se",
}


def close(ours: float, theirs: float | None) -> bool:
    if theirs is None:
        return not math.isfinite(ours)
    return ours == pytest.approx(theirs, rel=REL, abs=ABS)


def table_for(case: dict) -> StudyTable:
    rows = case["data"]
    kind = DataType(case["kind"])
    keys = [k for k in rows[0] if k in RENAME]
    columns = {RENAME[k]: np.array([float(r[k]) for r in rows]) for k in keys}
    if kind is DataType.CONTINUOUS:
        columns["n_treat"] = np.array([float(r["n1i"]) for r in rows])
        columns["n_ctrl"] = np.array([float(r["n2i"]) for r in rows])
    sub = case["subgroup"]
    groups = tuple(str(r[sub]) for r in rows) if sub else None
    return StudyTable(kind, tuple(str(r["study"]) for r in rows), columns, groups)


def options_for(case: dict):
    o = case["options"]
    return make_options(measure=o["measure"], method=o["method"], model=o["model"],
                        tau2_method=o["tau2_method"], hksj=o["hksj"],
                        smd_convention=o["smd_convention"])


def assert_pooled(ours, ref: dict, where: str) -> None:
    pairs = {
        "estimate": ours.estimate, "se": ours.se, "ci_low": ours.ci_low,
        "ci_high": ours.ci_high, "z": ours.z, "p": ours.p, "q": ours.heterogeneity.q,
        "q_p": ours.heterogeneity.p, "i2": ours.heterogeneity.i2, "tau2": ours.heterogeneity.tau2,
    }
    bad = {k: (v, ref[k]) for k, v in pairs.items() if not close(v, ref[k])}
    assert not bad, f"{where}: ours vs metafor {bad}"
    assert ours.k == ref["k"] and ours.heterogeneity.df == ref["df"], where
    if ref["pi"] is not None and ours.prediction_interval is not None:
        assert close(ours.prediction_interval[0], ref["pi"]["low"]), where
        assert close(ours.prediction_interval[1], ref["pi"]["high"]), where


def test_fixtures_cover_the_scope() -> None:
    seen = {(c["options"]["measure"], c["options"]["method"], c["options"]["model"],
             c["options"]["tau2_method"], c["options"]["hksj"]) for c in CASES}
    for measure in ("RR", "OR", "RD"):
        for method in ("MH", "IV"):
            assert (measure, method, "random", "DL", False) in seen
    assert ("OR", "Peto", "fixed", "DL", False) in seen
    assert {t for *_, t, _ in seen} >= {"DL", "REML", "PM"}
    assert any(c["subgroup"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_metafor(case: dict) -> None:
    table, options = table_for(case), options_for(case)
    result = analyse(table, options)
    effects = compute_effects(table, options)
    for i, ref in enumerate(case["studies"]):
        assert close(float(effects.y[i]), ref["y"]), f"study {i} y"
        assert close(float(effects.v[i]), ref["v"]), f"study {i} v"
    assert_pooled(result.overall, case["overall"], "overall")
    if case["subgroup"]:
        assert [g.name for g in result.subgroups] == [g["name"] for g in case["subgroups"]]
        for ours, ref in zip(result.subgroups, case["subgroups"], strict=True):
            assert_pooled(ours.pooled, ref, f"subgroup {ref['name']}")
        d, ref = result.subgroup_difference, case["subgroup_difference"]
        assert d is not None and d.df == ref["df"]
        assert close(d.q, ref["q"]) and close(d.p, ref["p"]) and close(d.i2, ref["i2"])


EXTRA_CASES = [c for c in CASES if "leave_one_out" in c]


@pytest.mark.parametrize("case", EXTRA_CASES, ids=[c["name"] for c in EXTRA_CASES])
def test_leave_one_out_and_egger_match_metafor(case: dict) -> None:
    table, options = table_for(case), options_for(case)
    refs = {r["index"]: r for r in case["leave_one_out"]}
    loo = leave_one_out(table, options)
    assert len(loo) >= 2
    for s in loo:
        assert_pooled(s.pooled, refs[s.index], f"without {s.study}")
    effects = compute_effects(table, options)
    eg, ref = egger_test(effects.y, np.sqrt(effects.v)), case["egger"]
    assert close(eg.intercept, ref["intercept"]) and close(eg.se, ref["se"])
    assert close(eg.t, ref["t"]) and close(eg.p, ref["p"]) and eg.df == ref["df"]


@pytest.mark.parametrize("case", EXTRA_CASES, ids=[c["name"] for c in EXTRA_CASES])
def test_cumulative_matches_metafor(case: dict) -> None:
    table, options = table_for(case), options_for(case)
    refs = {r["index"]: r for r in case["cumulative"]}
    steps = [s for s in cumulative(table, options) if s.index > 0]
    assert len(steps) == len(table) - 1
    for s in steps:
        assert_pooled(s.pooled, refs[s.index], f"up to {s.study}")
