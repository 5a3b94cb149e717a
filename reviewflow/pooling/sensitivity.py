"""Beyond RevMan: leave-one-out, cumulative meta-analysis and Egger's test.

Each re-pools with exactly the options of the main analysis (same method,
model and tau^2 estimator), so the numbers are comparable with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr

from reviewflow.pooling.analysis import StudyTable, compute_effects, pool
from reviewflow.pooling.types import EggerTest, Options, Pooled


@dataclass(frozen=True)
class Sensitivity:
    """One re-analysis: which study was left out (or added last) and the result."""

    index: int
    study: str
    pooled: Pooled


def leave_one_out(table: StudyTable, options: Options) -> tuple[Sensitivity, ...]:
    effects = compute_effects(table, options)
    everyone = np.arange(len(table))
    out = []
    for i in np.flatnonzero(effects.estimable):
        rest = everyone[everyone != i]
        if not effects.estimable[rest].any():
            continue
        pooled, _ = pool(effects, rest, options)
        out.append(Sensitivity(int(i), table.studies[i], pooled))
    return tuple(out)


def cumulative(table: StudyTable, options: Options) -> tuple[Sensitivity, ...]:
    """Studies added one by one in table order (sort the table first, e.g. by year)."""
    effects = compute_effects(table, options)
    out = []
    for i in np.flatnonzero(effects.estimable):
        pooled, _ = pool(effects, np.arange(i + 1), options)
        out.append(Sensitivity(int(i), table.studies[i], pooled))
    return tuple(out)


def egger_test(y: np.ndarray, se: np.ndarray) -> EggerTest:
    """Egger (1997): regress y/SE on 1/SE; the intercept measures asymmetry (t, k-2 df)."""
    y = np.asarray(y, dtype=float)
    se = np.asarray(se, dtype=float)
    ok = np.isfinite(y) & np.isfinite(se)
    y, se = y[ok], se[ok]
    k = y.size
    if k < 3:
        raise ValueError("Egger's test needs at least 3 studies")
    x = np.column_stack([np.ones(k), 1 / se])
    coef, _, _, _ = np.linalg.lstsq(x, y / se, rcond=None)
    resid = y / se - x @ coef
    df = k - 2
    sigma2 = float(resid @ resid) / df
    cov = sigma2 * np.linalg.inv(x.T @ x)
    b0, se0 = float(coef[0]), math.sqrt(cov[0, 0])
    t = b0 / se0
    return EggerTest(intercept=b0, se=se0, t=t, df=df, p=2 * float(stdtr(df, -abs(t))))


def egger_for(table: StudyTable, options: Options) -> EggerTest:
    effects = compute_effects(table, options)
    return egger_test(effects.y, np.sqrt(effects.v))
