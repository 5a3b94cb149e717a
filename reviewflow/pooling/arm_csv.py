"""Arm-level statistics from a ``reviewflow pool`` CSV: the wide layout's per-arm
columns and the long layout (one row per arm), as typed :class:`ArmReport` lists.

Wide: ``study, mean_treat, sd_treat, n_treat, ...`` plus any of
``median_*, q1_*, q3_*, min_*, max_*, se_*, ci_low_*, ci_high_*`` (continuous) or
``percent_*`` (dichotomous), ``*`` being ``treat`` or ``ctrl``; a cluster trial adds
``icc`` and ``cluster_size`` (both arms) or ``clusters_*``/``cluster_size_*``/``icc_*``.
Long, recognised by its ``arm`` and ``role`` columns: ``study, arm, role, n`` and
the same statistics without suffix; ``role`` is ``intervention`` or ``control``;
any other text column (cell source, dose) is an attribute of the arm.

Cells are read as text so each problem names its file, line and column.
"""

from __future__ import annotations

import math

import pandas as pd

from reviewflow.errors import InputError
from reviewflow.pooling.reported_effects import EFFECT_STATS, EffectReport
from reviewflow.pooling.trial_data import (
    CONTINUOUS_STATS,
    DESIGN_STATS,
    DICHOTOMOUS_STATS,
    ArmReport,
    Role,
)
from reviewflow.pooling.types import DataType, Measure

STATS = tuple(dict.fromkeys(CONTINUOUS_STATS + DICHOTOMOUS_STATS))
SUFFIXES = {"treat": Role.INTERVENTION, "ctrl": Role.CONTROL}
WIDE_EXTRA = tuple(f"{s}_{x}" for x in SUFFIXES for s in (*STATS, *DESIGN_STATS)
                   if s not in ("mean", "sd", "n", "events"))
STUDY_DESIGN = ("cluster_size", "icc")  # wide layout: one value for both arms


GENERIC_EXTRA = tuple(s for s in EFFECT_STATS if s not in ("estimate", "se"))


def is_long(frame: pd.DataFrame) -> bool:
    return {"arm", "role"} <= set(frame.columns)


def is_generic(frame: pd.DataFrame) -> bool:
    """Reported effects: no arm columns, and an estimate or a cross-over's period means."""
    cols = set(frame.columns)
    arm_cols = any(c.endswith(("_treat", "_ctrl")) for c in cols)
    return not arm_cols and not is_long(frame) and bool({"estimate", "mean_e"} & cols)


def needs_arm_path(frame: pd.DataFrame) -> bool:
    """True when the CSV uses columns the plain engine input lacks (arm-level statistics,
    the long layout, or an effect given by CI/P, a cluster or a cross-over trial)."""
    if is_generic(frame):
        return any(c in frame.columns for c in GENERIC_EXTRA)
    return is_long(frame) or any(c in frame.columns for c in (*WIDE_EXTRA, *DESIGN_STATS))


def data_type_of(columns: list[str], measure: Measure | None) -> DataType:
    cols = set(columns)
    dich = any(c.startswith(("events", "percent")) for c in cols)
    if dich and measure not in (Measure.MD, Measure.SMD):
        return DataType.DICHOTOMOUS
    return DataType.CONTINUOUS


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(text: str, source: str, line: int, col: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(source, line, f"column {col!r}: {text!r} is not a number")
    return value


def _stats(row: dict[str, object], names: dict[str, str], source: str,
           line: int) -> dict[str, float]:
    """stat -> value for the non-empty cells of ``names`` (stat -> column)."""
    out = {}
    for stat, col in names.items():
        text = _text(row.get(col))
        if text:
            out[stat] = _number(text, source, line, col)
    return out


def wide_reports(frame: pd.DataFrame, *, source: str, subgroup: str | None = None,
                 first_line: int = 2) -> list[list[ArmReport]]:
    """One group of two arms per row (a row is one comparison)."""
    if "study" not in frame.columns:
        raise InputError(source, 1, "missing column 'study'")
    if "clusters" in frame.columns:
        raise InputError(source, 1, "column 'clusters': each arm has its own number of "
                         "clusters; name the columns clusters_treat and clusters_ctrl")
    groups = []
    for i, row in enumerate(frame.to_dict("records")):
        line = first_line + i
        study = _text(row.get("study")) or f"Study {i + 1}"
        attrs = {subgroup: _text(row.get(subgroup))} if subgroup else {}
        design = _stats(row, {s: s for s in STUDY_DESIGN if s in frame.columns}, source, line)
        arms = []
        for suffix, role in SUFFIXES.items():
            names = {s: f"{s}_{suffix}" for s in (*STATS, *DESIGN_STATS)
                     if f"{s}_{suffix}" in frame.columns}
            values = design | _stats(row, names, source, line)
            arms.append(ArmReport(study, suffix, role, values, attrs))
        groups.append(arms)
    return groups


def long_reports(frame: pd.DataFrame, *, source: str,
                 first_line: int = 2) -> list[list[ArmReport]]:
    """Arms grouped by study, studies in order of first appearance."""
    for col in ("study", "arm", "role", "n"):
        if col not in frame.columns:
            raise InputError(source, 1, f"missing column {col!r} (the long layout needs "
                             "study, arm, role, n and the statistics)")
    stat_cols = {s: s for s in (*STATS, *DESIGN_STATS) if s in frame.columns}
    attr_cols = [c for c in frame.columns if c not in stat_cols and c not in
                 ("study", "arm", "role")]
    by_study: dict[str, list[ArmReport]] = {}
    names: dict[str, str] = {}  # one study however its name is cased or spaced
    arm_lines: dict[tuple[str, str], int] = {}
    for i, row in enumerate(frame.to_dict("records")):
        line = first_line + i
        study, arm = _text(row.get("study")), _text(row.get("arm"))
        if not study or not arm:
            raise InputError(source, line, f"column {'study' if not study else 'arm'!r}: empty")
        study = names.setdefault(_key(study), study)
        first = arm_lines.setdefault((_key(study), _key(arm)), line)
        if first != line:
            raise InputError(source, line, f"study {study!r}, arm {arm!r} is also on line "
                             f"{first}; its participants would be counted twice")
        role_text = _text(row.get("role")).lower()
        try:
            role = Role(role_text)
        except ValueError:
            raise InputError(source, line, f"column 'role': {role_text!r} is not intervention "
                             "or control") from None
        attrs = {c: _text(row.get(c)) for c in attr_cols if _text(row.get(c))}
        by_study.setdefault(study, []).append(
            ArmReport(study, arm, role, _stats(row, stat_cols, source, line), attrs))
    if not by_study:
        raise InputError(source, None, "no studies (the file has a header but no rows)")
    return list(by_study.values())


def refuse_double_counting(frame: pd.DataFrame, *, source: str, first_line: int = 2) -> None:
    """One study on two rows of a wide CSV that share an arm with the very same statistics
    counts that arm's participants twice in one pooled estimate: refused naming file, line
    and study, as the typed path refuses it (``comparisons._refuse_shared_arms``). A shared
    arm split between the comparisons (Handbook 23.3.4: n divided) differs on each row
    and passes. A reported effect (generic CSV) may enter once per study label."""
    if is_long(frame) or "study" not in frame.columns:
        return
    generic = is_generic(frame)
    seen: dict[tuple[str, str, tuple], int] = {}
    for i, row in enumerate(frame.to_dict("records")):
        line = first_line + i
        study = _text(row.get("study"))
        if not study:
            continue
        name = _key(study)
        arms = [("effect", ())] if generic else [
            (str(role), _arm_key(frame, row, suffix)) for suffix, role in
            (("ctrl", Role.CONTROL), ("treat", Role.INTERVENTION))]
        repeats = [(role, seen[(name, role, key)]) for role, key in arms
                   if key is not None and (name, role, key) in seen]
        if generic and repeats:
            raise InputError(source, line, f"study {study!r} is also on line {repeats[0][1]}; "
                             "its participants would be counted twice in one pooled estimate "
                             "(label two effects of one trial apart only when they share no "
                             "participants)")
        if len(repeats) == len(arms):
            raise InputError(source, line, f"study {study!r} repeats line {repeats[0][1]} "
                             "(the same study and arms); its participants would be counted "
                             "twice in one pooled estimate")
        if repeats:
            role, first = repeats[0]
            raise InputError(source, line, f"study {study!r}: its {role} arm is also on line "
                             f"{first}; its participants would be counted twice in one pooled "
                             f"estimate (split the shared {role} arm between the comparisons, "
                             "Handbook 23.3.4, and label each comparison apart, e.g. "
                             f"'{study} (a)'; or give the arms in the long layout "
                             "study,arm,role,... with --multi-arm split or combine)")
        for role, key in arms:
            if key is not None:
                seen.setdefault((name, role, key), line)


def _key(name: str) -> str:
    """A study or arm name as compared: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


def _arm_key(frame: pd.DataFrame, row: dict[str, object], suffix: str) -> tuple | None:
    """One arm's statistics on a row, comparable across rows (None when it has none)."""
    out = []
    for s in (*STATS, *DESIGN_STATS):
        text = _text(row.get(f"{s}_{suffix}")) if f"{s}_{suffix}" in frame.columns else ""
        if text:
            try:
                out.append((s, float(text)))
            except ValueError:
                out.append((s, text))
    return tuple(out) or None


def input_from_frame(frame: pd.DataFrame, *, source: str, measure: Measure | None = None,
                     subgroup: str | None = None, convert: str | None = None,
                     multi_arm: str = "split", correlation: str | None = None,
                     icc: float | None = None):
    """The typed, traced analysis input of an arm-level CSV (wide or long)."""
    from reviewflow.pooling.comparisons import analysis_input
    from reviewflow.pooling.trial_data import Conversion, MultiArm

    if len(frame) == 0:
        raise InputError(source, None, "no studies (the file has a header but no rows)")
    if subgroup and subgroup not in frame.columns:
        raise InputError(source, 1, f"missing column {subgroup!r} (named by --subgroup)")
    if is_generic(frame):
        from reviewflow.pooling.reported_effects import generic_input

        return generic_input(effect_reports(frame, source=source, subgroup=subgroup),
                             subgroup=subgroup, measure=str(measure or "MD"),
                             icc=Conversion().with_icc(icc).icc)
    if is_long(frame):
        groups = long_reports(frame, source=source)
    else:
        groups = wide_reports(frame, source=source, subgroup=subgroup)
    data_type = data_type_of(list(frame.columns), measure)
    return analysis_input(groups, data_type, multi_arm=MultiArm(multi_arm),
                          conversion=Conversion.parse(convert).with_correlation(
                              correlation).with_icc(icc),
                          subgroup=subgroup)


def effect_reports(frame: pd.DataFrame, *, source: str, subgroup: str | None = None,
                   first_line: int = 2) -> list[EffectReport]:
    """One reported effect per row; estimates and CIs on the analysis scale (log for
    ratios), as in the plain generic CSV."""
    if "study" not in frame.columns:
        raise InputError(source, 1, "missing column 'study'")
    names = {s: s for s in EFFECT_STATS if s in frame.columns}
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        line = first_line + i
        study = _text(row.get("study")) or f"Study {i + 1}"
        attrs = {subgroup: _text(row.get(subgroup))} if subgroup else {}
        out.append(EffectReport(study, _stats(row, names, source, line), False, attrs))
    return out
