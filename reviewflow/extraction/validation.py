"""Rules across fields of one outcome: both arms present, events never above n.

Single-value rules (numbers, SD > 0) live in :func:`form.normalise_value`; these
need the whole outcome at once, and are shared by the spreadsheet import and
the analysis input so a bad outcome is refused the same way everywhere.
"""

from __future__ import annotations

from reviewflow.extraction.form import ArmDef, OutcomeDef


def column(stat: str, arm: str) -> str:
    """Spreadsheet / pooling column name of one statistic of one arm (``sd_ctrl``)."""
    return f"{stat}_{arm}"


def outcome_problems(
    outcome: OutcomeDef, arms: tuple[ArmDef, ...], cells: dict[str, str | None]
) -> list[tuple[str, str]]:
    """Problems as (column, message); ``cells`` maps column names to normalised values.

    An outcome with no values at all is fine (not reported by that study).
    """
    filled = {c for c, v in cells.items() if v is not None}
    wanted = [column(s, a.id) for a in arms for s in outcome.stats]
    if not filled & set(wanted):
        return []
    problems: list[tuple[str, str]] = []
    for arm in arms:
        arm_cols = [column(s, arm.id) for s in outcome.stats]
        if not filled & set(arm_cols):
            problems.append((arm_cols[0], f"missing arm {arm.id!r} ({arm.label}) for outcome "
                             f"{outcome.id!r}"))
            continue
        problems += [(c, "missing value") for c in arm_cols if c not in filled]
        ev, n = cells.get(column("events", arm.id)), cells.get(column("n", arm.id))
        if outcome.type == "dichotomous" and ev is not None and n is not None \
                and float(ev) > float(n):
            problems.append((column("events", arm.id), f"events ({ev}) > n ({n})"))
    return problems
