"""A RevMan-like plain-text results table (what `reviewflow pool` prints).

Laid out like RevMan's forest plot without the graph: study rows grouped by
subgroup, subtotals with their heterogeneity and overall-effect lines, the
total, and the test for subgroup differences.
"""

from __future__ import annotations

from collections.abc import Mapping

from reviewflow.pooling.formatting import (
    DEFAULT_GROUPS,
    arm_cells,
    arm_headers,
    ci_label,
    difference_line,
    effect_of,
    heterogeneity_line,
    is_random,
    measure_name,
    overall_line,
    prediction_line,
)
from reviewflow.pooling.serialize import method_label
from reviewflow.pooling.types import MetaAnalysisResult, StudyEffect

NAME_WIDTH = 28
CELL = 8


def render_text(result: MetaAnalysisResult, groups: tuple[str, str] = DEFAULT_GROUPS,
                marks: Mapping[str, str] | None = None, footnote: str = "") -> str:
    """The table; ``marks`` follow a study's name (e.g. † converted), ``footnote``
    explains them under the table."""
    marks = marks or {}
    (left, right), cols = arm_headers(result, groups)
    half = len(cols) // 2 * CELL
    effect_title = measure_name(result.options)
    lines = [
        f"{'':{NAME_WIDTH}}{left:>{half}}{right:>{half}}{'':>8}  {effect_title}",
        f"{'Study or Subgroup':{NAME_WIDTH}}" + "".join(f"{c:>{CELL}}" for c in cols)
        + f"{'Weight':>8}  {method_label(result)}",
    ]
    rule = "-" * len(lines[1])
    lines.insert(0, rule)
    lines.append(rule)
    if result.subgroups:
        for g in result.subgroups:
            lines.append(g.name)
            members = [s for s in result.studies if (s.subgroup or "") == g.name]
            lines += [_study_row(result, s, marks) for s in members]
            subtotal = effect_of(result, g.pooled)
            lines.append(_total_row(result, f"Subtotal ({ci_label(result)})", g.weight, subtotal))
            lines.append("  " + heterogeneity_line(g.pooled.heterogeneity, is_random(result)))
            lines.append("  " + overall_line(g.pooled, result.options.hksj))
            lines.append("")
    else:
        lines += [_study_row(result, s, marks) for s in result.studies]
    total_weight = 100.0 if result.overall.estimable else 0.0
    lines.append(_total_row(result, f"Total ({ci_label(result)})", total_weight,
                            effect_of(result, result.overall)))
    lines.append(heterogeneity_line(result.overall.heterogeneity, is_random(result)))
    lines.append(overall_line(result.overall, result.options.hksj))
    if result.subgroup_difference is not None:
        lines.append(difference_line(result.subgroup_difference))
    pi = prediction_line(result)
    if pi:
        lines.append(pi)
    lines.append(rule)
    if footnote:
        lines.append(footnote)
    return "\n".join(lines) + "\n"


def _study_row(result: MetaAnalysisResult, s: StudyEffect,
               marks: Mapping[str, str] | None = None) -> str:
    mark = (marks or {}).get(s.study, "")
    room = NAME_WIDTH - 1 - (len(mark) + 1 if mark else 0)
    name = s.study if len(s.study) <= room else s.study[: room - 1] + "…"
    name = f"{name} {mark}" if mark else name
    cells = "".join(f"{c:>{CELL}}" for c in arm_cells(result, s))
    weight = f"{s.weight:.1f}%" if s.estimable else ""
    return f"{name:{NAME_WIDTH}}{cells}{weight:>8}  {effect_of(result, s)}"


def _total_row(result: MetaAnalysisResult, label: str, weight: float, effect: str) -> str:
    _, cols = arm_headers(result)
    return f"{label:{NAME_WIDTH}}{'':{len(cols) * CELL}}{weight:>7.1f}%  {effect}"
