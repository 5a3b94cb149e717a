"""A forest plot drawn with characters, as a Rich renderable (for the TUI).

Rich only (no Textual import): a Textual widget can show the returned object
with ``Static(text_forest(result))``. It shows what the PNG plot shows, in the same
columns: each arm's data as the extractors typed it (RevMan's "7.0", not "7"), the
weights, effects, the plot, the prediction interval and RevMan's risk-of-bias
columns when the analysis asks for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from reviewflow.pooling.forest_layout import Row, axis_limit, build_rows, ticks
from reviewflow.pooling.forest_rob import COLOURS, LEGEND, SYMBOLS, ForestRob, symbol_colour
from reviewflow.pooling.formatting import (
    DEFAULT_GROUPS,
    arm_cells,
    arm_headers,
    effect_of,
    measure_name,
    prediction_line,
)
from reviewflow.pooling.serialize import method_label
from reviewflow.pooling.types import MetaAnalysisResult, Method

SQUARE_STYLE = {Method.MH: "bold blue", Method.IV: "bold green", Method.PETO: "bold blue"}
GROUP_WIDTH = 14  # an arm group's name over its first column, clipped beyond this


def text_forest(result: MetaAnalysisResult, width: int = 41,
                favours: tuple[str, str] = ("Favours exp.", "Favours ctrl"),
                marks: Mapping[str, str] | None = None, footnote: str = "", *,
                groups: tuple[str, str] = DEFAULT_GROUPS,
                entered: Mapping[str, Sequence[str | None]] | None = None,
                rob: ForestRob | None = None, prediction_interval: bool = False) -> Group:
    """Table of studies with a character plot column, then the statistics notes.

    ``favours`` labels the left and right of the axis; which arm the left side
    favours depends on the outcome's direction, so the caller, who knows it, says.
    ``marks`` follow converted or imputed studies' names; ``footnote`` explains them.
    ``groups`` names the two arms over their data columns; ``entered`` holds each
    study's cells as typed (None where a value was computed); ``rob`` adds the
    risk-of-bias columns and legend; ``prediction_interval`` draws it dotted
    through the overall diamond's row and states it under the table.
    """
    marks, entered = marks or {}, entered or {}
    scale = _Scale(result, width, favours)
    (left, right), arm_cols = arm_headers(result, groups)
    half = len(arm_cols) // 2
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("\nStudy or Subgroup", no_wrap=True, overflow="ellipsis", max_width=28)
    for j, col in enumerate(arm_cols):
        group = left if j == 0 else right if j == half else ""
        table.add_column(f"{_clip(group, GROUP_WIDTH)}\n{col}", justify="right", no_wrap=True)
    table.add_column("\nWeight", justify="right", no_wrap=True)
    table.add_column(f"{measure_name(result.options)}\n{method_label(result)}",
                     no_wrap=True)
    table.add_column(scale.axis_header(), no_wrap=True)
    headings = rob.headings if rob is not None else ()
    for j, h in enumerate(headings):
        top = "RoB" if j == 0 else ""
        table.add_column(f"{top}\n{'O' if h == 'Overall' else h}", justify="center",
                         no_wrap=True)
    pi = result.overall.prediction_interval if prediction_interval else None
    blank_arms = [""] * len(arm_cols)
    blank_rob = [""] * len(headings)
    notes: list[Text] = []
    heading = ""
    for row in build_rows(result):
        if row.kind == "heading":
            heading = row.label
            table.add_row(Text(row.label, style="bold"), *blank_arms, "", "", "", *blank_rob)
        elif row.kind == "study" and row.study is not None:
            s = row.study
            weight = f"{s.weight:.1f}%" if s.estimable else ""
            name = f"{s.study} {marks[s.study]}" if s.study in marks else s.study
            cells = arm_cells(result, s, entered.get(s.study))
            judged = _rob_cells(rob, s.study) if rob is not None else []
            table.add_row(name, *cells, weight, effect_of(result, s), scale.study(s), *judged)
        elif row.kind in ("subtotal", "total") and row.pooled is not None:
            plot = (scale.diamond(row.pooled, pi) if row.kind == "total"
                    else scale.diamond(row.pooled))
            table.add_row(Text(row.label, style="bold"), *_totals(row, len(arm_cols)),
                          Text(f"{row.weight:.1f}%", style="bold"),
                          Text(effect_of(result, row.pooled), style="bold"), plot, *blank_rob)
            heading = "" if row.kind == "total" else heading
        elif row.kind == "events" and row.events is not None and arm_cols:
            cells = list(blank_arms)
            cells[0], cells[half] = f"{row.events[0]:g}", f"{row.events[1]:g}"
            table.add_row(row.label, *cells, "", "", "", *blank_rob)
        elif row.kind == "note":
            prefix = f"{heading}: " if heading else ""
            notes.append(Text(prefix + row.label, style="dim" if heading else ""))
    table.add_row("", *blank_arms, "", "", scale.axis_labels(), *blank_rob)
    if pi is not None:
        notes.append(Text(prediction_line(result) or ""))
    if footnote:
        notes.append(Text(footnote, style="italic"))
    if rob is not None:
        notes += _rob_legend(rob)
    return Group(table, Text(""), *notes)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _totals(row: Row, n_cols: int) -> list[Text]:
    """Each arm's total participants under its last data column, as RevMan puts them."""
    cells = [Text("")] * n_cols
    if row.totals is not None and n_cols:
        half = n_cols // 2
        cells[half - 1] = Text(f"{row.totals[0]:g}", style="bold")
        cells[-1] = Text(f"{row.totals[1]:g}", style="bold")
    return cells


def _rob_cells(rob: ForestRob, study: str) -> list[Text]:
    """One coloured symbol per domain (RevMan's circles); a blank where not judged."""
    out = []
    for key in rob.for_study(study):
        symbol = SYMBOLS.get(rob.tool_id, {}).get(key, "")
        fill = COLOURS.get(key, COLOURS["none"])
        out.append(Text(symbol, style=f"bold {symbol_colour(fill)} on {fill}")
                   if symbol else Text("·", style="dim"))
    return out


def _rob_legend(rob: ForestRob) -> list[Text]:
    symbols = SYMBOLS.get(rob.tool_id, {})
    keys = ", ".join(f"{symbols[k]} {LEGEND[k].lower()}" for k in rob.keys_used()
                     if k in symbols)
    lines = [Text(""), Text("Risk of bias legend" + (f" ({keys})" if keys else ""),
                            style="bold")]
    return lines + [Text(line) for line in rob.legend_lines()]


class _Scale:
    """Maps analysis-scale values to character columns."""

    def __init__(self, result: MetaAnalysisResult, width: int,
                 favours: tuple[str, str]) -> None:
        self.result = result
        self.width = width
        self.favours = favours
        self.limit = axis_limit(result)
        self.lo = -math.log(self.limit) if result.ratio else -self.limit
        self.hi = -self.lo
        self.null = self.col(0.0)

    def col(self, x: float) -> int:
        frac = (x - self.lo) / (self.hi - self.lo)
        return min(self.width - 1, max(0, round(frac * (self.width - 1))))

    def _blank(self) -> list[str]:
        line = [" "] * self.width
        line[self.null] = "│"
        return line

    def study(self, s) -> Text:
        line = self._blank()
        if not s.estimable:
            return Text("".join(line))
        a, b = self.col(s.ci_low), self.col(s.ci_high)
        for j in range(a, b + 1):
            line[j] = "─" if j != self.null else "┼"
        if s.ci_low < self.lo:
            line[0] = "<"
        if s.ci_high > self.hi:
            line[-1] = ">"
        text = Text("".join(line))
        if self.lo <= s.estimate <= self.hi:
            p = self.col(s.estimate)
            text = Text("".join(line[:p])) + Text(
                "■", style=SQUARE_STYLE[self.result.options.method]
            ) + Text("".join(line[p + 1:]))
        return text

    def diamond(self, pooled, pi: tuple[float, float] | None = None) -> Text:
        """The pooled CI as a diamond; ``pi`` dotted through the same row with end ticks
        where it ends inside the axis (metafor's ``addpred``, as the PNG plot draws it)."""
        line = self._blank()
        if pi is not None:
            a, b = self.col(max(pi[0], self.lo)), self.col(min(pi[1], self.hi))
            for j in range(a, b + 1):
                line[j] = "┄"
            if pi[0] >= self.lo:
                line[a] = "├"
            if pi[1] <= self.hi:
                line[b] = "┤"
        a, b = self.col(max(pooled.ci_low, self.lo)), self.col(min(pooled.ci_high, self.hi))
        for j in range(a, b + 1):
            line[j] = "◆"
        return Text("".join(line), style="bold")

    def axis_labels(self) -> Text:
        line = [" "] * self.width
        for t in ticks(self.result, self.limit):
            x = math.log(t) if self.result.ratio else t
            label = f"{t:g}"
            start = min(self.width - len(label), max(0, self.col(x) - len(label) // 2))
            if all(c == " " for c in line[max(0, start - 1): start + len(label) + 1]):
                line[start: start + len(label)] = list(label)
        return Text("".join(line), style="dim")

    def axis_header(self) -> str:
        left, right = self.favours
        pad = max(1, self.width - len(left) - len(right))
        return f"{left}{' ' * pad}{right}"


def render_rows(result: MetaAnalysisResult) -> list[Row]:
    """The rows the text plot shows (exposed for tests and custom widgets)."""
    return build_rows(result)
