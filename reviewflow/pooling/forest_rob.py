"""Risk-of-bias columns for the forest plot, as RevMan 5.4 draws them.

RevMan puts one small coloured circle per domain to the right of the graph
(A-G for the RoB 1 domains; robvis and RevMan Web use D1-D5 and Overall for
RoB 2) and spells the letters out in a legend under the plot. The pooling
package is pure, so the judgements arrive here as plain data (a
:class:`ForestRob`); the extraction layer builds it from the review's
reconciled judgements.
"""

from __future__ import annotations

from dataclasses import dataclass

# robvis colours; the symbol on a dark fill is drawn in white so it stays readable
COLOURS = {"low": "#02C100", "some_concerns": "#E2DF07", "unclear": "#E2DF07",
           "high": "#BF0000", "none": "#FFFFFF"}
# each tool's own symbols (RevMan 5.4 for RoB 1, robvis for RoB 2)
SYMBOLS = {"rob1": {"low": "+", "unclear": "?", "high": "−"},
           "rob2": {"low": "+", "some_concerns": "−", "high": "X"}}
LEGEND = {"low": "Low risk of bias", "some_concerns": "Some concerns",
          "unclear": "Unclear risk of bias", "high": "High risk of bias"}


def symbol_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (relative luminance)."""
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "white" if luminance < 0.18 else "black"


@dataclass(frozen=True)
class ForestRob:
    """Column headings, their legend texts, and each study's judgement per column.

    A judgement is one of the keys of :data:`COLOURS` ("none" = not judged).
    """

    tool_id: str
    headings: tuple[str, ...]
    labels: tuple[str, ...]
    judgements: dict[str, tuple[str, ...]]

    def for_study(self, study: str) -> tuple[str, ...]:
        """A multi-arm comparison ("Hu 2017 (bone marrow)") takes its trial's judgements."""
        found = self.judgements.get(study) or self.judgements.get(trial_of(study))
        return found or ("none",) * len(self.headings)

    def legend_lines(self) -> list[str]:
        return [f"({h}) {label}" for h, label in zip(self.headings, self.labels, strict=True)]

    def keys_used(self) -> list[str]:
        used = {k for row in self.judgements.values() for k in row}
        return [k for k in ("low", "some_concerns", "unclear", "high") if k in used]


def trial_of(label: str) -> str:
    """The trial behind a per-arm comparison label: "Hu 2017 (bone marrow)" -> "Hu 2017"."""
    return label.split(" (", 1)[0] if label.endswith(")") else label


# A-G for the seven domains; further letters for items a RevMan author added
ROB1_LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def headings_for(tool_id: str, n_domains: int, has_overall: bool) -> tuple[str, ...]:
    """A-G for RoB 1, D1..Dn for RoB 2 (``n_domains`` without the overall), then
    "Overall" when there is one."""
    body = ROB1_LETTERS[:n_domains] if tool_id == "rob1" else tuple(
        f"D{i}" for i in range(1, n_domains + 1))
    return (*body, "Overall") if has_overall else body


def draw_rob_cells(fig, tool_id: str, x0: float, step: float, y: float,
                   keys: tuple[str, ...], radius_pt: float = 4.6) -> None:
    """One circle per column at figure coordinates (x0 + j * step, y)."""
    for j, key in enumerate(keys):
        x = x0 + j * step
        fill = COLOURS.get(key, COLOURS["none"])
        fig.add_artist(_circle(fig, x, y, radius_pt, fill))
        symbol = SYMBOLS.get(tool_id, {}).get(key, "")
        if symbol:
            fig.text(x, y, symbol, ha="center", va="center_baseline", fontsize=6.5,
                     weight="bold", color=symbol_colour(fill))


def _circle(fig, x: float, y: float, radius_pt: float, fill: str):
    from matplotlib.lines import Line2D

    return Line2D([x], [y], marker="o", ms=2 * radius_pt, markerfacecolor=fill,
                  markeredgecolor="black", markeredgewidth=0.5, transform=fig.transFigure)
