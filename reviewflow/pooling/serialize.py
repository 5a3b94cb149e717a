"""The stable JSON shape of ``reviewflow pool --json`` (outside tools rely on it).

Ratio measures are back-transformed to their natural scale here and nowhere
else; NaN (not estimable, not applicable) becomes null.
"""

from __future__ import annotations

import math
from typing import Any

from reviewflow.pooling.formatting import ci_label, measure_name
from reviewflow.pooling.types import (
    Heterogeneity,
    MetaAnalysisResult,
    Method,
    Model,
    Pooled,
    StudyEffect,
)


def _num(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(x)


def natural(result: MetaAnalysisResult, x: float) -> float | None:
    """Analysis scale -> the scale reviewers read (exp for RR/OR)."""
    if not math.isfinite(x):
        return None
    return math.exp(x) if result.ratio else float(x)


def heterogeneity_dict(h: Heterogeneity) -> dict[str, Any]:
    return {"q": _num(h.q), "df": h.df, "p": _num(h.p), "i2": _num(h.i2), "tau2": _num(h.tau2)}


def _study(result: MetaAnalysisResult, s: StudyEffect) -> dict[str, Any]:
    return {
        "study": s.study,
        "subgroup": s.subgroup,
        "estimate": natural(result, s.estimate) if s.estimable else None,
        "ci_low": natural(result, s.ci_low) if s.estimable else None,
        "ci_high": natural(result, s.ci_high) if s.estimable else None,
        "weight": _num(s.weight) if s.estimable else None,
        "estimable": s.estimable,
    }


def _pooled(result: MetaAnalysisResult, p: Pooled) -> dict[str, Any]:
    return {
        "estimate": natural(result, p.estimate),
        "ci_low": natural(result, p.ci_low),
        "ci_high": natural(result, p.ci_high),
        "z": _num(p.z),
        "p": _num(p.p),
        "heterogeneity": heterogeneity_dict(p.heterogeneity),
    }


def result_to_json_dict(result: MetaAnalysisResult) -> dict[str, Any]:
    """The documented JSON shape (issue 5), ready for ``json.dumps``."""
    opts = result.options
    pi = result.overall.prediction_interval
    overall = _pooled(result, result.overall)
    overall["prediction_interval"] = (
        {"low": natural(result, pi[0]), "high": natural(result, pi[1])} if pi else None
    )
    diff = result.subgroup_difference
    return {
        "measure": str(opts.measure),
        "measure_name": measure_name(opts),  # the author's own for a generic RATIO
        "method": str(opts.method),
        "model": str(opts.model),
        "tau2_method": str(opts.tau2_method) if opts.model is Model.RANDOM else None,
        "level": opts.level,  # of every ci_low/ci_high below
        "studies": [_study(result, s) for s in result.studies],
        "overall": overall,
        "subgroups": [
            {"name": g.name, "k": g.pooled.k, **_pooled(result, g.pooled)}
            for g in result.subgroups
        ],
        "subgroup_difference": (
            {"q": _num(diff.q), "df": diff.df, "p": _num(diff.p), "i2": _num(diff.i2)}
            if diff
            else None
        ),
    }


def method_label(result: MetaAnalysisResult) -> str:
    """RevMan's column heading, e.g. 'M-H, Random, 95% CI'."""
    opts = result.options
    name = {Method.MH: "M-H", Method.IV: "IV", Method.PETO: "Peto"}[opts.method]
    model = "Fixed" if opts.model is Model.FIXED else "Random"
    return f"{name}, {model}, {ci_label(result)}"
