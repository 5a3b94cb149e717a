"""When is it safe to stop screening? An estimate, never a guarantee.

Prioritised screening front-loads the relevant records, so the rate of new
relevant finds decays as screening goes on. We fit that decay and integrate it
over the unscreened records to estimate how many relevant records remain:

* model: the chance that the record at screening position ``x`` is relevant is
  ``a * exp(-b * x)`` (``b >= 0``), fitted by maximum Poisson likelihood to the
  team's decisions so far; the expected relevant records still unseen are
  ``(a / b) * (exp(-b * s) - exp(-b * N))`` for ``s`` screened of ``N``
  (``a * (N - s)`` when no decay is visible: a deliberately pessimistic answer
  while the ranking has not yet pulled ahead of file order);
* estimated recall = found / (found + estimated unseen);
* a cautious bound on the unseen, ``unseen + 1.645 * sqrt(unseen)`` (a normal
  approximation to a one-sided 95% Poisson bound), and the recall it implies.

The rule says stop only when **three** things hold:

* at least ``patience`` consecutive irrelevant decisions (default: 10% of the
  records, at least 50);
* a *cautious* estimated recall (found / (found + bound)) at or above
  ``target_recall`` (95%);
* the knee method of Cormack & Grossman (SIGIR 2016, "Engineering quality and
  reliability in technology-assisted review"): at least 150 records screened
  and a slope ratio of the gain curve, relevant finds per record before its
  knee over those after it (plus one), of at least ``156 - min(found, 150)``.

Each guards where the others fail. The decay estimate and streak alone stopped
short of 95% recall where the last relevant records sit near the bottom of
every ranking (Cohen Antihistamines, Kitchenham); the knee method's threshold
is steep when few relevant records exist (150 with 6 found), so small reviews
screen on. The knee alone stopped at 93% on Bannach-Brown (280 relevant, the
threshold falls to 6); the cautious estimate keeps it going there. Measured
per set (true recall at the suggested stop and records saved) by
``bench/bench_asreview3.py``; docs/asreview3-comparison.md. Every number here
is an estimate and the UI must say so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

LABEL = "estimate"


@dataclass(frozen=True)
class StoppingEstimate:
    """What the dashboard shows; ``label`` reminds every caller it is an estimate."""

    screened: int
    found: int
    n_total: int
    consecutive_irrelevant: int
    patience: int
    estimated_unseen_relevant: float
    estimated_recall: float
    cautious_unseen_relevant: float
    cautious_recall: float
    should_stop: bool
    reason: str
    slope_ratio: float = 0.0
    slope_ratio_needed: int = 156
    label: str = LABEL


def default_patience(n_total: int) -> int:
    """Consecutive irrelevant records required before stopping: 10% of N, at least 50."""
    return max(50, math.ceil(0.10 * n_total))


def consecutive_irrelevant(labels_in_order: Sequence[int]) -> int:
    """Length of the run of irrelevant decisions at the end of the sequence."""
    run = 0
    for label in reversed(labels_in_order):
        if label:
            break
        run += 1
    return run


def _fit_decay(y: np.ndarray) -> tuple[float, float]:
    """MLE of (a, b) for rate a*exp(-b*x), x = 0..len(y)-1, with b >= 0."""
    x = np.arange(y.size, dtype=float)
    scale = max(y.size, 1)

    def nll(params: np.ndarray) -> float:
        log_a, b_scaled = params
        b = b_scaled / scale
        log_rate = log_a - b * x
        return float(np.exp(log_rate).sum() - (y * log_rate).sum())

    start = np.array([math.log(max(y.mean(), 1e-6)), 1.0])
    res = minimize(nll, start, method="L-BFGS-B", bounds=[(-30.0, 5.0), (0.0, 200.0)])
    log_a, b_scaled = res.x
    return math.exp(log_a), b_scaled / scale


def estimate_unseen(labels_in_order: Sequence[int], n_total: int) -> float:
    """Estimated relevant records among the ``n_total - screened`` not yet screened."""
    y = np.asarray(labels_in_order, dtype=float)
    remaining = n_total - y.size
    if remaining <= 0:
        return 0.0
    if y.sum() == 0:
        return math.nan
    a, b = _fit_decay(y)
    if b * n_total < 1e-6:
        return a * remaining
    return (a / b) * (math.exp(-b * y.size) - math.exp(-b * n_total))


def stopping_estimate(
    labels_in_order: Sequence[int],
    n_total: int,
    patience: int | None = None,
    target_recall: float = 0.95,
) -> StoppingEstimate:
    """Estimate relevant records still unseen and whether the heuristic says stop.

    ``labels_in_order`` are this reviewer's decisions (1 relevant, 0 not) in the
    order screened; ``n_total`` is the size of the record set.
    """
    if len(labels_in_order) > n_total:
        raise ValueError("more decisions than records")
    patience = default_patience(n_total) if patience is None else patience
    found = int(sum(1 for v in labels_in_order if v))
    streak = consecutive_irrelevant(labels_in_order)
    unseen = estimate_unseen(labels_in_order, n_total)
    recall = 0.0 if found == 0 else found / (found + unseen)
    bound = unseen + 1.645 * math.sqrt(unseen) if unseen == unseen else unseen
    cautious = 0.0 if found == 0 else found / (found + bound)
    ratio, _ = knee_slope_ratio(labels_in_order)
    needed = 156 - min(found, 150)
    if len(labels_in_order) >= n_total:
        stop, reason = True, "every record has been screened"
    elif found == 0:
        stop, reason = False, "no relevant record found yet"
    elif streak < patience:
        stop, reason = False, f"{streak} of {patience} consecutive irrelevant records"
    elif cautious < target_recall:
        stop, reason = False, f"cautious estimated recall {cautious:.0%} < {target_recall:.0%}"
    elif len(labels_in_order) < KNEE_MIN_SCREENED:
        stop, reason = False, f"knee method: fewer than {KNEE_MIN_SCREENED} records screened"
    elif ratio < needed:
        stop, reason = False, f"knee method: slope ratio {ratio:.0f} < {needed} needed"
    else:
        stop, reason = True, (
            f"{streak} consecutive irrelevant, cautious estimated recall"
            f" {cautious:.0%} >= {target_recall:.0%}, knee slope ratio {ratio:.0f} >= {needed}"
        )
    return StoppingEstimate(
        screened=len(labels_in_order),
        found=found,
        n_total=n_total,
        consecutive_irrelevant=streak,
        patience=patience,
        estimated_unseen_relevant=unseen,
        estimated_recall=recall,
        cautious_unseen_relevant=bound,
        cautious_recall=cautious,
        should_stop=stop,
        reason=reason,
        slope_ratio=ratio,
        slope_ratio_needed=needed,
    )


# Knee method (Cormack & Grossman 2016): the least number of records screened before
# the rule may say stop, and the slope-ratio threshold 156 - min(found, 150).
KNEE_MIN_SCREENED = 150


def knee_slope_ratio(labels_in_order: Sequence[int]) -> tuple[float, int]:
    """Cormack & Grossman's slope ratio of the gain curve, and the knee it uses.

    The knee is the screened count ``i`` farthest above the chord from the origin
    to the current point ``(s, found)`` (Kneedle's difference curve without
    smoothing, Satopää et al. 2011). The ratio compares the rate of relevant
    finds before the knee with the rate after it, the latter smoothed by one
    added find: ``(found(i) / i) / ((found(s) - found(i) + 1) / (s - i))``.
    0 while no knee exists (nothing found, or the knee is the current point).
    """
    y = np.cumsum(np.asarray(labels_in_order, dtype=float))
    s = y.size
    if s == 0 or y[-1] == 0:
        return 0.0, 0
    i = np.arange(1, s + 1)
    knee = int(np.argmax(y - i * (y[-1] / s))) + 1
    if knee >= s:
        return 0.0, knee
    before = y[knee - 1] / knee
    after = (y[-1] - y[knee - 1] + 1) / (s - knee)
    return float(before / after), knee


def knee_says_stop(labels_in_order: Sequence[int], min_screened: int = KNEE_MIN_SCREENED) -> bool:
    """The knee method's verdict (Cormack & Grossman, SIGIR 2016, "Engineering quality
    and reliability in technology-assisted review"): stop once at least
    ``min_screened`` records are screened and the slope ratio is at least
    ``156 - min(found, 150)``.

    The threshold is steep when few relevant records have been found (150 with
    6 found): a small review stops only after a long run of irrelevant records.
    """
    if len(labels_in_order) < min_screened:
        return False
    found = int(sum(1 for v in labels_in_order if v))
    ratio, _ = knee_slope_ratio(labels_in_order)
    return found > 0 and ratio >= 156 - min(found, 150)


def suggested_stop(labels_in_order: Sequence[int], n_total: int, step: int = 10) -> int:
    """Records screened when :func:`stopping_estimate` first says stop, checked every ``step``.

    ``labels_in_order`` is a whole screening order (a replay on a labelled set);
    ``n_total`` when the rule never says stop before the end. The cheap parts of
    the rule (the streak, the knee) are checked before the decay is fitted.
    """
    labels = list(labels_in_order)
    patience = default_patience(n_total)
    for screened in range(step, n_total, step):
        seen = labels[:screened]
        if consecutive_irrelevant(seen) < patience or not knee_says_stop(seen):
            continue
        if stopping_estimate(seen, n_total).should_stop:
            return screened
    return n_total
