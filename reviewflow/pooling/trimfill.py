"""Trim-and-fill (Duval & Tweedie 2000) with the L0 estimator, as metafor does it.

The side on which studies are missing is chosen as metafor's ``trimfill``
chooses it: from the sign of the slope in a regression of the effects on
their standard errors (a positive slope means small studies show larger
effects, so studies are missing on the left). The funnel is trimmed until the
number of missing studies k0 stops changing, the k0 most extreme studies are
mirrored about the trimmed estimate, and the filled set is pooled with the
same model. A tool for sensitivity, not a correction: the Handbook (10.4)
warns that asymmetry has causes other than publication bias.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from reviewflow.pooling.metareg import (
    Coefficient,
    Design,
    MetaRegression,
    meta_regression,
)
from reviewflow.pooling.types import Tau2Method

MAX_ITER = 100


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class FilledStudy:
    """One imputed study: the mirror image of ``mirror_of`` (an index into the input)."""

    estimate: float
    variance: float
    mirror_of: int


@dataclass(frozen=True)
class TrimFill:
    side: Side
    k0: int
    se_k0: float
    estimator: str
    observed: Coefficient  # the model on the studies as given
    adjusted: Coefficient  # the model on the studies plus the filled ones
    adjusted_tau2: float | None
    filled: tuple[FilledStudy, ...]
    iterations: int


def _intercept_only(k: int) -> Design:
    return Design(("intrcpt",), np.ones((k, 1)))


def _fit(y: np.ndarray, v: np.ndarray, method: Tau2Method | None, hksj: bool,
         level: float) -> MetaRegression:
    return meta_regression(y, v, _intercept_only(y.size), tau2_method=method, hksj=hksj,
                           level=level)


def choose_side(y: np.ndarray, v: np.ndarray, method: Tau2Method | None) -> Side:
    """metafor: regress y on sqrt(v) with the model's estimator; slope < 0 -> right."""
    design = Design(("intrcpt", "sei"), np.column_stack([np.ones(y.size), np.sqrt(v)]))
    slope = meta_regression(y, v, design, tau2_method=method).coefficients[1].estimate
    return Side.RIGHT if slope < 0 else Side.LEFT


def ordinal_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties in order of appearance (scipy.stats.rankdata's "ordinal"), without
    importing scipy.stats: its import cost more than every analysis of a review."""
    ranks = np.empty(values.size, dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(1, values.size + 1)
    return ranks


def _l0(centred: np.ndarray) -> tuple[float, float]:
    """L0 and its standard error from the signed ranks of the centred effects."""
    k = centred.size
    ranks = ordinal_ranks(np.abs(centred))
    sr = float(ranks[centred > 0].sum())
    k0 = (4 * sr - k * (k + 1)) / (2 * k - 1)
    var_sr = (k * (k + 1) * (2 * k + 1) + 10 * k0**3 + 27 * k0**2 + 17 * k0
              - 18 * k * k0**2 - 18 * k * k0 + 6 * k**2 * k0) / 24
    se = 4 * math.sqrt(var_sr) / (2 * k - 1) if var_sr > 0 else 0.0
    return k0, se


def trim_and_fill(
    y: Sequence[float] | np.ndarray,
    v: Sequence[float] | np.ndarray,
    *,
    tau2_method: Tau2Method | None = Tau2Method.REML,
    hksj: bool = False,
    side: Side | None = None,
    level: float = 0.95,
) -> TrimFill:
    """Trim and fill an intercept-only model; ``tau2_method=None`` is fixed effect."""
    y_in = np.asarray(y, dtype=float)
    v_in = np.asarray(v, dtype=float)
    k = y_in.size
    if k < 3:
        raise ValueError("trim-and-fill needs at least 3 studies")
    observed = _fit(y_in, v_in, tau2_method, hksj, level)
    side = side or choose_side(y_in, v_in, tau2_method)
    flip = -1.0 if side is Side.RIGHT else 1.0
    order = np.argsort(flip * y_in, kind="stable")
    ys, vs = flip * y_in[order], v_in[order]
    k0, previous, iterations, se_k0, beta = 0, -1, 0, 0.0, 0.0
    while k0 != previous:
        previous = k0
        iterations += 1
        if iterations > MAX_ITER:
            raise ValueError("trim-and-fill did not converge")
        beta = _fit(ys[: k - k0], vs[: k - k0], tau2_method, False, level).coefficients[0].estimate
        raw, se = _l0(ys - beta)
        k0, se_k0 = max(0, round(raw)), max(0.0, se)
    filled = tuple(
        FilledStudy(estimate=flip * (2 * beta - ys[i]), variance=float(vs[i]),
                    mirror_of=int(order[i]))
        for i in range(k - k0, k)
    )
    if k0 == 0:
        return TrimFill(side, 0, se_k0, "L0", observed.coefficients[0], observed.coefficients[0],
                        observed.tau2, (), iterations)
    y_all = np.concatenate([y_in, [f.estimate for f in filled]])
    v_all = np.concatenate([v_in, [f.variance for f in filled]])
    adjusted = _fit(y_all, v_all, tau2_method, hksj, level)
    return TrimFill(side, k0, se_k0, "L0", observed.coefficients[0], adjusted.coefficients[0],
                    adjusted.tau2, filled, iterations)
