"""The stopping heuristic on hand-made decision sequences."""

from __future__ import annotations

import math

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
