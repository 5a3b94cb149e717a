"""Meta-regression and trim-and-fill on a StudyTable, with the analysis's own options.

The bridge between the tabular input the CLI and the review read (a CSV as a
DataFrame, or a StudyTable with extra study-level columns) and the array-level
engines in :mod:`~reviewflow.pooling.metareg` and
:mod:`~reviewflow.pooling.trimfill`: the study effects are the ones the main
analysis pools (same measure, correction and SMD convention), studies that are
not estimable are left out, and the model follows the analysis (fixed effect,
or random effects with its tau^2 estimator and Knapp-Hartung choice).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewflow.errors import InputError, ReviewflowError
from reviewflow.pooling.analysis import StudyTable, compute_effects
from reviewflow.pooling.metareg import (
    Coefficient,
    MetaRegression,
    Moderator,
    design_matrix,
    meta_regression,
)
from reviewflow.pooling.metareg_permutation import permutation_test
from reviewflow.pooling.trimfill import TrimFill, trim_and_fill
from reviewflow.pooling.types import Model, Options, Tau2Method

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class StudyEffects:
    """The estimable studies' effects (analysis scale) and their row numbers."""

    y: np.ndarray
    v: np.ndarray
    rows: np.ndarray
    studies: tuple[str, ...]


def estimable_effects(table: StudyTable, options: Options) -> StudyEffects:
    effects = compute_effects(table, options)
    rows = np.flatnonzero(effects.estimable)
    return StudyEffects(effects.y[rows], effects.v[rows], rows,
                        tuple(table.studies[i] for i in rows))


def moderators_from_frame(frame: pd.DataFrame, names: Sequence[str], *, source: str = "<data>",
                          first_line: int = 2) -> tuple[Moderator, ...]:
    """Columns of numbers become covariates, anything else a factor; blanks are errors."""
    out = []
    for name in names:
        if name not in frame.columns:
            raise InputError(source, 1, f"missing moderator column {name!r} (header has: "
                             f"{', '.join(map(str, frame.columns))})")
        cells = [str(v).strip() if v is not None else "" for v in frame[name].tolist()]
        for i, cell in enumerate(cells):
            if not cell or cell.lower() == "nan":
                raise InputError(source, first_line + i,
                                 f"moderator column {name!r} is empty (every study needs a value)")
        numbers = [_number(c) for c in cells]
        values: tuple[float | str, ...]
        values = tuple(numbers) if all(n is not None for n in numbers) else tuple(cells)
        out.append(Moderator(name, values))  # type: ignore[arg-type]
    return tuple(out)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _model(options: Options) -> Tau2Method | None:
    return options.tau2_method if options.model is Model.RANDOM else None


def regress(table: StudyTable, options: Options, moderators: Sequence[Moderator], *,
            permutations: int = 0, seed: int = 0) -> MetaRegression:
    """Meta-regression of the analysis's study effects on ``moderators``."""
    eff = estimable_effects(table, options)
    subset = tuple(Moderator(m.name, tuple(m.values[i] for i in eff.rows)) for m in moderators)
    try:
        design = design_matrix(subset)
        fit = meta_regression(eff.y, eff.v, design, tau2_method=_model(options),
                              hksj=options.hksj and options.model is Model.RANDOM,
                              level=options.level)
        if permutations:
            fit = permutation_test(eff.y, eff.v, fit, iterations=permutations, seed=seed)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise ReviewflowError(f"meta-regression: {exc}") from None
    return fit


def trim_fill(table: StudyTable, options: Options) -> TrimFill:
    eff = estimable_effects(table, options)
    try:
        return trim_and_fill(eff.y, eff.v, tau2_method=_model(options),
                             hksj=options.hksj and options.model is Model.RANDOM,
                             level=options.level)
    except ValueError as exc:
        raise ReviewflowError(f"trim-and-fill: {exc}") from None


# ---- JSON (part of the `pool --json` contract when the options are given) ----------

def _num(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _coef(c: Coefficient) -> dict[str, Any]:
    return {"name": c.name, "estimate": _num(c.estimate), "se": _num(c.se), "stat": _num(c.stat),
            "p": _num(c.p), "ci_low": _num(c.ci_low), "ci_high": _num(c.ci_high)}


def metareg_to_json(fit: MetaRegression, *, ratio: bool) -> dict[str, Any]:
    """Coefficients stay on the analysis scale (log for RR/OR), as metafor prints them."""
    perm = fit.permutation
    return {
        "scale": "log" if ratio else "identity",
        "model": "random" if fit.tau2 is not None else "fixed",
        "tau2_method": str(fit.tau2_method) if fit.tau2_method else None,
        "test": "knha" if fit.hksj else "z",
        "k": fit.k,
        "coefficients": [_coef(c) for c in fit.coefficients],
        "tau2": _num(fit.tau2) if fit.tau2 is not None else None,
        "qm": None if fit.qm is None else {
            "stat": _num(fit.qm.stat), "df": fit.qm.df, "df_resid": fit.qm.df_resid,
            "p": _num(fit.qm.p), "distribution": "F" if fit.qm.df_resid else "chi2"},
        "qe": {"q": _num(fit.qe.q), "df": fit.qe.df, "p": _num(fit.qe.p), "i2": _num(fit.qe.i2)},
        "r2": _num(fit.r2) if fit.r2 is not None else None,
        "permutation": None if perm is None else {
            "iterations": perm.iterations, "exact": perm.exact, "qm_p": perm.qm_p,
            "coefficient_p": list(perm.coefficient_p)},
    }


def trimfill_to_json(tf: TrimFill, *, ratio: bool,
                     studies: Sequence[str] | None = None) -> dict[str, Any]:
    """Estimates on the natural scale (exp for RR/OR), like the overall estimate."""
    back = math.exp if ratio else float

    def est(c: Coefficient) -> dict[str, Any]:
        return {"estimate": back(c.estimate), "ci_low": back(c.ci_low),
                "ci_high": back(c.ci_high), "se": _num(c.se), "z": _num(c.stat), "p": _num(c.p)}

    return {
        "estimator": tf.estimator, "side": str(tf.side), "k0": tf.k0, "se_k0": _num(tf.se_k0),
        "observed": est(tf.observed), "adjusted": est(tf.adjusted),
        "adjusted_tau2": _num(tf.adjusted_tau2) if tf.adjusted_tau2 is not None else None,
        "filled": [{"estimate": back(f.estimate), "se": math.sqrt(f.variance),
                    "mirror_of": studies[f.mirror_of] if studies else f.mirror_of}
                   for f in tf.filled],
    }
