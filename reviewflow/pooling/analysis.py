"""One meta-analysis: study effects, overall pooling, subgroups.

The table of studies is kept columnar (one array per input column) so that a
subgroup or a leave-one-out set is just an index array into the same data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np

from reviewflow.pooling.effect_sizes import (
    TwoByTwo,
    dichotomous_effects,
    mean_difference,
    peto_effects,
    standardised_mean_difference,
)
from reviewflow.pooling.estimators import (
    cochran_q,
    heterogeneity,
    inverse_variance,
    summarise,
    z_crit,
)
from reviewflow.pooling.mantel_haenszel import mh_pool
from reviewflow.pooling.types import (
    DataType,
    Heterogeneity,
    Measure,
    MetaAnalysisResult,
    Method,
    Model,
    Options,
    Pooled,
    SubgroupDifference,
    SubgroupResult,
    study_effects_fast,
)

DICHOTOMOUS_COLUMNS = ("events_treat", "n_treat", "events_ctrl", "n_ctrl")
CONTINUOUS_COLUMNS = ("mean_treat", "sd_treat", "n_treat", "mean_ctrl", "sd_ctrl", "n_ctrl")
GENERIC_COLUMNS = ("estimate", "se")
_COLUMNS = {
    DataType.DICHOTOMOUS: DICHOTOMOUS_COLUMNS,
    DataType.CONTINUOUS: CONTINUOUS_COLUMNS,
    DataType.GENERIC: GENERIC_COLUMNS,
}


@dataclass(frozen=True)
class StudyTable:
    """Validated input: one entry per study, columns named as in the CSV."""

    data_type: DataType
    studies: tuple[str, ...]
    columns: dict[str, np.ndarray]
    subgroups: tuple[str | None, ...] | None = None

    def __len__(self) -> int:
        return len(self.studies)

    def row(self, i: int) -> tuple[float, ...]:
        return tuple(float(self.columns[c][i]) for c in _COLUMNS[self.data_type])


@dataclass(frozen=True)
class Effects:
    """Per-study analysis-scale effects; NaN marks a study that is not estimable."""

    y: np.ndarray
    v: np.ndarray
    table: TwoByTwo | None

    @cached_property
    def estimable(self) -> np.ndarray:
        return np.isfinite(self.y) & np.isfinite(self.v)


def check_options(data_type: DataType, options: Options) -> None:
    from reviewflow.errors import ReviewflowError

    m, meth = options.measure, options.method
    if m is Measure.HR and data_type is not DataType.GENERIC:
        raise ReviewflowError("hazard ratios are pooled from log HR and SE (generic inverse "
                              "variance: columns study,estimate,se)")
    if m in (Measure.RATIO, Measure.DIFFERENCE) and data_type is not DataType.GENERIC:
        raise ReviewflowError(f"measure {m} pools estimates and SEs the author computed "
                              "(generic inverse variance: columns study,estimate,se)")
    if options.measure_label and m not in (Measure.RATIO, Measure.DIFFERENCE):
        raise ReviewflowError(f"a measure's own name is for RATIO or DIFFERENCE, not {m} "
                              "(its standard name is shown)")
    if data_type is DataType.DICHOTOMOUS and m not in (Measure.RR, Measure.OR, Measure.RD):
        raise ReviewflowError(
            f"measure {m} needs continuous data; the data are dichotomous (use RR, OR or RD)")
    if data_type is DataType.CONTINUOUS and m not in (Measure.MD, Measure.SMD):
        raise ReviewflowError(
            f"measure {m} needs dichotomous data; the data are continuous (use MD or SMD)")
    if meth is Method.MH and data_type is not DataType.DICHOTOMOUS:
        raise ReviewflowError("Mantel-Haenszel needs dichotomous data; use --method IV")
    if meth is Method.PETO and (data_type is not DataType.DICHOTOMOUS or m is not Measure.OR):
        raise ReviewflowError("Peto's method pools odds ratios only (--measure OR)")
    if options.smd_convention not in ("revman", "metafor"):
        raise ReviewflowError("SMD convention must be 'revman' or 'metafor'")


def compute_effects(table: StudyTable, options: Options) -> Effects:
    c = table.columns
    if table.data_type is DataType.DICHOTOMOUS:
        t = TwoByTwo.from_counts(c["events_treat"], c["n_treat"], c["events_ctrl"], c["n_ctrl"])
        if options.method is Method.PETO:
            y, v, _, _ = peto_effects(t)
        else:
            y, v = dichotomous_effects(t, options.measure)
        return Effects(y, v, t)
    if table.data_type is DataType.CONTINUOUS:
        args = (c[k] for k in CONTINUOUS_COLUMNS)
        if options.measure is Measure.MD:
            y, v = mean_difference(*args)
        else:
            y, v = standardised_mean_difference(*args, convention=options.smd_convention)
        return Effects(y, v, None)
    se = np.asarray(c["se"], dtype=float)
    return Effects(np.asarray(c["estimate"], dtype=float), se * se, None)


NOT_ESTIMABLE = Pooled(
    estimate=math.nan, se=math.nan, ci_low=math.nan, ci_high=math.nan, z=math.nan,
    p=math.nan, k=0,
    heterogeneity=Heterogeneity(q=math.nan, df=0, p=math.nan, i2=math.nan, tau2=math.nan),
)


def pool(effects: Effects, idx: np.ndarray, options: Options) -> tuple[Pooled, np.ndarray]:
    """Pool the estimable studies among ``idx``; weights returned are raw, per ``idx``."""
    mask = effects.estimable[idx]
    ok = idx[mask]
    if ok.size == 0:
        raise ValueError("no estimable study")
    y, v = effects.y[ok], effects.v[ok]
    random = options.model is Model.RANDOM
    if options.method is Method.MH:
        assert effects.table is not None
        est, se, w_mh = mh_pool(_subset(effects.table, ok), options.measure)
        q = cochran_q(y, v, centre=est)
        if random:
            pooled, w = inverse_variance(
                y, v, random=True, tau2_method=options.tau2_method,
                hksj=options.hksj, level=options.level, het_q=q,
            )
        else:
            pooled = summarise(est, se, ok.size, heterogeneity(q, ok.size - 1, 0.0), options.level)
            w = w_mh
    else:
        pooled, w = inverse_variance(
            y, v, random=random, tau2_method=options.tau2_method,
            hksj=options.hksj, level=options.level,
        )
    weights = np.zeros(idx.size)
    weights[mask] = w
    return pooled, weights


def _subset(t: TwoByTwo, idx: np.ndarray) -> TwoByTwo:
    return TwoByTwo(t.a[idx], t.b[idx], t.c[idx], t.d[idx])


def analyse(table: StudyTable, options: Options) -> MetaAnalysisResult:
    """The full analysis RevMan prints: studies, overall, subgroups and their test."""
    check_options(table.data_type, options)
    effects = compute_effects(table, options)
    everything = np.arange(len(table))
    if effects.estimable.any():
        overall, w = pool(effects, everything, options)
        pct = 100 * w / w.sum()
    else:
        # RevMan shows every study and the total as "Not estimable" (e.g. no
        # events in any arm) rather than refusing the analysis.
        overall, pct = NOT_ESTIMABLE, np.zeros(len(table))
    subgroups: tuple[SubgroupResult, ...] = ()
    difference = None
    if table.subgroups is not None:
        subgroups = _subgroups(table, effects, pct, options)
        difference = subgroup_difference([s.pooled for s in subgroups])
    return MetaAnalysisResult(
        options=options,
        data_type=table.data_type,
        overall=overall,
        subgroups=subgroups,
        subgroup_difference=difference,
        build_studies=partial(_study_effects, table, effects, pct, options.level),
    )


def _study_effects(table: StudyTable, effects: Effects, pct: np.ndarray, level: float):
    """One StudyEffect per row; columns go to Python lists once (hot path)."""
    crit = z_crit(level)
    ok = effects.estimable
    y = np.where(ok, effects.y, np.nan)
    se = np.sqrt(np.where(ok, effects.v, np.nan))
    low, high, weight = (y - crit * se).tolist(), (y + crit * se).tolist(), np.where(
        ok, pct, np.nan).tolist()
    groups = table.subgroups if table.subgroups is not None else (None,) * len(table)
    rows = list(zip(*(table.columns[c].tolist() for c in _COLUMNS[table.data_type]),
                    strict=True))
    return study_effects_fast(zip(
        table.studies, groups, y.tolist(), se.tolist(), low, high, weight, ok.tolist(), rows,
        strict=True))


def _subgroups(table: StudyTable, effects: Effects, pct: np.ndarray, options: Options):
    assert table.subgroups is not None
    labels = np.array([s if s is not None else "" for s in table.subgroups], dtype=object)
    names = list(dict.fromkeys(labels.tolist()))
    out = []
    for name in names:
        idx = np.flatnonzero(labels == name)
        if not effects.estimable[idx].any():
            continue
        pooled, _ = pool(effects, idx, options)
        out.append(SubgroupResult(name=name, pooled=pooled, weight=float(np.nansum(pct[idx]))))
    return tuple(out)


def subgroup_difference(pooled: list[Pooled]) -> SubgroupDifference | None:
    """Heterogeneity across subgroup estimates with weights 1/SE^2 (RevMan 5.1+)."""
    if len(pooled) < 2:
        return None
    est = np.array([p.estimate for p in pooled])
    var = np.array([p.se for p in pooled]) ** 2
    het = heterogeneity(cochran_q(est, var), len(pooled) - 1, 0.0)
    return SubgroupDifference(q=het.q, df=het.df, p=het.p, i2=het.i2)

