"""Screening-prioritisation metrics over a screening order.

Every function takes ``labels_in_order``: the true 0/1 relevance of the records
in the order they were (or would be) screened, covering the whole record set.
Definitions follow the active-learning literature (Cohen et al. 2006; the
ASReview simulation papers) so our figures are comparable with theirs:

* recall after ``x`` records = relevant found in the first ``x`` / all relevant;
* records screened at recall ``r`` = the smallest ``x`` whose recall is >= ``r``;
* WSS@r = r - x/N (work saved over sampling: what random order would need to
  reach recall ``r`` on average, ``r*N``, minus what we needed, as a fraction);
  WSS@100 is therefore 1 - x/N with x the position of the last relevant record;
* RRF@p = recall after screening the first ``ceil(p*N)`` records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _as_array(labels_in_order: Sequence[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(labels_in_order, dtype=int)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("labels_in_order must be a non-empty 1-D sequence")
    if int(arr.sum()) == 0:
        raise ValueError("no relevant record: recall is undefined")
    return arr


def recall_curve(labels_in_order: Sequence[int] | np.ndarray) -> np.ndarray:
    """Recall after 0, 1, ..., N records (length N + 1, starts at 0)."""
    arr = _as_array(labels_in_order)
    found = np.concatenate([[0], np.cumsum(arr)])
    return found / arr.sum()


def screened_at_recall(labels_in_order: Sequence[int] | np.ndarray, recall: float) -> int:
    """Fewest records screened (from the start) to reach ``recall``."""
    arr = _as_array(labels_in_order)
    needed = math.ceil(recall * int(arr.sum()) - 1e-9)
    if needed <= 0:
        return 0
    return int(np.searchsorted(np.cumsum(arr), needed) + 1)


def wss(labels_in_order: Sequence[int] | np.ndarray, recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall`` (a fraction; 0.95 - x/N for WSS@95)."""
    arr = _as_array(labels_in_order)
    return recall - screened_at_recall(arr, recall) / arr.size


def rrf(labels_in_order: Sequence[int] | np.ndarray, fraction: float = 0.10) -> float:
    """Relevant records found after screening ``ceil(fraction*N)`` records."""
    arr = _as_array(labels_in_order)
    n_screened = math.ceil(fraction * arr.size - 1e-9)
    return float(arr[:n_screened].sum() / arr.sum())


def wss_asreview(
    labels_in_order: Sequence[int] | np.ndarray, n_prior: int, recall: float = 0.95
) -> float:
    """WSS of one run as ASReview 0.x's analysis module computed it.

    The ``n_prior`` prior-knowledge records are dropped from the order and the
    counts, and the recall actually reached at the cut-off is used instead of
    ``recall`` itself (found/all - x/N). With few relevant records this reads
    higher than :func:`wss` (e.g. 15 of 15 found is recall 1.0, not 0.95).
    This is the per-run value (Ferdinands 2020 used it only for the spread);
    her published means are :func:`wss_asreview_pooled` over all runs.
    """
    rest = _as_array(np.asarray(labels_in_order, dtype=int)[n_prior:])
    x = screened_at_recall(rest, recall)
    return float(rest[:x].sum() / rest.sum() - x / rest.size)


def wss_asreview_pooled(
    orders: Sequence[Sequence[int] | np.ndarray], n_prior: int, recall: float = 0.95
) -> float:
    """WSS over several runs exactly as the published ASReview 0.x figures were computed.

    Ferdinands 2020 (and the ASReview docs' simulation table) read WSS from
    ``asreviewcontrib.statistics.StateStatistics`` (asreview-statistics 0.2),
    which calls ``asreview.analysis.Analysis.wss`` on the state files of all
    runs at once. That method first *averages* the number of relevant records
    found after each screened record over the runs (priors dropped), then takes
    the first point where that mean curve reaches ``recall`` of the relevant
    records left after the priors, and returns mean recall there minus
    screened/(N - priors). It is a WSS of the mean curve, not the mean of
    per-run WSS values (:func:`wss_asreview`): the mean curve only needs
    ``recall * relevant`` records found *on average* (94.05 of 99 on Nagtegaal,
    where each single run needs 95), and early runs make up for late ones.
    With one run it equals :func:`wss_asreview`.
    """
    rests = [np.asarray(o, dtype=int)[n_prior:] for o in orders]
    if not rests:
        raise ValueError("no runs")
    size, total = rests[0].size, int(rests[0].sum())
    if any(r.size != size or int(r.sum()) != total for r in rests):
        raise ValueError("runs must cover the same records with the same priors' share")
    if size == 0 or total == 0:
        raise ValueError("no relevant record after the priors: recall is undefined")
    mean_recall = np.mean([np.cumsum(r) for r in rests], axis=0) / total
    # ASReview compares percentages with a 1e-6 tolerance: recall - 1e-8 as a fraction
    at = int(np.argmax(mean_recall >= recall - 1e-8))
    return float(mean_recall[at] - (at + 1) / size)


def summary(labels_in_order: Sequence[int] | np.ndarray) -> dict[str, float | int]:
    """The headline figures of one screening order, as a plain dict."""
    arr = _as_array(labels_in_order)
    return {
        "n_records": int(arr.size),
        "n_included": int(arr.sum()),
        "wss95": wss(arr, 0.95),
        "wss100": wss(arr, 1.0),
        "rrf10": rrf(arr, 0.10),
        "screened_at_95": screened_at_recall(arr, 0.95),
    }


def _insights_slice(x: np.ndarray, y: np.ndarray, intercept: float) -> float:
    """asreview-insights' ``_slice_metric``: ``y`` at the last ``x <= intercept``.

    As there, an ``intercept`` below ``x[0]`` reads ``y[-1]`` (one relevant record
    at 95%: the WSS at that record).
    """
    i = int(np.searchsorted(x, intercept, side="right"))
    return float(y[i - 1])


def wss_insights(labels_in_order: Sequence[int] | np.ndarray, recall: float = 0.95) -> float:
    """WSS as ASReview LAB 1-3 reports it (asreview-insights 1.6 ``wss``), a fraction.

    For k = 1..R relevant records: when a random order would have found the k-th
    (the first position where ``round(linspace(0, R, N))`` reaches k) minus when
    this order found it, over N; read at the largest k with ``k / R <= recall``.
    Every record of the order counts (ASReview 3's top-down cold start included;
    insights drops only records marked as priors, and there are none). It differs
    from :func:`wss` by the random baseline (a rounded line, not ``recall * N``)
    and by reading recall at or just below ``recall`` (19 of 20 at 95%, 94 of 99).
    """
    arr = _as_array(labels_in_order)
    n, total = arr.size, int(arr.sum())
    targets = np.arange(1, total + 1)
    when_found = np.searchsorted(np.cumsum(arr), targets)
    when_random = np.searchsorted(np.round(np.linspace(0, total, n)), targets)
    return _insights_slice(targets / total, (when_random - when_found) / n, recall)


def recall_insights(labels_in_order: Sequence[int] | np.ndarray, fraction: float = 0.10) -> float:
    """Recall after the first ``floor(fraction * N)`` records, as asreview-insights reads it.

    Its ``recall`` metric at an x of ``fraction`` (x = i/N for i = 1..N, the last
    ``x <= fraction``); the RRF@10 of ASReview's papers.
    """
    arr = _as_array(labels_in_order)
    x = np.arange(1, arr.size + 1) / arr.size
    if fraction < x[0]:
        return 0.0
    return _insights_slice(x, np.cumsum(arr) / arr.sum(), fraction)
