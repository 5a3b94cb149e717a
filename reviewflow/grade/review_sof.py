"""The review's summary of findings: analyses + GRADE judgements -> tables.

The only place that joins the pooled results (:mod:`reviewflow.grade.evidence`)
with the judgements in the store (:mod:`reviewflow.grade.judgements`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewflow.grade.evidence import OutcomeReview, control_risks, review_outcomes
from reviewflow.grade.judgements import OutcomeGrade, read_current
from reviewflow.grade.sof import SofInput, SofTable, build_tables, sof_row
from reviewflow.store.reader import Reader


def sof_input(review: OutcomeReview, grade: OutcomeGrade | None) -> SofInput:
    run, result = review.run, review.run.result
    o = result.overall
    back = _natural(result.ratio)
    data = run.data
    ctrl_events = int(sum(float(x) for x in data["events_ctrl"])) if "events_ctrl" in data else 0
    ctrl_total = int(sum(float(x) for x in data["n_ctrl"])) if "n_ctrl" in data else 0
    rated = grade.rated if grade else {}
    return SofInput(
        analysis=review.name, outcome=review.title, measure=str(result.options.measure),
        estimate=back(o.estimate), ci_low=back(o.ci_low), ci_high=back(o.ci_high),
        participants=review.evidence.participants, studies=o.k,
        control_risks=tuple(control_risks(data)), control_events=ctrl_events,
        control_total=ctrl_total, assumed_risk=review.settings.assumed_risk,
        assumed_from=review.settings.assumed_from,
        comparator_mean=review.settings.comparator_mean,
        judgements={d: r.judgement for d, r in rated.items()} or None,
        reasons={d: r.reason or "" for d, r in rated.items()},
        comments=review.settings.comments, level=result.options.level,
        measure_label=result.options.measure_label)


def _natural(ratio: bool):
    import math

    return math.exp if ratio else float


def review_sof(reader: Reader, folder: Path, *, default_comparison: str = "",
               runs: Sequence[Any] | None = None) -> tuple[SofTable, ...]:
    """The tables, the judgements and the analyses read in ``reader``'s one snapshot;
    ``runs`` (analyses pooled already, as the report has them) are read rather than
    pooled again, so the table's numbers are the forest plots' numbers."""
    grades = read_current(reader)
    pairs = []
    for review in review_outcomes(reader, folder, runs=runs):
        row = sof_row(sof_input(review, grades.get(review.name)))
        pairs.append((review.settings.comparison or default_comparison, row))
    return build_tables(pairs)
