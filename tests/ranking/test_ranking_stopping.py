"""The stopping heuristic on hand-made decision sequences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reviewflow.ranking.stopping import (
    consecutive_irrelevant,
    default_patience,
    estimate_unseen,
    stopping_estimate,
)


def test_consecutive_irrelevant() -> None:
    assert consecutive_irrelevant([1, 0, 0]) == 2
    assert consecutive_irrelevant([0, 1]) == 0
    assert consecutive_irrelevant([]) == 0


def test_default_patience() -> None:
    assert default_patience(100) == 50
    assert default_patience(3000) == 300


def test_front_loaded_finds_say_stop() -> None:
    # 50 relevant in the first 100, then 400 more irrelevant, of 1000 records.
    seq = [1, 0] * 50 + [0] * 400
    est = stopping_estimate(seq, 1000, patience=100)
    assert est.found == 50 and est.consecutive_irrelevant == 401
    assert est.estimated_unseen_relevant < 2
    assert est.estimated_recall > 0.95
    assert est.cautious_unseen_relevant >= est.estimated_unseen_relevant
    assert est.should_stop
    assert est.label == "estimate"


def test_flat_rate_means_many_unseen() -> None:
    # one relevant every 10 records over 500 of 1000: no decay, ~50 left.
    seq = ([0] * 9 + [1]) * 50
    unseen = estimate_unseen(seq, 1000)
    assert 35 < unseen < 65
    est = stopping_estimate(seq + [0] * 60, 1000, patience=50)
    assert not est.should_stop
    assert "cautious estimated recall" in est.reason
    assert est.cautious_recall < est.estimated_recall < 0.8


def test_short_streak_does_not_stop() -> None:
    seq = [1] * 10 + [0] * 20
    est = stopping_estimate(seq, 1000, patience=50)
    assert not est.should_stop
    assert "20 of 50" in est.reason


def test_nothing_found_yet() -> None:
    est = stopping_estimate([0] * 30, 100)
    assert not est.should_stop
    assert math.isnan(est.estimated_unseen_relevant)


def test_everything_screened() -> None:
    est = stopping_estimate([1, 0, 0], 3)
    assert est.should_stop and est.estimated_unseen_relevant == 0.0


def test_knee_slope_ratio_by_hand() -> None:
    from reviewflow.ranking.stopping import knee_slope_ratio

    # 20 relevant first, then 140 irrelevant: knee at 20, ratio (20/20) / (1/140)
    ratio, knee = knee_slope_ratio([1] * 20 + [0] * 140)
    assert knee == 20 and ratio == pytest.approx(140.0)
    assert knee_slope_ratio([0, 0, 0]) == (0.0, 0)
    assert knee_slope_ratio([1, 1, 1])[0] < 1  # a straight line: no slowing down


def test_knee_method_thresholds_and_minimum() -> None:
    from reviewflow.ranking.stopping import knee_says_stop, suggested_stop

    # 20 found needs ratio >= 136: 136 irrelevant after the knee, checked every 10
    order = [1] * 20 + [0] * 1000
    assert suggested_stop(order, len(order)) == 160
    assert not knee_says_stop([1] * 20 + [0] * 130)
    # never before 150 records, however steep the curve
    assert not knee_says_stop([1] * 100 + [0] * 49)
    # relevant records keep coming: no stop, the whole set is screened
    steady = ([1] + [0] * 9) * 50
    assert suggested_stop(steady, len(steady)) == len(steady)


def test_knee_method_holds_back_a_confident_decay_estimate() -> None:
    """Five early finds and a long streak satisfy the decay estimate, not the knee yet."""
    seq = [1] * 5 + [0] * 120
    est = stopping_estimate(seq, 1000, patience=50)
    assert est.cautious_recall >= 0.95 and est.consecutive_irrelevant >= 50
    assert not est.should_stop and "knee method" in est.reason
    later = stopping_estimate([1] * 5 + [0] * 200, 1000, patience=50)
    assert later.slope_ratio_needed == 151 and later.slope_ratio >= 151
    assert later.should_stop


def test_suggested_stop_needs_the_decay_estimate_too() -> None:
    """Many relevant records: the knee's threshold falls to 6; the estimate still decides."""
    from reviewflow.ranking.stopping import knee_says_stop, suggested_stop

    # 200 relevant spread over the first 1,000 (rate falling slowly), 2,000 records
    rng = np.random.default_rng(0)
    seq = (rng.random(2000) < np.r_[np.linspace(0.4, 0.05, 1000), np.full(1000, 0.002)]).astype(int)
    seq = seq.tolist()
    stop = suggested_stop(seq, len(seq))
    first_knee = next(s for s in range(10, 2000, 10) if knee_says_stop(seq[:s]))
    assert stop > first_knee
    assert sum(seq[:stop]) >= 0.95 * sum(seq)
