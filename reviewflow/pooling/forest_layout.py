"""Row layout and axis scale of a RevMan-style forest plot, independent of drawing.

Both the matplotlib plot and the text (Rich) plot walk the same rows, so the
two always show the same studies, subtotals and footnotes in the same order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reviewflow.pooling.formatting import (
    ci_label,
    difference_line,
    heterogeneity_line,
    is_random,
    overall_line,
)
from reviewflow.pooling.types import DataType, MetaAnalysisResult, Pooled, StudyEffect

RATIO_LIMITS = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
RATIO_TICKS = {
    2.0: (0.5, 0.7, 1, 1.5, 2),
    5.0: (0.2, 0.5, 1, 2, 5),
    10.0: (0.1, 0.2, 0.5, 1, 2, 5, 10),
    20.0: (0.05, 0.2, 1, 5, 20),
    50.0: (0.02, 0.1, 1, 10, 50),
    100.0: (0.01, 0.1, 1, 10, 100),
}
DIFF_LIMITS = (0.05, 0.1, 0.2, 0.5, 1, 2, 4, 5, 10, 20, 50, 100, 200, 500, 1000, 10000)


@dataclass(frozen=True)
class Row:
    """One line of the plot. ``kind`` picks the drawing: study, heading,
    subtotal, total, events, note or blank."""

    kind: str
    label: str = ""
    study: StudyEffect | None = None
    pooled: Pooled | None = None
    weight: float = math.nan
    events: tuple[float, float] | None = None
    totals: tuple[float, float] | None = None


def build_rows(result: MetaAnalysisResult) -> list[Row]:
    rows: list[Row] = []
    random = is_random(result)
    hksj = result.options.hksj
    if result.subgroups:
        for g in result.subgroups:
            members = [s for s in result.studies if (s.subgroup or "") == g.name]
            rows.append(Row("heading", g.name))
            rows += [Row("study", s.study, study=s) for s in members]
            rows.append(Row("subtotal", f"Subtotal ({ci_label(result)})", pooled=g.pooled,
                            weight=g.weight, totals=_totals(result, members)))
            rows += _events(result, members)
            rows.append(Row("note", heterogeneity_line(g.pooled.heterogeneity, random)))
            rows.append(Row("note", overall_line(g.pooled, hksj)))
            rows.append(Row("blank"))
    else:
        rows += [Row("study", s.study, study=s) for s in result.studies]
        rows.append(Row("blank"))
    rows.append(Row("total", f"Total ({ci_label(result)})", pooled=result.overall,
                    weight=100.0 if result.overall.estimable else 0.0,
                    totals=_totals(result, list(result.studies))))
    rows += _events(result, list(result.studies))
    rows.append(Row("note", heterogeneity_line(result.overall.heterogeneity, random)))
    rows.append(Row("note", overall_line(result.overall, hksj)))
    if result.subgroup_difference is not None:
        rows.append(Row("note", difference_line(result.subgroup_difference)))
    return rows


def _totals(result: MetaAnalysisResult, studies: list[StudyEffect]) -> tuple[float, float] | None:
    if result.data_type is DataType.DICHOTOMOUS:
        return (sum(s.data[1] for s in studies), sum(s.data[3] for s in studies))
    if result.data_type is DataType.CONTINUOUS:
        return (sum(s.data[2] for s in studies), sum(s.data[5] for s in studies))
    return None


def _events(result: MetaAnalysisResult, studies: list[StudyEffect]) -> list[Row]:
    if result.data_type is not DataType.DICHOTOMOUS:
        return []
    ev = (sum(s.data[0] for s in studies), sum(s.data[2] for s in studies))
    return [Row("events", "Total events", events=ev)]


def axis_limit(result: MetaAnalysisResult) -> float:
    """Smallest symmetric scale (RevMan-like choices) that holds the pooled CIs
    and most study CIs; CIs beyond it are drawn with arrows."""
    spans = [abs(x) for p in _pooled(result) for x in (p.ci_low, p.ci_high) if math.isfinite(x)]
    studies = sorted(
        max(abs(s.ci_low), abs(s.ci_high)) for s in result.studies if s.estimable
    )
    if studies:
        spans.append(studies[int(0.9 * (len(studies) - 1))])
    need = max(spans) if spans else 1.0
    if result.ratio:
        return next((lim for lim in RATIO_LIMITS if math.log(lim) >= need), RATIO_LIMITS[-1])
    return next((lim for lim in DIFF_LIMITS if lim >= need), DIFF_LIMITS[-1])


def _pooled(result: MetaAnalysisResult) -> list[Pooled]:
    return [result.overall, *(g.pooled for g in result.subgroups)]


def ticks(result: MetaAnalysisResult, limit: float) -> tuple[float, ...]:
    """Tick positions on the natural scale."""
    if result.ratio:
        return RATIO_TICKS[limit]
    return (-limit, -limit / 2, 0.0, limit / 2, limit)
