"""A forest plot drawn with characters, as a Rich renderable (for the TUI).

Rich only (no Textual import): a Textual widget can show the returned object
with ``Static(text_forest(result))``.
"""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from reviewflow.pooling.forest_layout import Row, axis_limit, build_rows, ticks
from reviewflow.pooling.formatting import MEASURE_NAMES, effect_of
from reviewflow.pooling.serialize import method_label
from reviewflow.pooling.types import MetaAnalysisResult, Method

SQUARE_STYLE = {Method.MH: "bold blue", Method.IV: "bold green", Method.PETO: "bold blue"}


def text_forest(result: MetaAnalysisResult, width: int = 41,
                favours: tuple[str, str] = ("Favours exp.", "Favours ctrl"),
                marks: dict[str, str] | None = None, footnote: str = "") -> Group:
    """Table of studies with a character plot column, then the statistics notes.

    ``favours`` labels the left and right of the axis; which arm the left side
    favours depends on the outcome's direction, so the caller, who knows it, says.
    ``marks`` follow converted or imputed studies' names; ``footnote`` explains them.
    """
    marks = marks or {}
    scale = _Scale(result, width, favours)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("Study or Subgroup", no_wrap=True, overflow="ellipsis", max_width=28)
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column(f"{MEASURE_NAMES[result.options.measure]}\n{method_label(result)}",
                     no_wrap=True)
    table.add_column(scale.axis_header(), no_wrap=True)
    notes: list[Text] = []
    heading = ""
    for row in build_rows(result):
        if row.kind == "heading":
            heading = row.label
            table.add_row(Text(row.label, style="bold"), "", "", "")
        elif row.kind == "study" and row.study is not None:
            s = row.study
            weight = f"{s.weight:.1f}%" if s.estimable else ""
            name = f"{s.study} {marks[s.study]}" if s.study in marks else s.study
            table.add_row(name, weight, effect_of(result, s), scale.study(s))
        elif row.kind in ("subtotal", "total") and row.pooled is not None:
            table.add_row(Text(row.label, style="bold"), Text(f"{row.weight:.1f}%", style="bold"),
                          Text(effect_of(result, row.pooled), style="bold"),
                          scale.diamond(row.pooled))
            heading = "" if row.kind == "total" else heading
        elif row.kind == "note":
            prefix = f"{heading}: " if heading else ""
            notes.append(Text(prefix + row.label, style="dim" if heading else ""))
    table.add_row("", "", "", scale.axis_labels())
    if footnote:
        notes.append(Text(footnote, style="italic"))
    return Group(table, Text(""), *notes)


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

    def diamond(self, pooled) -> Text:
        line = self._blank()
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
