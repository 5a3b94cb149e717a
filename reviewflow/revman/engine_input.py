"""One RevMan outcome -> the pooling engine's StudyTable and Options.

Shared by the checker (re-run RevMan's analyses) and the writer (compute the
results stored in an exported file), so both read RevMan's settings the same
way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reviewflow.pooling.analysis import StudyTable
from reviewflow.pooling.api import make_options
from reviewflow.pooling.types import DataType, Options
from reviewflow.revman.model import DataRow, Outcome, OutcomeKind
from reviewflow.revman.reader import has_data

KIND_TYPES = {
    OutcomeKind.DICHOTOMOUS: DataType.DICHOTOMOUS,
    OutcomeKind.CONTINUOUS: DataType.CONTINUOUS,
    OutcomeKind.GENERIC: DataType.GENERIC,
}
RATIO_MEASURES = frozenset({"RR", "OR", "PETO_OR", "HR", "RATIO"})


@dataclass(frozen=True)
class EngineInput:
    table: StudyTable
    options: Options
    rows: tuple[DataRow, ...]  # the rows in the table, in its order
    subgroup_ids: tuple[str, ...]  # subgroups in file order (empty without subgroups)


def options_for(outcome: Outcome) -> Options:
    s = outcome.settings
    model = "random" if s.random else "fixed"
    level = s.ci_total / 100
    extra = {"tau2_method": s.tau2, "hksj": s.hksj}
    if outcome.kind is OutcomeKind.GENERIC:
        # The engine needs only whether the scale is a ratio (log) one.
        measure = "OR" if s.log_data else "MD"
        return make_options(measure=measure, method="IV", model=model, level=level, **extra)
    if s.measure == "PETO_OR" or s.method == "PETO":
        return make_options(measure="OR", method="Peto", model=model, level=level, **extra)
    return make_options(measure=s.measure, method=s.method, model=model, level=level,
                        **extra)


def _columns(rows: tuple[DataRow, ...], outcome: Outcome) -> dict[str, np.ndarray]:
    def col(field: str) -> np.ndarray:
        return np.array([getattr(r, field) for r in rows], dtype=float)

    if outcome.kind is OutcomeKind.DICHOTOMOUS:
        e1, n1, e2, n2 = col("events_1"), col("total_1"), col("events_2"), col("total_2")
        if outcome.settings.swap_events:  # RevMan analyses the non-events
            e1, e2 = n1 - e1, n2 - e2
        return {"events_treat": e1, "n_treat": n1, "events_ctrl": e2, "n_ctrl": n2}
    if outcome.kind is OutcomeKind.CONTINUOUS:
        return {"mean_treat": col("mean_1"), "sd_treat": col("sd_1"), "n_treat": col("total_1"),
                "mean_ctrl": col("mean_2"), "sd_ctrl": col("sd_2"), "n_ctrl": col("total_2")}
    return {"estimate": col("estimate"), "se": col("se")}


def engine_input(outcome: Outcome, names: dict[str, str]) -> EngineInput | None:
    """The table to pool, or None when no row has data."""
    if outcome.has_subgroups:
        pairs = [(s.id, r) for s in outcome.subgroups for r in s.rows]
        subgroup_ids = tuple(s.id for s in outcome.subgroups)
    else:
        pairs = [(None, r) for r in outcome.rows]
        subgroup_ids = ()
    pairs = [(g, r) for g, r in pairs if has_data(r, outcome.kind)]
    if not pairs:
        return None
    rows = tuple(r for _, r in pairs)
    table = StudyTable(
        KIND_TYPES[outcome.kind],
        tuple(names.get(r.study_id, r.study_id) for r in rows),
        _columns(rows, outcome),
        tuple(g for g, _ in pairs) if outcome.has_subgroups else None,
    )
    return EngineInput(table, options_for(outcome), rows, subgroup_ids)
