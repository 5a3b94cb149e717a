"""Between-study variance estimators and inverse-variance pooling.

The hot path (DerSimonian-Laird on a handful of studies) avoids scipy.stats
distribution objects, whose per-call overhead dwarfs the arithmetic: the
special-function ufuncs below give the same numbers far faster.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import chdtrc, ndtr, ndtri, stdtr, stdtrit

from reviewflow.pooling.types import Heterogeneity, Pooled, Tau2Method

TOL = 1e-12
MAX_ITER = 1000


def z_crit(level: float) -> float:
    return float(ndtri(0.5 + level / 2))


def heterogeneity(q: float, df: int, tau2: float) -> Heterogeneity:
    """Q, its chi-squared P and I^2 (percent); P and I^2 are NaN with df == 0."""
    if df <= 0:
        return Heterogeneity(q=q, df=df, p=math.nan, i2=math.nan, tau2=tau2)
    i2 = max(0.0, (q - df) / q) * 100 if q > 0 else 0.0
    return Heterogeneity(q=q, df=df, p=float(chdtrc(df, q)), i2=i2, tau2=tau2)


def cochran_q(y: np.ndarray, v: np.ndarray, centre: float | None = None) -> float:
    """Q = sum w (y - centre)^2 with w = 1/v, centre the IV estimate by default."""
    w = 1 / v
    if centre is None:
        centre = float(w @ y / w.sum())
    r = y - centre
    return float(w @ (r * r))


def tau2_dl(y: np.ndarray, v: np.ndarray, q: float | None = None) -> float:
    """DerSimonian-Laird; ``q`` lets M-H analyses use their own Q (as RevMan)."""
    k = y.size
    if k < 2:
        return 0.0
    w = 1 / v
    sw = w.sum()
    if q is None:
        q = cochran_q(y, v)
    return max(0.0, (q - (k - 1)) / (sw - (w @ w) / sw))


def tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule-Mandel: the tau^2 at which the generalised Q equals k - 1."""
    k = y.size
    if k < 2:
        return 0.0

    def excess(t2: float) -> float:
        return cochran_q(y, v + t2) - (k - 1)

    if excess(0.0) <= 0:
        return 0.0
    hi = max(float(np.var(y, ddof=1)), 1e-8)
    while excess(hi) > 0:
        hi *= 2
    # only Paule-Mandel needs scipy.optimize, whose import costs more than pooling a review
    from scipy.optimize import brentq

    return float(brentq(excess, 0.0, hi, xtol=TOL, rtol=4 * np.finfo(float).eps, maxiter=500))


def tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    """Restricted maximum likelihood by Fisher scoring.

    The restricted likelihood can have more than one mode, so scoring starts
    from both the DL and the Hedges (HE, metafor's default start) values and
    the higher likelihood wins.
    """
    k = y.size
    if k < 2:
        return 0.0
    he = max(0.0, float(np.var(y, ddof=1) - v.mean()))
    found = {_reml_from(y, v, start) for start in (tau2_dl(y, v), he)}
    return max(found, key=lambda t2: _reml_loglik(y, v, t2))


def _reml_from(y: np.ndarray, v: np.ndarray, t2: float) -> float:
    for _ in range(MAX_ITER):
        w = 1 / (v + t2)
        sw = w.sum()
        mu = w @ y / sw
        sw2 = w @ w
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2 * (w @ (w * w)) / sw + (sw2 / sw) ** 2
        r = w * (y - mu)
        new = max(0.0, t2 + (r @ r - tr_p) / tr_pp)
        if abs(new - t2) <= TOL:
            return float(new)
        t2 = new
    return float(t2)


def _reml_loglik(y: np.ndarray, v: np.ndarray, t2: float) -> float:
    w = 1 / (v + t2)
    sw = w.sum()
    mu = w @ y / sw
    r = y - mu
    return float(-0.5 * (np.log(v + t2).sum() + math.log(sw) + w @ (r * r)))


def estimate_tau2(y: np.ndarray, v: np.ndarray, method: Tau2Method, q: float | None = None):
    if method is Tau2Method.DL:
        return tau2_dl(y, v, q)
    if method is Tau2Method.REML:
        return tau2_reml(y, v)
    return tau2_pm(y, v)


def summarise(
    estimate: float,
    se: float,
    k: int,
    het: Heterogeneity,
    level: float,
    df_t: int | None = None,
    pi: tuple[float, float] | None = None,
) -> Pooled:
    """CI, test statistic and P; ``df_t`` switches to a t reference (Hartung-Knapp)."""
    if df_t is None:
        crit = z_crit(level)
        stat = estimate / se
        p = 2 * float(ndtr(-abs(stat)))
    else:
        crit = float(stdtrit(df_t, 0.5 + level / 2))
        stat = estimate / se
        p = 2 * float(stdtr(df_t, -abs(stat)))
    return Pooled(
        estimate=estimate,
        se=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        z=stat,
        p=p,
        k=k,
        heterogeneity=het,
        prediction_interval=pi,
    )


def prediction_interval(estimate: float, se: float, tau2: float, k: int, level: float):
    """Higgins, Thompson & Spiegelhalter (2009): t(k-2) with sqrt(tau^2 + SE^2)."""
    if k < 3:
        return None
    crit = float(stdtrit(k - 2, 0.5 + level / 2))
    half = crit * math.sqrt(tau2 + se * se)
    return (estimate - half, estimate + half)


def inverse_variance(
    y: np.ndarray,
    v: np.ndarray,
    *,
    random: bool,
    tau2_method: Tau2Method = Tau2Method.DL,
    hksj: bool = False,
    level: float = 0.95,
    het_q: float | None = None,
) -> tuple[Pooled, np.ndarray]:
    """Pool by inverse variance; returns the result and the raw study weights.

    ``het_q`` replaces the reported Q (and the DL tau^2) by another method's Q,
    which is how RevMan's "M-H, Random" works.
    """
    k = y.size
    w = 1.0 / v
    sw = float(w.sum())
    mu = float(w @ y) / sw
    if het_q is None:
        r = y - mu
        q = float(w @ (r * r))
    else:
        q = het_q
    tau2 = 0.0
    if random and k > 1:
        if tau2_method is Tau2Method.DL:
            tau2 = max(0.0, (q - (k - 1)) / (sw - float(w @ w) / sw))
        else:
            tau2 = estimate_tau2(y, v, tau2_method)
        if tau2 > 0:
            w = 1.0 / (v + tau2)
            sw = float(w.sum())
            mu = float(w @ y) / sw
    se = math.sqrt(1 / sw)
    df_t = None
    if random and hksj and k > 1:
        r = y - mu
        se = math.sqrt(float(w @ (r * r)) / ((k - 1) * sw))
        df_t = k - 1
    het = heterogeneity(q, k - 1, tau2)
    pi = prediction_interval(mu, se, tau2, k, level) if random else None
    return summarise(mu, se, k, het, level, df_t, pi), w


def dersimonian_laird_batch(y: np.ndarray, v: np.ndarray, level: float = 0.95) -> dict:
    """Many DL random-effects analyses at once: rows are analyses, columns studies.

    For simulation and sensitivity sweeps, where building one result object per
    analysis would cost more than the arithmetic. Returns arrays keyed like the
    JSON (estimate, se, ci_low, ci_high, z, p, q, df, i2, tau2).
    """
    y = np.atleast_2d(np.asarray(y, dtype=float))
    v = np.atleast_2d(np.asarray(v, dtype=float))
    k = y.shape[1]
    w = 1 / v
    sw = w.sum(axis=1)
    mu_f = np.einsum("ij,ij->i", w, y) / sw
    r = y - mu_f[:, None]
    q = np.einsum("ij,ij->i", w, r * r)
    c = sw - np.einsum("ij,ij->i", w, w) / sw
    tau2 = np.maximum(0.0, (q - (k - 1)) / c)
    wr = 1 / (v + tau2[:, None])
    swr = wr.sum(axis=1)
    mu = np.einsum("ij,ij->i", wr, y) / swr
    se = np.sqrt(1 / swr)
    crit = z_crit(level)
    z = mu / se
    with np.errstate(divide="ignore", invalid="ignore"):
        i2 = np.where(q > 0, np.maximum(0.0, (q - (k - 1)) / q) * 100, 0.0)
    return {
        "estimate": mu, "se": se, "ci_low": mu - crit * se, "ci_high": mu + crit * se,
        "z": z, "p": 2 * ndtr(-np.abs(z)), "q": q, "df": k - 1, "i2": i2, "tau2": tau2,
    }
