"""Absolute effects in the summary of findings against hand-worked Handbook examples.

Cochrane Handbook 5.1, Figure 11.5.a (= Handbook 6, Figure 14.1.a): compression
stockings for airline passengers, symptomless DVT OR 0.10 (0.04 to 0.25) applied
to 10 and 30 per 1,000, superficial vein thrombosis OR 0.45 (0.18 to 1.13) to
13 per 1,000; and section 11.5.5's worked RR: RR 0.75 turns 80% into 60% and
20% into 15%.
"""

from __future__ import annotations

import pytest

from reviewflow.grade.domains import Domain, Judgement
from reviewflow.grade.sof import (
    SofInput,
    absolute_effect,
    assumed_comparator_risk,
    build_tables,
    cells,
    corresponding_risk,
    difference_text,
    sof_row,
)


@pytest.mark.parametrize(("acr", "odds_ratio", "expected"), [
    (0.010, (0.10, 0.04, 0.25), ("1", "0", "3")),
    (0.030, (0.10, 0.04, 0.25), ("3", "1", "8")),
    (0.013, (0.45, 0.18, 1.13), ("6", "2", "15")),
])
def test_handbook_compression_stockings_table(acr, odds_ratio, expected) -> None:
    eff = absolute_effect(acr, "OR", *odds_ratio)
    shown = tuple(str(round(x)) for x in (eff.corresponding, eff.corresponding_low,
                                          eff.corresponding_high))
    assert shown == expected


def test_handbook_risk_ratio_example() -> None:
    assert corresponding_risk(0.80, "RR", 0.75) == pytest.approx(0.60)
    assert corresponding_risk(0.20, "RR", 0.75) == pytest.approx(0.15)
    eff = absolute_effect(0.20, "RR", 0.75, 0.5, 1.1)
    assert (round(eff.difference), round(eff.difference_low), round(eff.difference_high)) == (
        -50, -100, 20)
    assert difference_text(eff) == "50 fewer per 1,000 (from 100 fewer to 20 more)"


def test_risk_difference_adds_and_stays_a_risk() -> None:
    assert corresponding_risk(0.3, "RD", -0.1) == pytest.approx(0.2)
    assert corresponding_risk(0.05, "RD", -0.2) == 0.0


def test_assumed_risk_is_the_review_value_else_median_else_pooled() -> None:
    base = SofInput("a", "Death", "RR", 0.8, 0.6, 1.0, 300, 3,
                    control_risks=(0.1, 0.4, 0.2), control_events=30, control_total=200)
    assert assumed_comparator_risk(base) == (0.2, "median control-arm risk")
    pooled = SofInput(**{**base.__dict__, "assumed_from": "pooled"})
    assert assumed_comparator_risk(pooled) == (0.15, "pooled control-arm risk")
    fixed = SofInput(**{**base.__dict__, "assumed_risk": 0.25})
    assert assumed_comparator_risk(fixed) == (0.25, "set by the review")
    even = SofInput(**{**base.__dict__, "control_risks": (0.1, 0.2, 0.3, 0.5)})
    assert assumed_comparator_risk(even)[0] == pytest.approx(0.25)


def test_row_carries_certainty_and_lettered_footnotes() -> None:
    judged = {Domain.RISK_OF_BIAS: Judgement.SERIOUS, Domain.IMPRECISION: Judgement.VERY_SERIOUS,
              Domain.INCONSISTENCY: Judgement.NOT_SERIOUS}
    reasons = {Domain.RISK_OF_BIAS: "most weight from unblinded trials",
               Domain.IMPRECISION: "CI crosses both thresholds"}
    row = sof_row(SofInput("acr20", "ACR20 response", "RR", 1.5, 1.1, 2.0, 420, 5,
                           assumed_risk=0.2, judgements=judged, reasons=reasons))
    assert row.corresponding == "300 per 1,000 (220 to 400)"
    assert row.difference == "100 more per 1,000 (from 20 more to 200 more)"
    assert row.relative == "RR 1.50 (1.10 to 2.00)"
    assert row.certainty is not None and row.certainty.label == "Very Low"
    (table,) = build_tables([("MSC versus control", row)])
    assert [m for m, _ in table.footnote_marks()] == ["a", "b"]
    assert cells(table, row)[6] == "⊕⊝⊝⊝ Very Low ab"
    assert table.footnote_marks()[1][1] == ("Downgraded two levels for imprecision: "
                                            "CI crosses both thresholds")


def test_continuous_outcome_shows_the_mean_difference_with_comparator_mean() -> None:
    row = sof_row(SofInput("vas", "Pain (VAS)", "MD", -1.2, -1.9, -0.5, 200, 4,
                           comparator_mean="The mean pain was 6.1 points"))
    assert row.assumed == "The mean pain was 6.1 points"
    assert row.difference == "MD 1.20 lower (1.90 lower to 0.50 lower)"
    assert row.relative == "—" and row.certainty is None
