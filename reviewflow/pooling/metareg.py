"""Mixed-effects meta-regression: study effects explained by study-level moderators.

Follows metafor's ``rma.uni(yi, vi, mods = ...)`` step for step (the reference
the tests pin to): tau^2 by the review's estimator on the residuals, Wald tests
of the coefficients (or Knapp-Hartung t and F), the omnibus test of moderators
QM, residual heterogeneity QE with inverse-variance weights, and the R^2
analogue as the proportional drop in tau^2 from the intercept-only model.

A moderator of numbers is a covariate; a moderator of text is a factor coded
with treatment contrasts, its first level in sorted order the reference, as
R's ``factor()`` does (names are ``name`` + level, e.g. ``allocrandom``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reviewflow.pooling.types import Tau2Method


def _special():
    """scipy.special, loaded when a fit is tested: the figure workers that only unpickle a
    fit (a bubble plot, a trim-and-fill funnel) then never import scipy."""
    import scipy.special

    return scipy.special


INTERCEPT = "intrcpt"
TOL = 1e-12
MAX_ITER = 10_000


@dataclass(frozen=True)
class Moderator:
    """One study-level column: numbers make a covariate, text a factor."""

    name: str
    values: tuple[float | str, ...]

    @property
    def categorical(self) -> bool:
        return any(isinstance(v, str) for v in self.values)


@dataclass(frozen=True)
class Design:
    """The model matrix (intercept first) and its column names."""

    names: tuple[str, ...]
    x: np.ndarray
    moderators: tuple[Moderator, ...] = ()


@dataclass(frozen=True)
class Coefficient:
    name: str
    estimate: float
    se: float
    stat: float  # z, or t under Knapp-Hartung
    p: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ModeratorTest:
    """QM: chi-squared on ``df`` (z tests) or F on (df, df_resid) (Knapp-Hartung)."""

    stat: float
    df: int
    df_resid: int | None
    p: float


@dataclass(frozen=True)
class ResidualHeterogeneity:
    """QE on k - p df, and I^2 / H^2 of the residual tau^2 (metafor's definitions)."""

    q: float
    df: int
    p: float
    i2: float
    h2: float


@dataclass(frozen=True)
class PermutationTest:
    """P-values from permuting the rows of the model matrix against (y, v)."""

    iterations: int
    exact: bool
    qm_p: float
    coefficient_p: tuple[float, ...]


@dataclass(frozen=True)
class MetaRegression:
    """A fitted (mixed- or fixed-effects) meta-regression, analysis scale."""

    coefficients: tuple[Coefficient, ...]
    vcov: tuple[tuple[float, ...], ...]
    tau2: float | None  # None for a fixed-effect (common-effect) model
    tau2_method: Tau2Method | None
    hksj: bool
    k: int
    level: float
    qm: ModeratorTest | None  # None for an intercept-only model
    qe: ResidualHeterogeneity
    r2: float | None  # percent; None when undefined (fixed effect, intercept only)
    design: Design
    permutation: PermutationTest | None = None

    def coefficient(self, name: str) -> Coefficient:
        for c in self.coefficients:
            if c.name == name:
                return c
        raise KeyError(name)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Fitted values for rows of a model matrix laid out like ``design``."""
        beta = np.array([c.estimate for c in self.coefficients])
        return np.asarray(x, dtype=float) @ beta


def design_matrix(moderators: Sequence[Moderator]) -> Design:
    """Intercept plus one column per covariate and per non-reference factor level."""
    if not moderators:
        raise ValueError("meta-regression needs at least one moderator")
    k = len(moderators[0].values)
    names = [INTERCEPT]
    cols = [np.ones(k)]
    for mod in moderators:
        if len(mod.values) != k:
            raise ValueError(f"moderator {mod.name!r} has {len(mod.values)} values, not {k}")
        if mod.categorical:
            labels = [str(v) for v in mod.values]
            levels = sorted(set(labels))
            if len(levels) < 2:
                raise ValueError(f"moderator {mod.name!r} has a single level ({levels[0]!r})")
            for level in levels[1:]:
                names.append(f"{mod.name}{level}")
                cols.append(np.array([1.0 if lab == level else 0.0 for lab in labels]))
        else:
            names.append(mod.name)
            cols.append(np.array([float(v) for v in mod.values]))
    x = np.column_stack(cols)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise ValueError("the moderators are collinear (a column repeats another's information)")
    return Design(tuple(names), x, tuple(moderators))


def _projection(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P = W - W X (X'WX)^-1 X'W, the residual-forming matrix of weighted LS."""
    xw = x * w[:, None]
    inner = np.linalg.inv(x.T @ xw)
    return np.diag(w) - xw @ inner @ xw.T


def _rss(y: np.ndarray, x: np.ndarray, w: np.ndarray) -> float:
    p = _projection(x, w)
    return float(y @ p @ y)


def _tau2_dl(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    k, p = x.shape
    proj = _projection(x, 1 / v)
    return max(0.0, (float(y @ proj @ y) - (k - p)) / float(np.trace(proj)))


def _tau2_he(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    k, p = x.shape
    proj = _projection(x, np.ones(k))
    return max(0.0, (float(y @ proj @ y) - float(np.trace(proj * v))) / (k - p))


def _tau2_pm(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    k, p = x.shape

    def excess(t2: float) -> float:
        return _rss(y, x, 1 / (v + t2)) - (k - p)

    if excess(0.0) <= 0:
        return 0.0
    hi = max(float(np.var(y, ddof=1)), 1e-8)
    while excess(hi) > 0:
        hi *= 2
    # only Paule-Mandel needs scipy.optimize, whose import costs more than pooling a review
    from scipy.optimize import brentq

    return float(brentq(excess, 0.0, hi, xtol=TOL, rtol=4 * np.finfo(float).eps, maxiter=500))


def _reml_loglik(y: np.ndarray, v: np.ndarray, x: np.ndarray, t2: float) -> float:
    w = 1 / (v + t2)
    xw = x * w[:, None]
    _, logdet = np.linalg.slogdet(x.T @ xw)
    return -0.5 * (float(np.log(v + t2).sum()) + logdet + _rss(y, x, w))


def _reml_scoring(y: np.ndarray, v: np.ndarray, x: np.ndarray, t2: float) -> float:
    """Fisher scoring with step halving at the boundary, as metafor iterates."""
    for _ in range(MAX_ITER):
        proj = _projection(x, 1 / (v + t2))
        pp = proj @ proj
        adj = (float(y @ pp @ y) - float(np.trace(proj))) / float(np.trace(pp))
        while t2 + adj < 0:
            adj /= 2
        new = t2 + adj
        if abs(new - t2) <= TOL:
            return max(0.0, new)
        t2 = new
    return max(0.0, t2)


def _tau2_reml(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> float:
    """REML from the HE and DL starts; the boundary wins if its likelihood is higher."""
    found = {_reml_scoring(y, v, x, start) for start in (_tau2_he(y, v, x), _tau2_dl(y, v, x))}
    best = max(found, key=lambda t2: _reml_loglik(y, v, x, t2))
    if _reml_loglik(y, v, x, 0.0) > _reml_loglik(y, v, x, best):
        return 0.0
    return best


def estimate_tau2(y: np.ndarray, v: np.ndarray, x: np.ndarray, method: Tau2Method) -> float:
    if method is Tau2Method.DL:
        return _tau2_dl(y, v, x)
    if method is Tau2Method.REML:
        return _tau2_reml(y, v, x)
    return _tau2_pm(y, v, x)


def _residual_heterogeneity(y: np.ndarray, v: np.ndarray, x: np.ndarray,
                            tau2: float | None) -> ResidualHeterogeneity:
    k, p = x.shape
    df = k - p
    if df <= 0:
        return ResidualHeterogeneity(q=0.0, df=0, p=1.0, i2=0.0, h2=1.0)
    proj = _projection(x, 1 / v)
    q = max(0.0, float(y @ proj @ y))
    if tau2 is None:
        i2 = max(0.0, 100 * (q - df) / q) if q > 0 else 0.0
        h2 = q / df
    else:
        typical = df / float(np.trace(proj))
        i2 = 100 * tau2 / (typical + tau2)
        h2 = tau2 / typical + 1
    return ResidualHeterogeneity(q=q, df=df, p=float(_special().chdtrc(df, q)), i2=i2, h2=h2)


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    vb: np.ndarray
    df_t: int | None


def _wls(y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float, hksj: bool) -> _Fit:
    w = 1 / (v + tau2)
    xw = x * w[:, None]
    vb = np.linalg.inv(x.T @ xw)
    beta = vb @ (xw.T @ y)
    if not hksj:
        return _Fit(beta, vb, None)
    k, p = x.shape
    r = y - x @ beta
    rss = float(w @ (r * r))
    s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
    return _Fit(beta, s2w * vb, k - p)


def _coefficients(names: Sequence[str], fit: _Fit, level: float) -> tuple[Coefficient, ...]:
    out = []
    if fit.df_t is None:
        crit = float(_special().ndtri(0.5 + level / 2))
    else:
        crit = float(_special().stdtrit(fit.df_t, 0.5 + level / 2))
    for i, name in enumerate(names):
        b = float(fit.beta[i])
        se = math.sqrt(float(fit.vb[i, i]))
        stat = b / se if se > 0 else math.nan
        if fit.df_t is None:
            p = 2 * float(_special().ndtr(-abs(stat)))
        else:
            p = 2 * float(_special().stdtr(fit.df_t, -abs(stat)))
        out.append(Coefficient(name, b, se, stat, p, b - crit * se, b + crit * se))
    return tuple(out)


def _qm(fit: _Fit, k: int) -> ModeratorTest | None:
    p = fit.beta.size
    if p < 2:
        return None
    b = fit.beta[1:]
    stat = float(b @ np.linalg.solve(fit.vb[1:, 1:], b))
    m = p - 1
    if fit.df_t is None:
        return ModeratorTest(stat=stat, df=m, df_resid=None, p=float(_special().chdtrc(m, stat)))
    stat /= m
    p_value = float(_special().fdtrc(m, k - p, stat))
    return ModeratorTest(stat=stat, df=m, df_resid=k - p, p=p_value)


def _r2(y: np.ndarray, v: np.ndarray, tau2: float, method: Tau2Method) -> float:
    tau2_null = estimate_tau2(y, v, np.ones((y.size, 1)), method)
    if tau2_null == 0:
        return 0.0
    return max(0.0, 100 * (tau2_null - tau2) / tau2_null)


def meta_regression(
    y: Sequence[float] | np.ndarray,
    v: Sequence[float] | np.ndarray,
    design: Design,
    *,
    tau2_method: Tau2Method | None = Tau2Method.REML,
    hksj: bool = False,
    level: float = 0.95,
    tau2: float | None = None,
    with_r2: bool = True,
) -> MetaRegression:
    """Fit y ~ design with sampling variances v; ``tau2_method=None`` is fixed effect.

    ``tau2`` fixes the between-study variance instead of estimating it;
    ``with_r2=False`` skips the intercept-only fit R^2 needs (permutation refits).
    """
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    x = design.x
    k, p = x.shape
    if y.shape != (k,) or v.shape != (k,):
        raise ValueError("y, v and the design must have one row per study")
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("every study needs a finite effect and a positive variance")
    random = tau2_method is not None or tau2 is not None
    if k < p + (1 if random and tau2 is None else 0):
        raise ValueError(f"{k} studies are too few for {p} coefficients")
    t2 = 0.0
    if random:
        t2 = tau2 if tau2 is not None else estimate_tau2(y, v, x, tau2_method)
    fit = _wls(y, v, x, t2, hksj)
    r2 = None
    if with_r2 and random and p > 1 and tau2_method is not None and tau2 is None:
        r2 = _r2(y, v, t2, tau2_method)
    return MetaRegression(
        coefficients=_coefficients(design.names, fit, level),
        vcov=tuple(tuple(float(c) for c in row) for row in fit.vb),
        tau2=t2 if random else None,
        tau2_method=tau2_method,
        hksj=hksj,
        k=k,
        level=level,
        qm=_qm(fit, k),
        qe=_residual_heterogeneity(y, v, x, t2 if random else None),
        r2=r2,
        design=design,
    )
