"""Per-study effect sizes and variances, following RevMan 5's conventions.

RevMan's zero-cell rule: a study with any zero cell gets 0.5 added to all four
cells; a study with no events (or only events) in both arms is not estimable
for ratio measures (and Peto) but stays in for the risk difference, whose
estimate comes from the raw counts and whose variance from the corrected cells.
All functions are vectorised over studies (1-D arrays) and return NaN for
studies that are not estimable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from reviewflow.pooling.types import Measure

CORRECTION = 0.5


@dataclass(frozen=True)
class TwoByTwo:
    """Cells of the 2x2 tables: a/b events/non-events treatment, c/d control."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray

    @classmethod
    def from_counts(cls, e1: np.ndarray, n1: np.ndarray, e2: np.ndarray, n2: np.ndarray):
        e1, n1, e2, n2 = (np.asarray(x, dtype=float) for x in (e1, n1, e2, n2))
        return cls(e1, n1 - e1, e2, n2 - e2)

    @property
    def n1(self) -> np.ndarray:
        return self.a + self.b

    @property
    def n2(self) -> np.ndarray:
        return self.c + self.d

    def has_zero(self) -> np.ndarray:
        return (self.a == 0) | (self.b == 0) | (self.c == 0) | (self.d == 0)

    def double_zero(self) -> np.ndarray:
        """No events in both arms, or only events in both arms."""
        return ((self.a == 0) & (self.c == 0)) | ((self.b == 0) & (self.d == 0))

    def corrected(self) -> TwoByTwo:
        """RevMan's rule: 0.5 added to every cell of a table with any zero cell."""
        add = np.where(self.has_zero(), CORRECTION, 0.0)
        return TwoByTwo(self.a + add, self.b + add, self.c + add, self.d + add)


def dichotomous_effects(t: TwoByTwo, measure: Measure) -> tuple[np.ndarray, np.ndarray]:
    """Per-study (estimate, variance) for RR and OR (log scale) or RD."""
    k = t.corrected()
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure is Measure.OR:
            y = np.log(k.a * k.d / (k.b * k.c))
            v = 1 / k.a + 1 / k.b + 1 / k.c + 1 / k.d
        elif measure is Measure.RR:
            y = np.log((k.a / k.n1) / (k.c / k.n2))
            v = 1 / k.a - 1 / k.n1 + 1 / k.c - 1 / k.n2
        elif measure is Measure.RD:
            y = t.a / t.n1 - t.c / t.n2
            v = k.a * k.b / k.n1**3 + k.c * k.d / k.n2**3
            return y, v
        else:
            raise ValueError(f"{measure} is not a dichotomous measure")
    bad = t.double_zero()
    return np.where(bad, np.nan, y), np.where(bad, np.nan, v)


def peto_effects(t: TwoByTwo) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Peto's one-step log OR per study: returns (y, v, O - E, V)."""
    n1, n2 = t.n1, t.n2
    n = n1 + n2
    m1 = t.a + t.c
    m2 = t.b + t.d
    o_e = t.a - n1 * m1 / n
    var = n1 * n2 * m1 * m2 / (n * n * (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(var > 0, o_e / var, np.nan)
        v = np.where(var > 0, 1 / var, np.nan)
    return y, v, o_e, var


def mean_difference(m1, sd1, n1, m2, sd2, n2) -> tuple[np.ndarray, np.ndarray]:
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(x, dtype=float) for x in (m1, sd1, n1, m2, sd2, n2))
    return m1 - m2, sd1**2 / n1 + sd2**2 / n2


def standardised_mean_difference(
    m1, sd1, n1, m2, sd2, n2, convention: str = "revman"
) -> tuple[np.ndarray, np.ndarray]:
    """Hedges' adjusted g.

    RevMan: J = 1 - 3/(4N - 9) and SE^2 = N/(n1 n2) + g^2 / (2 (N - 3.94)).
    metafor: exact J = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)), m = N - 2, and
    SE^2 = 1/n1 + 1/n2 + g^2 / (2N).
    """
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(x, dtype=float) for x in (m1, sd1, n1, m2, sd2, n2))
    n = n1 + n2
    s_pooled = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n - 2))
    d = (m1 - m2) / s_pooled
    if convention == "revman":
        g = d * (1 - 3 / (4 * n - 9))
        return g, n / (n1 * n2) + g**2 / (2 * (n - 3.94))
    if convention == "metafor":
        m = n - 2
        j = np.exp(gammaln(m / 2) - 0.5 * np.log(m / 2) - gammaln((m - 1) / 2))
        g = d * j
        return g, 1 / n1 + 1 / n2 + g**2 / (2 * n)
    raise ValueError(f"unknown SMD convention {convention!r} (use 'revman' or 'metafor')")
