"""Metrics on hand-made screening orders; expected values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from reviewflow.ranking import metrics

# 10 records, relevant at screening positions 1 and 3.
SHORT = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
# 20 records, relevant at positions 2, 5 and 20: the last one is found last.
LATE = [0, 1, 0, 0, 1] + [0] * 14 + [1]
# 100 records, a perfect ranking: the 20 relevant first.
PERFECT = [1] * 20 + [0] * 80


def test_recall_curve_short() -> None:
    expected = [0, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1, 1]
    assert metrics.recall_curve(SHORT).tolist() == expected


def test_short_sequence_figures() -> None:
    # 95% of 2 relevant rounds up to 2 -> reached at record 3: WSS@95 = .95 - 3/10.
    assert metrics.screened_at_recall(SHORT, 0.95) == 3
    assert metrics.wss(SHORT, 0.95) == pytest.approx(0.65)
    assert metrics.wss(SHORT, 1.0) == pytest.approx(0.70)
    # RRF@10: the first ceil(1.0) = 1 record holds 1 of 2 relevant.
    assert metrics.rrf(SHORT, 0.10) == pytest.approx(0.5)


def test_late_relevant_gives_negative_wss95() -> None:
    # ceil(.95 * 3) = 3 relevant needed -> all 20 records: .95 - 20/20.
    assert metrics.screened_at_recall(LATE, 0.95) == 20
    assert metrics.wss(LATE, 0.95) == pytest.approx(-0.05)
    assert metrics.wss(LATE, 1.0) == pytest.approx(0.0)
    # first ceil(2.0) = 2 records hold 1 of 3 relevant.
    assert metrics.rrf(LATE, 0.10) == pytest.approx(1 / 3)


def test_perfect_ranking() -> None:
    # 19 of 20 relevant at record 19: .95 - .19; all at 20: 1 - .20; 10 of 20 in first 10.
    summary = metrics.summary(PERFECT)
    assert summary["screened_at_95"] == 19
    assert summary["wss95"] == pytest.approx(0.76)
    assert summary["wss100"] == pytest.approx(0.80)
    assert summary["rrf10"] == pytest.approx(0.5)
    assert summary["n_records"] == 100 and summary["n_included"] == 20


def test_random_order_wss_near_zero() -> None:
    rng = np.random.default_rng(1)
    values = [metrics.wss(rng.permutation(PERFECT), 0.95) for _ in range(300)]
    assert abs(float(np.mean(values))) < 0.05


def test_undefined_without_relevant_records() -> None:
    with pytest.raises(ValueError):
        metrics.wss([0, 0, 0])
    with pytest.raises(ValueError):
        metrics.recall_curve([])


def test_wss_asreview_drops_priors_and_uses_recall_reached() -> None:
    # priors [1, 0] dropped; rest = 4 relevant in 10: ceil(.95*4)=4 found at record 5
    # -> recall reached 1.0 - 5/10 = 0.5 (the fixed-recall WSS would be .95 - .5).
    order = [1, 0] + [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    assert metrics.wss_asreview(order, n_prior=2) == pytest.approx(0.5)
    assert metrics.wss(order[2:], 0.95) == pytest.approx(0.45)
    assert metrics.wss_asreview(order, n_prior=0) == pytest.approx(1.0 - 7 / 12)


def test_wss_asreview_pooled_takes_wss_of_the_mean_curve() -> None:
    # One prior each (dropped), 6 records left, 3 relevant after the prior.
    # A finds them at records 1,2,3: found 1,2,3,3,3,3
    # B finds them at records 1,5,6: found 1,1,1,1,2,3
    run_a = [1] + [1, 1, 1, 0, 0, 0]
    run_b = [1] + [1, 0, 0, 0, 1, 1]
    # recall 0.6 needs 1.8 found. Mean found: 1, 1.5, 2.0 -> reached at record 3
    # with mean recall 2/3: WSS = 2/3 - 3/6 = 1/6.
    assert metrics.wss_asreview_pooled([run_a, run_b], 1, 0.6) == pytest.approx(1 / 6)
    # Per run each needs 2 found: A at record 2 (2/3 - 2/6 = 1/3), B at record 5
    # (2/3 - 5/6 = -1/6); their mean is 1/12, lower than the pooled 1/6.
    per_run = [metrics.wss_asreview(r, 1, 0.6) for r in (run_a, run_b)]
    assert per_run == pytest.approx([1 / 3, -1 / 6])
    assert float(np.mean(per_run)) == pytest.approx(1 / 12)
    # recall 0.95 needs 2.85 found: mean found 2.0, 2.0, 2.5, 3.0 at records 3..6,
    # so only at record 6: 1.0 - 6/6 = 0.
    assert metrics.wss_asreview_pooled([run_a, run_b], 1, 0.95) == pytest.approx(0.0)


def test_wss_asreview_pooled_of_one_run_is_the_per_run_value() -> None:
    # priors [1, 0] dropped; rest has 4 relevant in 10, all 4 found at record 5:
    # 1.0 - 5/10 = 0.5, the same as wss_asreview.
    order = [1, 0] + [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    assert metrics.wss_asreview_pooled([order], 2) == pytest.approx(0.5)
    assert metrics.wss_asreview_pooled([order], 2) == pytest.approx(
        metrics.wss_asreview(order, 2)
    )


def test_wss_asreview_pooled_mean_curve_may_stop_short_of_a_whole_record() -> None:
    # 3 runs, no priors, 20 relevant in 40 (recall 0.95 = 19 relevant on average).
    # Two runs find all 20 first (19th at record 19); the third finds 18 first, then
    # 20 irrelevant, then the last 2. Mean found at record 19: (19+19+18)/3 = 18.67
    # < 19; at record 20: (20+20+18)/3 = 19.33 >= 19 -> recall 19.33/20 - 20/40.
    fast = [1] * 20 + [0] * 20
    slow = [1] * 18 + [0] * 20 + [1] * 2
    expected = (58 / 3) / 20 - 20 / 40
    assert metrics.wss_asreview_pooled([fast, fast, slow], 0) == pytest.approx(expected)
    # Per run: 0.95 - 19/40 twice (19 of 20 found at record 19) and for the slow run
    # the 19th relevant is at record 39: 0.95 - 39/40.
    per_run = [metrics.wss_asreview(r, 0) for r in (fast, fast, slow)]
    assert per_run == pytest.approx([0.95 - 19 / 40, 0.95 - 19 / 40, 0.95 - 39 / 40])


def test_wss_asreview_pooled_refuses_runs_that_do_not_match() -> None:
    with pytest.raises(ValueError):
        metrics.wss_asreview_pooled([[1, 0, 1], [1, 0, 1, 0]], 0)
    with pytest.raises(ValueError):
        metrics.wss_asreview_pooled([], 0)
    with pytest.raises(ValueError):
        metrics.wss_asreview_pooled([[1, 0, 0]], 1)


def test_wss_insights_short_and_late_by_hand() -> None:
    """ASReview's WSS (asreview-insights): a rounded random line, recall read at or below r."""
    # SHORT: random order finds the 1st relevant at index 3 (round(linspace(0, 2, 10)) =
    # 0,0,0,1,1,1,1,2,2,2) and the 2nd at 7; this order at 0 and 2. 95% of 2 reads k=1.
    assert metrics.wss_insights(SHORT, 0.95) == pytest.approx(0.3)
    assert metrics.wss_insights(SHORT, 1.0) == pytest.approx(0.5)
    # LATE: random finds them at 4, 10, 16; this order at 1, 4, 19.
    assert metrics.wss_insights(LATE, 0.95) == pytest.approx(0.3)
    assert metrics.wss_insights(LATE, 1.0) == pytest.approx(-0.15)
    # one relevant record: 95% is below the first point, which insights reads as the last
    assert metrics.wss_insights([0, 1, 0, 0], 0.95) == pytest.approx(0.25)


def test_recall_insights_reads_floor_of_the_fraction() -> None:
    assert metrics.recall_insights(SHORT, 0.10) == pytest.approx(0.5)  # 1 record
    assert metrics.recall_insights(LATE, 0.10) == pytest.approx(1 / 3)  # 2 records
    assert metrics.recall_insights(LATE, 0.04) == 0.0  # below one record
    assert metrics.recall_insights(PERFECT, 0.10) == pytest.approx(0.5)
