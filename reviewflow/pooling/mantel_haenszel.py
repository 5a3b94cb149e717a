"""Mantel-Haenszel and Peto fixed-effect pooling of 2x2 tables (RevMan 5).

RevMan adds 0.5 to every cell of a table with a zero cell inside the M-H sums
too (unlike metafor's ``rma.mh`` default). For the risk difference the pooled
estimate uses the raw counts with weights n1 n2 / N, and the Greenland-Robins
variance uses the corrected cells.
"""

from __future__ import annotations

import math

import numpy as np

from reviewflow.pooling.effect_sizes import TwoByTwo
from reviewflow.pooling.types import Measure


def mh_pool(t: TwoByTwo, measure: Measure) -> tuple[float, float, np.ndarray]:
    """(estimate, SE, weights) over estimable tables only (caller filters)."""
    if measure is Measure.OR:
        return _mh_or(t.corrected())
    if measure is Measure.RR:
        return _mh_rr(t.corrected())
    if measure is Measure.RD:
        return _mh_rd(t)
    raise ValueError(f"Mantel-Haenszel does not pool {measure}")


def _mh_or(t: TwoByTwo) -> tuple[float, float, np.ndarray]:
    n = t.n1 + t.n2
    r = t.a * t.d / n
    s = t.b * t.c / n
    p = (t.a + t.d) / n
    q = (t.b + t.c) / n
    sr, ss = r.sum(), s.sum()
    var = (
        (p @ r) / (2 * sr * sr)
        + (p @ s + q @ r) / (2 * sr * ss)
        + (q @ s) / (2 * ss * ss)
    )
    return math.log(sr / ss), math.sqrt(var), s


def _mh_rr(t: TwoByTwo) -> tuple[float, float, np.ndarray]:
    n1, n2 = t.n1, t.n2
    n = n1 + n2
    r = t.a * n2 / n
    s = t.c * n1 / n
    p = (n1 * n2 * (t.a + t.c) - t.a * t.c * n) / (n * n)
    sr, ss = r.sum(), s.sum()
    return math.log(sr / ss), math.sqrt(p.sum() / (sr * ss)), s


def _mh_rd(t: TwoByTwo) -> tuple[float, float, np.ndarray]:
    """Greenland-Robins variance with the corrected cells and the raw weights.

    With a single table RevMan reports that study's own risk difference and
    CI (variance from the corrected cells, a b / n1^3 + c d / n2^3); the mixed
    formula would divide by the raw weight and give a wider CI when a cell is
    zero (0/13 vs 0/12: SE 0.0787 instead of RevMan's 0.0728).
    """
    n1, n2 = t.n1, t.n2
    if n1.size == 1:
        k = t.corrected()
        var = k.a * k.b / k.n1**3 + k.c * k.d / k.n2**3
        w = n1 * n2 / (n1 + n2)
        return float(t.a[0] / n1[0] - t.c[0] / n2[0]), math.sqrt(float(var[0])), w
    w = n1 * n2 / (n1 + n2)
    rd = t.a / n1 - t.c / n2
    sw = w.sum()
    k = t.corrected()
    c1, c2 = k.n1, k.n2
    cn = c1 + c2
    num = (k.a * k.b * c2**3 + k.c * k.d * c1**3) / (c1 * c2 * cn * cn)
    return float(w @ rd / sw), math.sqrt(num.sum() / (sw * sw)), w


def peto_pool(o_e: np.ndarray, var: np.ndarray) -> tuple[float, float, np.ndarray]:
    sv = var.sum()
    return float(o_e.sum() / sv), math.sqrt(1 / sv), var
