"""Arms as trials report them -> the comparisons one analysis pools, every value traced.

The typed path from extraction (or a CSV) to the engine: :class:`ArmReport`
holds what a paper gives for one arm (any of mean, SD, n, median, quartiles,
range, SE, CI, events, percent), :func:`derive_arm` turns it into
:class:`ArmValues` whose every number is a :class:`~conversions.Derived` (reported
or converted, by which method), :func:`build_comparisons` pairs intervention and
control arms of each study (two arms; several arms combined by Handbook
6.5.2.10, or split against a shared control by 23.3.4), and
:class:`AnalysisInput` gives the engine's wide frame and the JSON trace.

A study never contributes the same participants twice to one pooled estimate:
splitting divides the shared arm's n (and events) between its comparisons, and
an arm listed as both intervention and comparator is refused.
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
                    "ci_high")
DICHOTOMOUS_STATS = ("events", "n", "percent")
EXTRA_CONTINUOUS = CONTINUOUS_STATS[3:]
MARKS = {Origin.CONVERTED: "†", Origin.IMPUTED: "‡"}


class Role(StrEnum):
    INTERVENTION = "intervention"
    CONTROL = "control"


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
                f"--convert: unknown method {text!r} (use one of luo2018, wan2014, shi2020, "
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
            return replace(_base(report, n), events=events)
        mean, sd = _continuous(v, conversion)
        _check_arm(v)
    except ConversionError as exc:
        raise _located(exc, report) from None
    return replace(_base(report, n), mean=mean, sd=sd)


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
        return Derived.reported(v["events"], "events")
    if "percent" in v:
        p = v["percent"]
        if not 0 <= p <= 100:
            raise ConversionError("percent", f"{p:g} is not a percentage between 0 and 100")
        return Derived(float(round(p * v["n"] / 100)), "percent_of_n", ("percent", "n"))
    raise ConversionError("events", "missing (give events, or percent with n)")


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
    handling: str = "two arms"
    effect: Mapping[str, Derived] = field(default_factory=dict)  # estimate, se

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


def combine_arms(arms: list[ArmValues], data_type: DataType) -> ArmValues:
    """Several arms as one (Handbook 6.5.2.10); the provenance keeps the worst origin."""
    if len(arms) == 1:
        return arms[0]
    names = tuple(a.arm for a in arms)
    label = "+".join(names)
    origin = worst(a.origin for a in arms)
    n_total = sum(a.n.value for a in arms)
    n = Derived(n_total, "combine_groups", names, origin)
    attrs = _common_attributes(arms)
    first = arms[0]
    if data_type is DataType.DICHOTOMOUS:
        ev = sum(a.events.value for a in arms)  # type: ignore[union-attr]
        return ArmValues(first.study, label, first.role, n,
                         events=Derived(ev, "combine_groups", names, origin), attributes=attrs)
    g = cv.combine_continuous([cv.Group(a.n.value, a.mean.value, a.sd.value)  # type: ignore
                               for a in arms])
    return ArmValues(first.study, label, first.role, n,
                     mean=Derived(g.mean, "combine_groups", names, origin),
                     sd=Derived(g.sd, "combine_groups", names, origin), attributes=attrs)


def _common_attributes(arms: list[ArmValues]) -> dict[str, str]:
    keys = set.intersection(*(set(a.attributes) for a in arms))
    return {k: arms[0].attributes[k] for k in keys
            if len({a.attributes[k] for a in arms}) == 1}


def split_arm(arm: ArmValues, parts: int) -> list[ArmValues]:
    """A shared arm divided among ``parts`` comparisons (Handbook 23.3.4)."""
    if parts == 1:
        return [arm]
    events = int(arm.events.value) if arm.events is not None else None
    try:
        shares = cv.split_control(int(arm.n.value), parts, events)
    except ConversionError as exc:
        raise exc.at(arm.study, arm.arm) from None
    out = []
    for i, (n, ev) in enumerate(shares, start=1):
        note = f"share {i} of {parts} of {int(arm.n.value)}"
        new_n = Derived(n, "split_shared_arm", ("n",), arm.n.origin, note)
        new_ev = (Derived(ev, "split_shared_arm", ("events",), arm.events.origin, note)
                  if arm.events is not None and ev is not None else None)
        out.append(replace(arm, n=new_n, events=new_ev))
    return out


def build_comparisons(arms: list[ArmValues], data_type: DataType, multi_arm: MultiArm,
                      subgroup: str | None = None) -> list[Comparison]:
    """The comparisons of one study's arms (all of the same study)."""
    study = arms[0].study
    treat = [a for a in arms if a.role is Role.INTERVENTION]
    ctrl = [a for a in arms if a.role is Role.CONTROL]
    if not treat or not ctrl:
        missing = "an intervention" if not treat else "a control"
        raise ReviewflowError(f"study {study!r}: no {missing} arm (roles must be "
                              "intervention and control)")
    names = [a.arm for a in arms]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ReviewflowError(f"study {study!r}, arm {dupes[0]!r}: listed twice; the same "
                              "participants would be counted twice")

    def group_of(a: ArmValues) -> str | None:
        return a.attributes.get(subgroup) if subgroup else None

    if len(treat) == 1 and len(ctrl) == 1:
        return [Comparison(study, study, treat[0], ctrl[0], group_of(treat[0]))]
    if multi_arm is MultiArm.COMBINE:
        t, c = combine_arms(treat, data_type), combine_arms(ctrl, data_type)
        groups = {group_of(a) for a in treat}
        if subgroup and len(groups) > 1:
            raise ReviewflowError(
                f"study {study!r}: its intervention arms fall in different subgroups "
                f"({', '.join(sorted(str(g) for g in groups))}); combining them would put one "
                "study in one subgroup only: split the control instead (multi-arm split)")
        return [Comparison(study, study, t, c, group_of(treat[0]),
                           f"combined {len(treat)}+{len(ctrl)} arms (Handbook 6.5.2.10)")]
    if len(ctrl) == 1:
        shares = split_arm(ctrl[0], len(treat))
        groups = [group_of(t) for t in treat]
        named = subgroup and None not in groups and len(set(groups)) == len(groups)
        return [Comparison(f"{study} ({group_of(t) if named else t.arm})", study, t, s,
                           group_of(t),
                           f"control split {i}/{len(treat)} (Handbook 23.3.4)")
                for i, (t, s) in enumerate(zip(treat, shares, strict=True), start=1)]
    if len(treat) == 1:
        shares = split_arm(treat[0], len(ctrl))
        return [Comparison(f"{study} (vs {c.arm})", study, s, c, group_of(treat[0]),
                           f"intervention split {i}/{len(ctrl)} (Handbook 23.3.4)")
                for i, (s, c) in enumerate(zip(shares, ctrl, strict=True), start=1)]
    raise ReviewflowError(f"study {study!r}: {len(treat)} intervention and {len(ctrl)} control "
                          "arms cannot be split pairwise without counting participants twice; "
                          "combine them (multi-arm combine)")


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
        return pd.DataFrame(rows, columns=cols + ([self.subgroup] if self.subgroup else []))

    def table(self, *, source: str = "<analysis>"):
        """The engine's StudyTable (the engine's one validation of the numbers)."""
        from reviewflow.pooling.frame import table_from_frame
        from reviewflow.pooling.types import Measure

        measure = {DataType.CONTINUOUS: Measure.SMD, DataType.DICHOTOMOUS: Measure.RR,
                   DataType.GENERIC: None}[self.data_type]
        return table_from_frame(self.frame(), measure=measure, subgroup=self.subgroup,
                                source=source)

    def marks(self) -> dict[str, str]:
        """Comparison label -> footnote symbol (converted †, imputed ‡)."""
        return {c.label: MARKS[c.origin] for c in self.comparisons if c.origin in MARKS}

    def reported_only(self) -> AnalysisInput:
        """The sensitivity input: comparisons whose every used value was reported."""
        kept = tuple(c for c in self.comparisons if c.origin is Origin.REPORTED)
        return replace(self, comparisons=kept)

    @property
    def derived_count(self) -> int:
        return sum(1 for c in self.comparisons if c.origin is not Origin.REPORTED)

    def trace(self) -> list[dict[str, Any]]:
        """Per comparison and arm: each value used and how it was derived (JSON)."""
        return [{"study": c.study, "label": c.label, "subgroup": c.subgroup,
                 "handling": c.handling, "origin": str(c.origin),
                 "arms": [_arm_trace(a) for a in c.arms],
                 **({"effect": _values_trace(c.effect)} if c.effect else {})}
                for c in self.comparisons]


def _arm_trace(a: ArmValues) -> dict[str, Any]:
    return {"arm": a.arm, "role": str(a.role), "origin": str(a.origin),
            "values": _values_trace(a.used())}


def _values_trace(values: Mapping[str, Derived]) -> dict[str, Any]:
    return {k: {"value": _num(d.value), "origin": str(d.origin), "method": d.method,
                "from": list(d.inputs), **({"note": d.note} if d.note else {})}
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


def group_by_study(reports: list[ArmReport]) -> list[list[ArmReport]]:
    """Arms grouped by study label, studies in order of first appearance."""
    out: dict[str, list[ArmReport]] = {}
    for r in reports:
        out.setdefault(r.study, []).append(r)
    return list(out.values())


def analysis_input(studies: list[list[ArmReport]], data_type: DataType, *,
                   multi_arm: MultiArm = MultiArm.SPLIT, conversion: Conversion = Conversion(),
                   subgroup: str | None = None) -> AnalysisInput:
    """Each study's arm reports -> the typed, traced input (refuses double counting)."""
    comparisons: list[Comparison] = []
    for arms in studies:
        derived = [derive_arm(r, data_type, conversion) for r in arms]
        comparisons += build_comparisons(derived, data_type, multi_arm, subgroup)
    _refuse_shared_arms(comparisons)
    return AnalysisInput(data_type, tuple(comparisons), subgroup)


def _refuse_shared_arms(comparisons: list[Comparison]) -> None:
    """Two rows of one study with the very same control arm count its participants twice."""
    seen: dict[tuple, str] = {}
    for c in comparisons:
        if c.handling != "two arms" or c.ctrl is None:
            continue
        key = (c.study.lower(), tuple(sorted((k, d.value) for k, d in c.ctrl.used().items())))
        if key in seen:
            raise ReviewflowError(
                f"study {c.study!r}: two comparisons share the same control arm "
                f"({_describe(c.ctrl)}); its participants would be counted twice in one pooled "
                "estimate. Give the study's arms in the long layout (study,arm,role,...) and "
                "choose multi-arm split or combine")
        seen[key] = c.label


def _describe(arm: ArmValues) -> str:
    return ", ".join(f"{k} {d.value:g}" for k, d in arm.used().items())


# -- reported effects (generic inverse variance) ----------------------------------------

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


def derive_effect(report: EffectReport) -> dict[str, Derived]:
    """Estimate (analysis scale) and SE, each traced; refuses naming study and field."""
    try:
        return _effect(report.values, report.ratio)
    except ConversionError as exc:
        raise exc.at(report.study) from None


def _effect(v: Mapping[str, float], ratio: bool) -> dict[str, Derived]:
    if "estimate" not in v and "mean_e" in v and "mean_c" in v:
        if "n" not in v:
            raise ConversionError("n", "a cross-over trial needs its number of participants")
        x = cv.crossover_md(v["mean_e"], v["mean_c"], v["n"], sd_diff=v.get("sd_diff"),
                            sd_e=v.get("sd_e"), sd_c=v.get("sd_c"), corr=v.get("corr"))
        est, se = x.estimate, x.se
    else:
        est, se = _estimate(v, ratio), _se(v, ratio)
    if "icc" in v or "cluster_size" in v:
        if "icc" not in v or "cluster_size" not in v:
            raise ConversionError("icc", "a cluster trial needs both icc and cluster_size")
        adj = cv.cluster_se(se.value, v["cluster_size"], v["icc"])
        se = Derived(adj.value, adj.method, (*se.inputs, "cluster_size", "icc"),
                     worst((se.origin, adj.origin)), adj.note)
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


def generic_input(reports: list[EffectReport], *, subgroup: str | None = None) -> AnalysisInput:
    """Reported effects -> the typed generic inverse-variance input."""
    comparisons = [Comparison(r.study, r.study, None, None,
                              r.attributes.get(subgroup) if subgroup else None,
                              "reported effect", derive_effect(r)) for r in reports]
    return AnalysisInput(DataType.GENERIC, tuple(comparisons), subgroup)
