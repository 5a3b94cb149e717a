"""Plain, frozen result and option types of the pooling engine.

Estimates are kept on the analysis scale (log for RR and OR) so that every
downstream step (subgroups, plots, JSON) back-transforms in one place; the
``ratio`` flag on the result says whether that is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class Measure(StrEnum):
    RR = "RR"
    OR = "OR"
    RD = "RD"
    MD = "MD"
    SMD = "SMD"
    HR = "HR"  # generic inverse variance only (log hazard ratio and its SE)
    # Generic inverse variance only: a ratio (pooled on the log scale) or a difference
    # that the author names (RevMan's free "Ratio of means"); Options.measure_label
    # carries the name, so that no output calls it a risk ratio or a mean difference.
    RATIO = "RATIO"
    DIFFERENCE = "DIFFERENCE"


class Method(StrEnum):
    MH = "MH"
    IV = "IV"
    PETO = "Peto"


class Model(StrEnum):
    FIXED = "fixed"
    RANDOM = "random"


class Tau2Method(StrEnum):
    DL = "DL"
    REML = "REML"
    PM = "PM"


class DataType(StrEnum):
    DICHOTOMOUS = "dichotomous"
    CONTINUOUS = "continuous"
    GENERIC = "generic"


RATIO_MEASURES = frozenset({Measure.RR, Measure.OR, Measure.HR, Measure.RATIO})
GENERIC_ONLY_MEASURES = frozenset({Measure.HR, Measure.RATIO, Measure.DIFFERENCE})


@dataclass(frozen=True)
class Options:
    """How to pool. Defaults are RevMan 5's defaults for dichotomous data."""

    measure: Measure = Measure.RR
    method: Method = Method.MH
    model: Model = Model.FIXED
    tau2_method: Tau2Method = Tau2Method.DL
    hksj: bool = False
    smd_convention: str = "revman"  # or "metafor"
    level: float = 0.95
    measure_label: str = ""  # the author's name of a generic measure; "" = the standard one

    @property
    def ratio(self) -> bool:
        return self.measure in RATIO_MEASURES


@dataclass(frozen=True)
class Heterogeneity:
    q: float
    df: int
    p: float  # NaN when df == 0
    i2: float  # percent; NaN when df == 0
    tau2: float


@dataclass(frozen=True)
class Pooled:
    """One pooled estimate (overall or one subgroup), on the analysis scale."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    z: float  # the test statistic: z, or t under Hartung-Knapp
    p: float
    k: int
    heterogeneity: Heterogeneity
    prediction_interval: tuple[float, float] | None = None

    @property
    def estimable(self) -> bool:
        """False when no study could be pooled (RevMan: "Not estimable")."""
        return self.k > 0


@dataclass(frozen=True)
class StudyEffect:
    """One study's effect (analysis scale) and its weight in percent."""

    study: str
    subgroup: str | None
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    weight: float
    estimable: bool
    data: tuple[float, ...] = ()


_STUDY_FIELDS = ("study", "subgroup", "estimate", "se", "ci_low", "ci_high", "weight",
                 "estimable", "data")


def study_effects_fast(rows) -> tuple[StudyEffect, ...]:
    """Build many StudyEffects from value tuples in ``_STUDY_FIELDS`` order.

    A frozen dataclass __init__ sets each field through object.__setattr__,
    which dominated the per-analysis cost; filling __dict__ directly gives the
    same immutable objects (equality, repr, hashing unchanged) several times faster.
    """
    new = object.__new__
    out = []
    for values in rows:
        obj = new(StudyEffect)
        obj.__dict__.update(zip(_STUDY_FIELDS, values, strict=True))
        out.append(obj)
    return tuple(out)


@dataclass(frozen=True)
class SubgroupResult:
    name: str
    pooled: Pooled
    weight: float  # share of the overall analysis, percent


@dataclass(frozen=True)
class SubgroupDifference:
    q: float
    df: int
    p: float
    i2: float


@dataclass(frozen=True)
class MetaAnalysisResult:
    """Everything one analysis reports.

    ``studies`` is built on first access from ``build_studies``: the per-study
    objects cost more than the pooling itself, and sweeps (simulation,
    leave-one-out) often need only the pooled numbers.
    """

    options: Options
    data_type: DataType
    overall: Pooled
    subgroups: tuple[SubgroupResult, ...] = ()
    subgroup_difference: SubgroupDifference | None = None
    build_studies: Callable[[], tuple[StudyEffect, ...]] = field(
        default=tuple, repr=False, compare=False
    )

    @cached_property
    def studies(self) -> tuple[StudyEffect, ...]:
        return self.build_studies()

    @property
    def ratio(self) -> bool:
        return self.options.ratio


@dataclass(frozen=True)
class EggerTest:
    intercept: float
    se: float
    t: float
    df: int
    p: float
