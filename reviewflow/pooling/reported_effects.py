"""Reported effects (generic inverse variance): an estimate with its SE, CI or P; a
cluster trial's design effect (Handbook 23.1); a cross-over trial's paired analysis
(23.2). Each value is traced like an arm's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from reviewflow.pooling import conversions as cv
from reviewflow.pooling.conversions import ConversionError, Derived, Origin
from reviewflow.pooling.trial_data import AnalysisInput, Comparison, Handling, worst
from reviewflow.pooling.types import DataType

EFFECT_STATS = ("estimate", "se", "ci_low", "ci_high", "p", "df", "cluster_size", "icc",
                "mean_e", "mean_c", "sd_e", "sd_c", "sd_diff", "corr", "n")


@dataclass(frozen=True)
class EffectReport:
    """One study's reported effect: an estimate with its SE, CI or P (ratios on their
    natural scale when ``ratio``), optionally a cluster trial's mean cluster size and ICC,
    or a cross-over trial's period means and SDs with a within-patient correlation."""

    study: str
    values: Mapping[str, float]
    ratio: bool = False
    attributes: Mapping[str, str] = field(default_factory=dict)


def derive_effect(report: EffectReport, measure: str = "MD",
                  icc: float | None = None) -> dict[str, Derived]:
    """Estimate (analysis scale) and SE, each traced; refuses naming study and field.

    ``measure`` matters for a cross-over trial given by its period means: a paired MD,
    or with ``SMD`` the paired SMD (Handbook 23.2.7.2); other measures are refused.
    ``icc`` is the ICC an analysis assumes for a cluster trial that gives none.
    """
    try:
        return _effect(report.values, report.ratio, measure.upper(), icc)
    except ConversionError as exc:
        raise exc.at(report.study) from None


def _crossover(v: Mapping[str, float], measure: str) -> cv.CrossoverEffect:
    if "n" not in v:
        raise ConversionError("n", "a cross-over trial needs its number of participants")
    if measure == "SMD":
        missing = [k for k in ("sd_e", "sd_c", "corr") if k not in v]
        if missing:
            raise ConversionError(missing[0], "a cross-over SMD needs both periods' SDs and "
                                  "the within-patient correlation")
        return cv.crossover_smd(v["mean_e"], v["mean_c"], v["sd_e"], v["sd_c"], v["n"],
                                v["corr"])
    if measure != "MD":
        raise ConversionError("mean_e", f"a cross-over trial's period means give an MD or SMD, "
                              f"not {measure}")
    return cv.crossover_md(v["mean_e"], v["mean_c"], v["n"], sd_diff=v.get("sd_diff"),
                           sd_e=v.get("sd_e"), sd_c=v.get("sd_c"), corr=v.get("corr"))


def _effect(v: Mapping[str, float], ratio: bool, measure: str,
            assumed_icc: float | None = None) -> dict[str, Derived]:
    if "estimate" not in v and "mean_e" in v and "mean_c" in v:
        x = _crossover(v, measure)
        est, se = x.estimate, x.se
    else:
        est, se = _estimate(v, ratio), _se(v, ratio)
    if "icc" in v or "cluster_size" in v:
        if "cluster_size" not in v:
            raise ConversionError("cluster_size", "a cluster trial needs its mean cluster size "
                                  "beside its icc")
        if "icc" in v:
            icc, given = v["icc"], True
        elif assumed_icc is not None:
            icc, given = assumed_icc, False
        else:
            raise ConversionError("icc", "a cluster trial needs its ICC beside its mean cluster "
                                  "size, or an ICC the analysis assumes (icc, --icc)")
        adj = cv.cluster_se(se.value, v["cluster_size"], icc)
        se = Derived(adj.value, adj.method, (*se.inputs, "cluster_size", *(("icc",) * given)),
                     worst((se.origin, adj.origin if given else Origin.IMPUTED)),
                     adj.note + ("" if given else f" (ICC {icc:g} assumed by the analysis)"))
    if not se.value > 0:
        raise ConversionError("se", f"must be > 0 (got {se.value:g})")
    return {"estimate": est, "se": se}


def _estimate(v: Mapping[str, float], ratio: bool) -> Derived:
    if "estimate" not in v:
        raise ConversionError("estimate", "missing value (give the effect estimate, or a "
                              "cross-over trial's mean_e and mean_c)")
    if not ratio:
        return Derived.reported(v["estimate"], "estimate")
    if v["estimate"] <= 0:
        raise ConversionError("estimate", f"a ratio must be > 0 (got {v['estimate']:g})")
    return Derived(math.log(v["estimate"]), "log", ("estimate",), Origin.REPORTED,
                   "natural log of the reported ratio")


def _se(v: Mapping[str, float], ratio: bool) -> Derived:
    if "se" in v:
        return Derived.reported(v["se"], "se")
    if "ci_low" in v and "ci_high" in v:
        est = v.get("estimate")
        if est is not None and not v["ci_low"] <= est <= v["ci_high"]:
            raise ConversionError("estimate", f"{est:g} is outside its confidence interval "
                                  f"{v['ci_low']:g} to {v['ci_high']:g}")
        return cv.se_from_ci(v["ci_low"], v["ci_high"], df=v.get("df"), ratio=ratio)
    if "p" in v:
        est = math.log(v["estimate"]) if ratio else v["estimate"]
        return cv.se_from_p(est, v["p"], df=v.get("df"))
    raise ConversionError("se", "missing value (give the SE, the 95% CI or the P value)")


def generic_input(reports: list[EffectReport], *, subgroup: str | None = None,
                  measure: str = "MD", icc: float | None = None) -> AnalysisInput:
    """Reported effects -> the typed generic inverse-variance input."""
    comparisons = [Comparison(r.study, r.study, None, None,
                              r.attributes.get(subgroup) if subgroup else None,
                              Handling.REPORTED_EFFECT, derive_effect(r, measure, icc))
                   for r in reports]
    return AnalysisInput(DataType.GENERIC, tuple(comparisons), subgroup)
