"""Arms as trials report them -> the comparisons one analysis pools, every value traced.

The typed path from extraction (or a CSV) to the engine: :class:`ArmReport`
holds what a paper gives for one arm (any of mean, SD, n, median, quartiles,
range, SE, CI, events, percent, change from baseline), :func:`derive_arm` turns it
into :class:`ArmValues` whose every number is a :class:`~conversions.Derived`
(reported, converted or imputed, by which method); :mod:`comparisons` pairs the
arms of each study into :class:`Comparison` rows and :mod:`reported_effects` reads
reported effects; :class:`AnalysisInput` gives the engine's wide frame, the JSON
trace, the footnote marks and the reported-only subset.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from reviewflow.errors import ReviewflowError
from reviewflow.pooling import conversions as cv
from reviewflow.pooling.conversions import ConversionError, Derived, Origin
from reviewflow.pooling.types import DataType

if TYPE_CHECKING:
    import pandas as pd

CONTINUOUS_STATS = ("mean", "sd", "n", "median", "q1", "q3", "min", "max", "se", "ci_low",
                    "ci_high", "mean_baseline", "sd_baseline", "mean_final", "sd_final")
DICHOTOMOUS_STATS = ("events", "n", "percent")
# a cluster trial's arm: its number of clusters or mean cluster size, and its ICC
DESIGN_STATS = ("clusters", "cluster_size", "icc")
MARKS = {Origin.CONVERTED: "†", Origin.IMPUTED: "‡"}


class Role(StrEnum):
    INTERVENTION = "intervention"
    CONTROL = "control"


class Handling(StrEnum):
    """How a study's arms became this comparison."""

    TWO_ARMS = "two arms"
    COMBINED = "combined"  # several arms as one (Handbook 6.5.2.10)
    CONTROL_SPLIT = "control split"  # a shared control divided (Handbook 23.3.4)
    INTERVENTION_SPLIT = "intervention split"  # a shared intervention arm divided
    REPORTED_EFFECT = "reported effect"  # generic inverse variance
    AS_ENTERED = "as entered"  # one of a study's repeated entries, kept as RevMan had it


class MultiArm(StrEnum):
    SPLIT = "split"
    COMBINE = "combine"


@dataclass(frozen=True)
class Conversion:
    """Which methods turn medians into a mean and an SD (``--convert``).

    ``sd`` None = the case's default (Wan 2014 from quartiles or range, Shi 2020
    from all five numbers), as metafor 4's conv.fivenum.
    """

    mean: str = "luo2018"
    sd: str | None = None
    correlation: float | None = None  # baseline-final, for change-from-baseline SDs
    correlation_from: str = ""  # where the correlation comes from (shown in the trace)
    correlation_from_studies: bool = False  # impute it from studies reporting all three SDs
    lower_bound: float | None = None  # the scale's minimum, for Altman & Bland's skew check
    icc: float | None = None  # assumed ICC for cluster arms that report none (imputed)

    def with_icc(self, value: float | str | None) -> Conversion:
        """An assumed ICC (Handbook 23.1.4: e.g. from similar trials) for cluster arms
        that give their clusters or mean cluster size but no ICC."""
        if value is None:
            return self
        try:
            icc = float(value)
        except ValueError:
            raise ReviewflowError(f"icc: {value!r} is not a number") from None
        if not 0 <= icc < 1:
            raise ReviewflowError(f"icc: {icc:g} is not at least 0 and below 1")
        return replace(self, icc=icc)

    def with_correlation(self, value: float | str | None) -> Conversion:
        """A correlation (number) or 'studies' (imputed from the analysis's own studies)."""
        if value is None:
            return self
        if isinstance(value, str) and value.strip().lower() in ("studies", "from studies"):
            return replace(self, correlation_from_studies=True)
        try:
            r = float(value)
        except ValueError:
            raise ReviewflowError(f"correlation: {value!r} is not a number between -1 and 1 "
                                  "or 'studies'") from None
        if not -1 <= r <= 1:
            raise ReviewflowError(f"correlation: {r:g} is not between -1 and 1")
        return replace(self, correlation=r, correlation_from="the value the analysis names")

    @classmethod
    def parse(cls, text: str | None) -> Conversion:
        """'luo2018' (defaults), 'wan2014', 'hozo2005', 'bland2015', 'shi2020', or
        'MEAN/SD' such as 'wan2014/shi2020'."""
        if not text or text.lower() == "default":
            return cls()
        parts = [p.strip().lower() for p in text.split("/")]
        if len(parts) == 2:
            mean, sd = parts
        elif parts[0] == "shi2020":
            mean, sd = "luo2018", "shi2020"
        elif parts[0] == "luo2018":
            mean, sd = "luo2018", None
        else:
            mean, sd = parts[0], parts[0]
        if mean not in cv.MEAN_METHODS or sd not in (*cv.SD_METHODS, None):
            raise ReviewflowError(
                f"convert: unknown method {text!r} (use one of luo2018, wan2014, shi2020, "
                "hozo2005, bland2015, or MEAN/SD such as wan2014/shi2020)")
        return cls(mean, sd)


@dataclass(frozen=True)
class ArmReport:
    """One arm of one study as reported (statistics by name; missing = absent)."""

    study: str
    arm: str
    role: Role
    values: Mapping[str, float]
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArmValues:
    """One arm ready to pool: n and mean/SD (continuous) or events, each traced."""

    study: str
    arm: str
    role: Role
    n: Derived
    mean: Derived | None = None
    sd: Derived | None = None
    events: Derived | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def used(self) -> dict[str, Derived]:
        return {k: v for k, v in (("n", self.n), ("mean", self.mean), ("sd", self.sd),
                                  ("events", self.events)) if v is not None}

    @property
    def origin(self) -> Origin:
        return worst(d.origin for d in self.used().values())


def worst(origins) -> Origin:
    found = set(origins)
    for o in (Origin.IMPUTED, Origin.CONVERTED):
        if o in found:
            return o
    return Origin.REPORTED


def _located(exc: ConversionError, report: ArmReport) -> cv.LocatedError:
    return exc.at(report.study, report.arm)


def derive_arm(report: ArmReport, data_type: DataType,
               conversion: Conversion = Conversion()) -> ArmValues:
    """Mean and SD (or events) for one arm from whatever it reports; refuses with a
    line naming study, arm and field."""
    v = report.values
    try:
        if "n" not in v:
            raise ConversionError("n", "missing value (every arm needs its number of "
                                  "participants)")
        n = Derived.reported(v["n"], "n")
        if data_type is DataType.DICHOTOMOUS:
            events = _events(v)
            _check_counts(v["n"], events.value)
            return _clustered(replace(_base(report, n), events=events), v, conversion.icc)
        mean, sd = _continuous(v, conversion)
        mean = _skew_note(mean, sd, conversion.lower_bound)
        _check_arm(v)
        if not sd.value > 0:
            raise ConversionError("sd", f"the reported statistics give an SD of {sd.value:g}; "
                                  "it must be > 0")
        return _clustered(replace(_base(report, n), mean=mean, sd=sd), v, conversion.icc)
    except ConversionError as exc:
        raise _located(exc, report) from None


def _clustered(arm: ArmValues, v: Mapping[str, float],
               assumed_icc: float | None = None) -> ArmValues:
    """A cluster trial analysed as if individually randomised: n (and events) divided by
    the design effect 1 + (M - 1) ICC and rounded, mean and SD unchanged (Handbook
    23.1.4). M is the arm's mean cluster size, given or its n over its number of
    clusters. Converted (design-effect adjusted) with the ICC the data give; imputed
    with the ICC an analysis assumes for arms that give none."""
    if not any(s in v for s in DESIGN_STATS):
        return arm
    origin = Origin.CONVERTED
    if "icc" not in v:
        if assumed_icc is None:
            raise ConversionError("icc", "a cluster trial needs its ICC (intracluster "
                                  "correlation) beside its clusters or mean cluster size, "
                                  "or an ICC the analysis assumes (icc, --icc)")
        v = {**v, "icc": assumed_icc}
        origin = Origin.IMPUTED
    if "cluster_size" in v:
        size, size_from = v["cluster_size"], f"mean cluster size {v['cluster_size']:g}"
    elif "clusters" in v:
        k = v["clusters"]
        if not (k >= 1 and k == int(k)) or k > arm.n.value:
            raise ConversionError("clusters", f"{k:g} is not a whole number of clusters "
                                  f"between 1 and n ({arm.n.value:g})")
        size = arm.n.value / k
        size_from = f"mean cluster size {size:.4g} = n {arm.n.value:g} / {k:g} clusters"
    else:
        raise ConversionError("icc", "a cluster trial needs its mean cluster size "
                              "(cluster_size) or its number of clusters (clusters)")
    de = cv.design_effect(size, v["icc"])
    assumed = " assumed by the analysis" if origin is Origin.IMPUTED else ""
    note = f"design effect {de:.4g} ({size_from}, ICC {v['icc']:g}{assumed}; Handbook 23.1.4)"
    used = ("cluster_size" if "cluster_size" in v else "clusters",
            *(() if assumed else ("icc",)))
    n = math.floor(arm.n.value / de + 0.5)
    if n < (1 if arm.events is not None else 2):
        raise ConversionError("n", f"{arm.n.value:g} participants over design effect {de:.4g} "
                              "leave too few to analyse")
    out = replace(arm, n=Derived(n, "cluster_design_effect", ("n", *used), origin, note))
    if arm.events is not None:
        events = math.floor(arm.events.value / de + 0.5)
        out = replace(out, events=Derived(events, "cluster_design_effect",
                                          ("events", *used), origin, note))
    return out


def _check_arm(v: Mapping[str, float]) -> None:
    """Single-arm sanity: whole n >= 2 and positive SD/SE for continuous data."""
    if v["n"] < 2 or v["n"] != int(v["n"]):
        raise ConversionError("n", f"{v['n']:g}: each arm needs a whole number of at least "
                              "2 participants")
    for name in ("sd", "se"):
        if name in v and v[name] <= 0:
            raise ConversionError(name, f"must be > 0 (got {v[name]:g})")


def _base(report: ArmReport, n: Derived) -> ArmValues:
    return ArmValues(report.study, report.arm, report.role, n, attributes=report.attributes)


def _check_counts(n: float, events: float) -> None:
    if n < 1 or n != int(n):
        raise ConversionError("n", f"{n:g} is not a whole number of at least 1")
    if events < 0 or events != int(events):
        raise ConversionError("events", f"{events:g} is not a whole number >= 0")
    if events > n:
        raise ConversionError("events", f"events ({events:g}) > n ({n:g})")


def _events(v: Mapping[str, float]) -> Derived:
    if "events" in v:
        if "percent" in v and abs(v["percent"] * v["n"] / 100 - v["events"]) > 1:
            raise ConversionError("percent", f"{v['percent']:g}% of {v['n']:g} is not "
                                  f"{v['events']:g} events; check both")
        return Derived.reported(v["events"], "events")
    if "percent" in v:
        p = v["percent"]
        if not 0 <= p <= 100:
            raise ConversionError("percent", f"{p:g} is not a percentage between 0 and 100")
        # nearest whole number, halves up (Python's round() would take 10.5 to 10)
        events = math.floor(p * v["n"] / 100 + 0.5)
        return Derived(float(events), "percent_of_n", ("percent", "n"),
                       note=f"{p:g}% of {v['n']:g} = {p * v['n'] / 100:g}, rounded")
    raise ConversionError("events", "missing (give events, or percent with n)")


def _skew_note(mean: Derived, sd: Derived, lower_bound: float | None) -> Derived:
    """Altman & Bland 1996 (Handbook 10.5.3): on a scale that cannot go below its minimum,
    a mean less than two SDs above it suggests skewed data; a warning on the mean."""
    if lower_bound is None or not cv.looks_skewed(mean.value, sd.value, lower_bound):
        return mean
    return mean.warned(f"data look skewed (mean less than 2 SD above the scale's minimum "
                       f"{lower_bound:g}; Altman & Bland 1996)")


def _continuous(v: Mapping[str, float], conversion: Conversion) -> tuple[Derived, Derived]:
    n = v["n"]
    five = {k: v.get(k) for k in ("q1", "q3", "min", "max")}
    from_median = None
    if ("mean" not in v or "sd" not in v) and "median" in v and any(
            x is not None for x in five.values()):
        from_median = cv.from_median(n, v["median"], five["q1"], five["q3"], five["min"],
                                     five["max"], mean_method=conversion.mean,
                                     sd_method=conversion.sd)
    if "mean" in v:
        mean = Derived.reported(v["mean"], "mean")
    elif from_median is not None:
        mean = from_median.mean
    elif "mean_baseline" in v and "mean_final" in v:
        mean = Derived(v["mean_final"] - v["mean_baseline"], "change_from_means",
                       ("mean_baseline", "mean_final"))
    elif "ci_low" in v and "ci_high" in v:
        mean = Derived((v["ci_low"] + v["ci_high"]) / 2, "ci_midpoint", ("ci_low", "ci_high"))
    else:
        raise ConversionError("mean", "missing (give the mean, or the median with Q1/Q3 "
                              "and/or minimum/maximum)")
    if "sd" in v:
        sd = Derived.reported(v["sd"], "sd")
    elif "se" in v:
        sd = cv.sd_from_se(v["se"], n)
    elif "ci_low" in v and "ci_high" in v:
        sd = cv.sd_from_ci(v["ci_low"], v["ci_high"], n, mean=mean.value)
    elif from_median is not None:
        sd = from_median.sd
    elif "sd_baseline" in v and "sd_final" in v:
        if conversion.correlation is None:
            raise ConversionError("sd", "missing; a change-from-baseline SD from baseline and "
                                  "final SDs needs a correlation (name one, or impute it from "
                                  "studies reporting all three SDs)")
        sd = cv.sd_change(v["sd_baseline"], v["sd_final"], conversion.correlation,
                          imputed_from=conversion.correlation_from)
    else:
        raise ConversionError("sd", "missing (give the SD, SE, 95% CI, or quartiles/range)")
    return mean, sd


# -- comparisons ------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One row the engine pools: an intervention arm against a control arm, or (generic
    inverse variance) a reported effect and its SE."""

    label: str
    study: str
    treat: ArmValues | None
    ctrl: ArmValues | None
    subgroup: str | None = None
    handling: Handling = Handling.TWO_ARMS
    effect: Mapping[str, Derived] = field(default_factory=dict)  # estimate, se
    share: tuple[int, int] = (1, 1)  # (i, k): the i-th of k comparisons of a split
    arm_count: tuple[int, int] = (1, 1)  # intervention and control arms behind it

    def describe(self) -> str:
        """How the study's arms entered, in words (trace and summary)."""
        i, k = self.share
        return {Handling.COMBINED: f"combined {self.arm_count[0]}+{self.arm_count[1]} arms "
                                   "(Handbook 6.5.2.10)",
                Handling.CONTROL_SPLIT: f"control split {i}/{k} (Handbook 23.3.4)",
                Handling.INTERVENTION_SPLIT: f"intervention arm split {i}/{k} (Handbook 23.3.4)",
                Handling.AS_ENTERED: f"entry {i} of the study, as entered in RevMan",
                }.get(self.handling, str(self.handling))

    @property
    def arms(self) -> tuple[ArmValues, ...]:
        return tuple(a for a in (self.treat, self.ctrl) if a is not None)

    def values(self) -> dict[str, Derived]:
        """Every value this comparison pools (arm values prefixed by the arm)."""
        out = {f"{a.arm}/{k}": d for a in self.arms for k, d in a.used().items()}
        return out | dict(self.effect)

    @property
    def origin(self) -> Origin:
        return worst(d.origin for d in self.values().values())

# -- the analysis input -----------------------------------------------------------------


@dataclass(frozen=True)
class AnalysisInput:
    """Everything one analysis pools, typed and traced; validated by :meth:`table`."""

    data_type: DataType
    comparisons: tuple[Comparison, ...]
    subgroup: str | None = None

    def frame(self) -> pd.DataFrame:
        """The ``reviewflow pool`` wide CSV of these comparisons (the exact input)."""
        import pandas as pd

        columns, rows = self._rows()
        return pd.DataFrame(rows, columns=columns)

    def _rows(self) -> tuple[list[str], list[dict[str, object]]]:
        """The wide CSV's columns and rows (counts that are whole as ints): what
        :meth:`frame` tabulates and :meth:`study_table` pools, read once from here so
        pooling does not need pandas (slow to import; issue 22)."""
        stats = ("events", "n") if self.data_type is DataType.DICHOTOMOUS else ("mean", "sd",
                                                                               "n")
        if self.data_type is DataType.GENERIC:
            stats = ()
        rows = []
        for c in self.comparisons:
            row: dict[str, object] = {"study": c.label}
            row |= {k: d.value for k, d in c.effect.items()}
            for suffix, arm in (("treat", c.treat), ("ctrl", c.ctrl)):
                if arm is None:
                    continue
                used = arm.used()
                for s in stats:
                    value = used[s].value
                    whole = s in ("n", "events") and value == int(value)
                    row[f"{s}_{suffix}"] = int(value) if whole else value
            if self.subgroup:
                row[self.subgroup] = c.subgroup if c.subgroup is not None else "not reported"
            rows.append(row)
        cols = ["study", *(f"{s}_{x}" for x in ("treat", "ctrl") for s in stats)]
        if self.data_type is DataType.GENERIC:
            cols = ["study", "estimate", "se"]
        return cols + ([self.subgroup] if self.subgroup else []), rows

    def study_table(self):  # -> analysis.StudyTable
        """The engine's input, built from values :func:`derive_arm` (or
        :func:`reported_effects.derive_effect`) already checked: validated once.
        A cell a row lacks is NaN, as in :meth:`frame`."""
        import numpy as np

        from reviewflow.pooling.analysis import StudyTable

        columns, rows = self._rows()
        names = [c for c in columns if c not in ("study", self.subgroup)]
        arrays = {c: np.asarray([r.get(c, math.nan) for r in rows], dtype=float)
                  for c in names}
        groups = tuple(str(r[self.subgroup]) for r in rows) if self.subgroup else None
        return StudyTable(self.data_type, tuple(str(r["study"]) for r in rows), arrays, groups)

    def marks(self) -> dict[str, str]:
        """Comparison label -> footnote symbol (converted †, imputed ‡)."""
        return {c.label: MARKS[c.origin] for c in self.comparisons if c.origin in MARKS}

    def reported_only(self) -> AnalysisInput:
        """The sensitivity input: comparisons whose every used value was reported."""
        kept = tuple(c for c in self.comparisons if c.origin is Origin.REPORTED)
        return replace(self, comparisons=kept)

    def warnings(self) -> list[str]:
        """Skewness warnings (Shi et al. 2023's test, Altman & Bland's check), one per arm."""
        out = []
        for c in self.comparisons:
            for a in c.arms:
                warned = [w for d in a.used().values() for w in d.warnings]
                if warned:
                    out.append(f"{c.label}, {a.arm}: {warned[0]}")
        return list(dict.fromkeys(out))

    def multi_arm_lines(self) -> list[str]:
        """One line per multi-arm study: how its arms entered this analysis."""
        out: dict[str, str] = {}
        for c in self.comparisons:
            if c.handling is Handling.COMBINED:
                out[c.study] = f"{c.study}: {c.describe()}"
            elif c.handling in (Handling.CONTROL_SPLIT, Handling.INTERVENTION_SPLIT):
                what = "control" if c.handling is Handling.CONTROL_SPLIT else "intervention arm"
                out[c.study] = (f"{c.study}: {what} split between {c.share[1]} comparisons "
                                "(Handbook 23.3.4)")
        return list(out.values())

    def repeated_entry_lines(self) -> list[str]:
        """One line per study pooled more than once as entered in RevMan: the reader must
        know that a shared control may count twice (Handbook 23.3.4)."""
        entries: dict[str, list[Comparison]] = {}
        for c in self.comparisons:
            if c.handling is Handling.AS_ENTERED:
                entries.setdefault(c.study, []).append(c)
        out = []
        for study, cs in entries.items():
            groups = list(dict.fromkeys(str(c.subgroup) for c in cs if c.subgroup is not None))
            where = f" (subgroups {', '.join(groups)})" if len(groups) > 1 else ""
            controls = {tuple(sorted((k, d.value) for k, d in c.ctrl.used().items()))
                        for c in cs if c.ctrl is not None}
            same = len(controls) == 1 and all(c.ctrl is not None for c in cs)
            risk = (f"the same control numbers are in all {len(cs)} entries, so its "
                    "participants are counted more than once" if same else
                    "a shared control may be counted more than once")
            out.append(f"{study} is pooled {len(cs)} times, as entered in RevMan{where}; "
                       f"{risk} (Cochrane Handbook 23.3.4)")
        return out

    @property
    def derived_count(self) -> int:
        return sum(1 for c in self.comparisons if c.origin is not Origin.REPORTED)

    def trace(self) -> list[dict[str, Any]]:
        """Per comparison and arm: each value used and how it was derived (JSON)."""
        return [{"study": c.study, "label": c.label, "subgroup": c.subgroup,
                 "handling": c.describe(), "origin": str(c.origin),
                 "arms": [_arm_trace(a) for a in c.arms],
                 **({"effect": _values_trace(c.effect)} if c.effect else {})}
                for c in self.comparisons]


def _arm_trace(a: ArmValues) -> dict[str, Any]:
    return {"arm": a.arm, "role": str(a.role), "origin": str(a.origin),
            "values": _values_trace(a.used())}


def _values_trace(values: Mapping[str, Derived]) -> dict[str, Any]:
    return {k: {"value": _num(d.value), "origin": str(d.origin), "method": d.method,
                "from": list(d.inputs), **({"note": d.note} if d.note else {}),
                **({"warnings": list(d.warnings)} if d.warnings else {})}
            for k, d in values.items()}


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def footnote(marks: Mapping[str, str]) -> str:
    """The legend under a plot or table that carries marks."""
    used = set(marks.values())
    parts = []
    if "†" in used:
        parts.append("† converted from reported statistics")
    if "‡" in used:
        parts.append("‡ includes imputed values (an assumed correlation or ICC)")
    return "; ".join(parts)
