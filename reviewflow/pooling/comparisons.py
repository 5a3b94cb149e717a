"""Several arms of one study -> the comparisons an analysis pools, never counting the
same participants twice.

Two arms give one comparison. Several intervention arms against one control are either
combined (Handbook 6.5.2.10) or each compared with a share of the control (23.3.4: n
divided, events divided as evenly as whole numbers allow, mean and SD unchanged); a
split by subgroup puts each comparison in the subgroup of its intervention arm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from reviewflow.errors import ReviewflowError
from reviewflow.pooling import conversions as cv
from reviewflow.pooling.conversions import ConversionError, Derived
from reviewflow.pooling.trial_data import (
    AnalysisInput,
    ArmReport,
    ArmValues,
    Comparison,
    Conversion,
    Handling,
    MultiArm,
    Role,
    derive_arm,
    worst,
)
from reviewflow.pooling.types import DataType
from reviewflow.wording import plural

DEFAULTS = Conversion()  # metafor 4's conv.fivenum defaults, no correlation


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
        ev, _ = cv.combine_dichotomous([(a.events.value, a.n.value)  # type: ignore[union-attr]
                                         for a in arms])
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
        return [Comparison(study, study, t, c, group_of(treat[0]), Handling.COMBINED,
                           arm_count=(len(treat), len(ctrl)))]
    if len(ctrl) == 1:
        shares = split_arm(ctrl[0], len(treat))
        groups = [group_of(t) for t in treat]
        named = subgroup and None not in groups and len(set(groups)) == len(groups)
        return [Comparison(f"{study} ({group_of(t) if named else t.arm})", study, t, s,
                           group_of(t), Handling.CONTROL_SPLIT, share=(i, len(treat)))
                for i, (t, s) in enumerate(zip(treat, shares, strict=True), start=1)]
    if len(treat) == 1:
        shares = split_arm(treat[0], len(ctrl))
        return [Comparison(f"{study} (vs {c.arm})", study, s, c, group_of(treat[0]),
                           Handling.INTERVENTION_SPLIT, share=(i, len(ctrl)))
                for i, (s, c) in enumerate(zip(shares, ctrl, strict=True), start=1)]
    raise ReviewflowError(f"study {study!r}: {len(treat)} intervention and {len(ctrl)} control "
                          "arms cannot be split pairwise without counting participants twice; "
                          "combine them (multi-arm combine)")


def analysis_input(studies: list[list[ArmReport]], data_type: DataType, *,
                   multi_arm: MultiArm = MultiArm.SPLIT, conversion: Conversion = DEFAULTS,
                   subgroup: str | None = None,
                   entries: Sequence[int] | None = None) -> AnalysisInput:
    """Each study's arm reports -> the typed, traced input (refuses double counting).

    ``entries``: the arm reports are entries of studies as a RevMan author entered them
    (``studies[i]`` is entry ``entries[i]`` of its study, one intervention against one
    control); a study with several entries is pooled once per entry, as RevMan does, and
    only such studies escape the double-counting check (the analysis says so)."""
    if conversion.correlation_from_studies:
        r, source = impute_correlation(studies)
        conversion = replace(conversion, correlation=r, correlation_from=source,
                             correlation_from_studies=False)
    comparisons: list[Comparison] = []
    for i, arms in enumerate(studies):
        derived = [derive_arm(r, data_type, conversion) for r in arms]
        built = build_comparisons(derived, data_type, multi_arm, subgroup)
        if entries is not None and len(built) != 1:
            raise ReviewflowError(f"study {arms[0].study!r}, entry {entries[i]}: an entry "
                                  "as entered in RevMan compares one intervention arm with "
                                  "one control arm")
        comparisons += built
    if entries is not None:
        comparisons = mark_entries(comparisons, entries)
    _refuse_shared_arms(comparisons)
    return AnalysisInput(data_type, tuple(comparisons), subgroup)


def mark_entries(comparisons: list[Comparison], entries: Sequence[int]) -> list[Comparison]:
    """``comparisons[i]`` is entry ``entries[i]`` of its study: a study with more than one
    entry has each marked and labelled by its entry number (labels stay unique)."""
    count = Counter(c.study for c in comparisons)
    return [replace(c, label=f"{c.study} (entry {k})", handling=Handling.AS_ENTERED,
                    share=(k, count[c.study])) if count[c.study] > 1 else c
            for c, k in zip(comparisons, entries, strict=True)]


def impute_correlation(studies: list[list[ArmReport]]) -> tuple[float, str]:
    """The mean baseline-final correlation of the arms that report the change SD and both
    baseline and final SDs (Handbook 6.5.2.8), and a note naming them."""
    found = []
    for arms in studies:
        for a in arms:
            v = a.values
            if all(k in v for k in ("sd", "sd_baseline", "sd_final")):
                try:
                    found.append((cv.correlation_from_change(v["sd_baseline"], v["sd_final"],
                                                             v["sd"]), a))
                except ConversionError as exc:
                    raise exc.at(a.study, a.arm) from None
    if not found:
        raise ReviewflowError("correlation 'studies': no arm reports its change SD with both "
                              "baseline and final SDs to impute the correlation from")
    r = sum(x for x, _ in found) / len(found)
    names = ", ".join(dict.fromkeys(a.study for _, a in found))
    return r, f"mean of {plural(len(found), 'arm')} of {names}"


def _refuse_shared_arms(comparisons: list[Comparison]) -> None:
    """Two rows of one study with the very same arm (control or intervention, same n and
    statistics) would count that arm's participants twice: refused."""
    seen: set[tuple] = set()
    for c in comparisons:
        if c.handling is not Handling.TWO_ARMS:
            continue
        for role, arm in (("control", c.ctrl), ("intervention", c.treat)):
            if arm is None:
                continue
            key = (c.study.lower(), role,
                   tuple(sorted((k, d.value) for k, d in arm.used().items())))
            if key in seen:
                raise ReviewflowError(
                    f"study {c.study!r}: two comparisons share the same {role} arm "
                    f"({_describe(arm)}); its participants would be counted twice in one "
                    "pooled estimate. Give the study's arms in the long layout "
                    "(study,arm,role,...) and choose multi-arm split or combine")
            seen.add(key)


def _describe(arm: ArmValues) -> str:
    return ", ".join(f"{k} {d.value:g}" for k, d in arm.used().items())
