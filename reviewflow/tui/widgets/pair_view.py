"""Rendering a duplicate pair side by side, fields that differ highlighted."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from reviewflow.screening.dedup_review import COMPARED_FIELDS, PairView
from reviewflow.tui.widgets.clip import clip

DIFF_STYLE = "bold black on yellow"


def pair_table(view: PairView) -> Table:
    table = Table(expand=True, show_lines=True, title=(
        f"Pair {view.pair_id}  ·  score {view.score:.2f}  ·  {view.outcome}"
        + (f"  ·  {view.reason}" if view.reason else "")))
    table.add_column("field", style="dim", width=10)
    table.add_column(f"record A (#{view.a_id}, kept)", ratio=1)
    table.add_column(f"record B (#{view.b_id})", ratio=1)
    for name in COMPARED_FIELDS:
        a, b = view.a[name], view.b[name]
        if not a and not b:
            continue  # empty on both sides: nothing to compare
        if name == "abstract":
            a, b = clip(a, 600), clip(b, 600)
        style = DIFF_STYLE if name in view.differing else ""
        marker = f"{name} ≠" if name in view.differing else name
        table.add_row(marker, Text(a or "-", style=style), Text(b or "-", style=style))
    return table
