"""Rules across fields of one outcome, checked by the same code that converts them.

Single-value rules (numbers, SD > 0) live in :func:`form.normalise_value`; the
rules across one arm's statistics (events <= n, Q1 <= median, a mean inside its
CI, enough to derive a mean and SD) are the pooling engine's own
(:func:`reviewflow.pooling.trial_data.derive_arm`), so the spreadsheet import and
the analysis input refuse a bad outcome the same way, and what imports is what
pools.
"""

from __future__ import annotations

from reviewflow.extraction.form import ArmDef, OutcomeDef


def column(stat: str, arm: str) -> str:
    """Spreadsheet / pooling column name of one statistic of one arm (``sd_ctrl``)."""
    return f"{stat}_{arm}"


def arm_report(study: str, outcome: OutcomeDef, arm: ArmDef, cells: dict[str, str | None],
               attributes: dict[str, str] | None = None, role: str | None = None):
    """The typed report of one arm (None when the arm has no values for the outcome)."""
    from reviewflow.pooling.trial_data import ArmReport, Role

    values = {s: float(v) for s in outcome.stats
              if (v := cells.get(column(s, arm.id))) is not None}
    if not values:
        return None
    return ArmReport(study, arm.label, Role(role or arm.role), values, attributes or {})


def outcome_problems(
    outcome: OutcomeDef, arms: tuple[ArmDef, ...], cells: dict[str, str | None]
) -> list[tuple[str, str]]:
    """Problems as (column, message); ``cells`` maps column names to normalised values.

    An outcome with no values at all is fine (not reported by that study); else it
    needs an intervention and a control arm, each complete enough to pool.
    """
    from reviewflow.pooling.conversions import LocatedError
    from reviewflow.pooling.trial_data import Conversion, derive_arm
    from reviewflow.pooling.types import DataType

    # What an analysis names (a correlation for change SDs, an assumed ICC) is not the
    # paper's to give: arms are checked here with neutral stand-ins, and the analysis
    # refuses to run without the real ones, naming analysis, study and field.
    assumptions = Conversion(correlation=0.0, icc=0.0)

    if outcome.type == "generic":
        return effect_problems(outcome, cells)
    reports = {a.id: arm_report("", outcome, a, cells) for a in arms}
    if not any(reports.values()):
        return []
    problems: list[tuple[str, str]] = []
    for role in ("intervention", "control"):
        if not any(reports[a.id] for a in arms if a.role == role):
            arm = next(a for a in arms if a.role == role)
            problems.append((column(outcome.stats[0], arm.id), f"missing arm {arm.id!r} "
                             f"({arm.label}) for outcome {outcome.id!r}"))
    kind = DataType(outcome.type)
    for arm in arms:
        report = reports[arm.id]
        if report is None:
            continue
        try:
            derive_arm(report, kind, assumptions)
        except LocatedError as exc:
            problems.append((column(exc.field, arm.id), exc.problem))
    return problems


def effect_report(study: str, outcome: OutcomeDef, cells: dict[str, str | None],
                  attributes: dict[str, str] | None = None):
    """The typed reported effect of a generic outcome (None when the study has none)."""
    from reviewflow.pooling.reported_effects import EffectReport

    values = {s: float(v) for s in outcome.effect_stats
              if (v := cells.get(f"effect_{s}")) is not None}
    if not values:
        return None
    return EffectReport(study, values, outcome.ratio, attributes or {})


def effect_problems(outcome: OutcomeDef, cells: dict[str, str | None]) -> list[tuple[str, str]]:
    from reviewflow.pooling.conversions import LocatedError
    from reviewflow.pooling.reported_effects import derive_effect

    report = effect_report("", outcome, cells)
    if report is None:
        return []
    try:
        derive_effect(report, icc=0.0)  # an ICC the analysis may assume (outcome_problems)
    except LocatedError as exc:
        return [(f"effect_{exc.field}", exc.problem)]
    return []
