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
    """WSS as ASReview 0.x's analysis module computed it (Ferdinands 2020's figures).

    The ``n_prior`` prior-knowledge records are dropped from the order and the
    counts, and the recall actually reached at the cut-off is used instead of
    ``recall`` itself (found/all - x/N). With few relevant records this reads
    higher than :func:`wss` (e.g. 15 of 15 found is recall 1.0, not 0.95).
    """
    rest = _as_array(np.asarray(labels_in_order, dtype=int)[n_prior:])
    x = screened_at_recall(rest, recall)
    return float(rest[:x].sum() / rest.sum() - x / rest.size)


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
