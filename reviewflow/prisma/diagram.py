"""Draw the PRISMA 2020 flow diagram (new reviews) from :class:`PrismaCounts`.

Follows the layout of the PRISMA 2020 template (Page et al., BMJ 2021;372:n71):
phase labels on the left, the main column of boxes with arrows down, exclusion
boxes to the right with per-database and per-reason lines, and an optional
"other methods" column. Sizes are in inches at journal width (about 7.5 in for
one column of boxes); text stays text in SVG so the numbers can be read back.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from reviewflow.prisma.counts import PrismaCounts

FONT_SIZE = 8.5
LINE_H = 0.165  # inches per text line at FONT_SIZE
PAD = 0.12
GAP = 0.32
BOX_W = 2.9
WRAP = 43  # characters per line inside a box
MIN_ROW_H = 0.5
INDENT = 0.16  # inches per indentation level (three leading spaces in a box line)
NOTE = ("* Records per database from import provenance.  "
        "** Excluded by the reviewers at title/abstract screening.")

MAIN_HEAD = "#f9d76a"
OTHER_HEAD = "#d9d9d9"
PHASE = "#a9cce3"
EDGE = "#333333"


@dataclass
class _Box:
    x: float
    y_top: float
    w: float
    lines: list[str]
    min_h: float = 0.0

    @property
    def h(self) -> float:
        return max(len(self.lines) * LINE_H + 2 * PAD, self.min_h)

    @property
    def y_bottom(self) -> float:
        return self.y_top - self.h


def _n(value: int) -> str:
    return f"(n = {value:,})"


_COUNT = re.compile(r"\(n = [\d,]+\)")
_GLUE = "\x00"  # holds "(n = 12)" together while wrapping


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces, never inside "(n = N)" (a count split as "(n =" / "0)" misreads)."""
    glued = _COUNT.sub(lambda m: m.group().replace(" ", _GLUE), text)
    return [line.replace(_GLUE, " ") for line in textwrap.wrap(glued, width)]


def _lines(head: str, items: list[tuple[str, int]] | None = None, indent: bool = True) -> list[str]:
    out = _wrap(head, WRAP) or [""]
    for label, value in items or []:
        text = f"{label} {_n(value)}"
        prefix = "   " if indent else ""
        out.extend(prefix + line for line in _wrap(text, WRAP - len(prefix)))
    return out


def _main_rows(c: PrismaCounts) -> list[tuple[list[str], list[str] | None]]:
    db_items = sorted(c.identified.items(), key=lambda kv: (-kv[1], kv[0]))
    ident = [f"Records identified from*: {_n(c.identified_total)}"]
    ident += _lines("", [("Databases", sum(c.identified.values()))])[1:]
    ident += ["      " + f"{name} {_n(n)}" for name, n in db_items]
    ident += _lines("", [("Registers", sum(c.registers.values()))])[1:]
    ident += ["      " + f"{name} {_n(n)}" for name, n in sorted(c.registers.items())]
    removed = _lines("Records removed before screening:", [
        (f"Duplicate records removed (automatic {c.removed_duplicates_auto:,}, "
         f"manual {c.removed_duplicates_manual:,})", c.removed_duplicates),
        ("Records marked as ineligible by automation tools", c.removed_automation),
        ("Records removed for other reasons", c.removed_other),
    ])
    reasons = sorted(c.excluded_reports.items(), key=lambda kv: (-kv[1], kv[0]))
    excluded = _lines(f"Reports excluded: {_n(sum(c.excluded_reports.values()))}",
                      [(r[:1].upper() + r[1:], n) for r, n in reasons])
    return [
        (ident, removed),
        ([f"Records screened {_n(c.screened)}"],
         [f"Records excluded** {_n(c.excluded_screening)}"]),
        ([f"Reports sought for retrieval {_n(c.sought)}"],
         [f"Reports not retrieved {_n(c.not_retrieved)}"]),
        ([f"Reports assessed for eligibility {_n(c.assessed)}"], excluded),
        ([f"Studies included in review {_n(c.included_studies)}",
          f"Reports of included studies {_n(c.included_reports)}"], None),
    ]


def _other_rows(c: PrismaCounts) -> list[tuple[list[str], list[str] | None]]:
    o = c.other_methods
    assert o is not None
    ident = ["Records identified from:"] + [
        f"   {name} {_n(n)}" for name, n in sorted(o.identified.items())
    ]
    reasons = sorted(o.excluded_reports.items(), key=lambda kv: (-kv[1], kv[0]))
    excluded = _lines(f"Reports excluded: {_n(sum(o.excluded_reports.values()))}",
                      [(r[:1].upper() + r[1:], n) for r, n in reasons])
    return [
        (ident, None),
        ([], None),
        ([f"Reports sought for retrieval {_n(o.sought)}"],
         [f"Reports not retrieved {_n(o.not_retrieved)}"]),
        ([f"Reports assessed for eligibility {_n(o.assessed)}"], excluded),
        ([], None),
    ]


def draw(counts: PrismaCounts, *paths: Path) -> None:
    """Write the diagram to each path (format from the suffix: .svg, .png, .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    # Labels are data (database names, study labels): "$" must not start mathtext.
    matplotlib.rcParams["text.parse_math"] = False
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from reviewflow.figure_files import write_figure
    from reviewflow.paths import whole_file

    main = _main_rows(counts)
    other = _other_rows(counts) if counts.other_methods is not None else None
    col_gap = 0.35
    x_left = 0.65
    x_right = x_left + BOX_W + col_gap
    width = x_right + BOX_W + 0.15
    x_other = width + 0.25
    if other is not None:
        width = x_other + 2 * BOX_W + col_gap + 0.15

    heights = []
    for i, (left, right) in enumerate(main):
        cand = [left, right or []]
        if other is not None:
            cand += [other[i][0], other[i][1] or []]
        heights.append(max(max(len(c) for c in cand) * LINE_H + 2 * PAD, MIN_ROW_H))
    heights[-1] = max(heights[-1], 0.85)  # room for the rotated "Included" label
    head_h = 0.4
    total_h = head_h + 0.25 + sum(heights) + GAP * (len(heights) - 1) + 0.45

    with plt.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig = plt.figure(figsize=(width, total_h))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(0, total_h)
        ax.axis("off")

        # add_artist, not add_patch: the limits are fixed above, and add_patch's
        # data-limit update per patch was a tenth of the diagram's time
        def box(b: _Box, face: str = "white", bold: bool = False) -> None:
            ax.add_artist(FancyBboxPatch((b.x, b.y_bottom), b.w, b.h,
                                        boxstyle="square,pad=0", fc=face, ec=EDGE, lw=0.8))
            # One text per line, indented by position, not by leading spaces: an SVG
            # inlined in HTML collapses spaces (the PNG kept them, report.html did not).
            for i, line in enumerate(b.lines):
                text = line.lstrip(" ")
                level = (len(line) - len(text)) / 3
                ax.text(b.x + 0.1 + level * INDENT, b.y_top - PAD - i * LINE_H, text,
                        va="top", ha="left", fontsize=FONT_SIZE,
                        weight="bold" if bold else "normal")

        def arrow(x1: float, y1: float, x2: float, y2: float) -> None:
            ax.add_artist(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>",
                                         mutation_scale=10, lw=0.9, color=EDGE))

        top = total_h - 0.1
        box(_Box(x_left, top, x_right + BOX_W - x_left, ["Identification of studies via "
                                                          "databases and registers"]),
            face=MAIN_HEAD, bold=True)
        if other is not None:
            box(_Box(x_other, top, 2 * BOX_W + col_gap,
                     ["Identification of studies via other methods"]), face=OTHER_HEAD, bold=True)
        y = top - head_h - 0.25
        rows_y: list[tuple[float, float]] = []
        lefts: list[_Box] = []
        for i, (left, right) in enumerate(main):
            h = heights[i]
            lb = _Box(x_left, y, BOX_W, left, min_h=h)
            box(lb)
            lefts.append(lb)
            if right is not None:
                box(_Box(x_right, y, BOX_W, right, min_h=h))
                arrow(x_left + BOX_W, y - h / 2, x_right, y - h / 2)
            if i > 0:
                arrow(x_left + BOX_W / 2, lefts[i - 1].y_bottom, x_left + BOX_W / 2, y)
            rows_y.append((y, y - h))
            y -= h + GAP

        if other is not None:
            prev: _Box | None = None
            for i, (left, right) in enumerate(other):
                if not left:
                    continue
                yt = rows_y[i][0]
                rh = heights[i]
                lb = _Box(x_other, yt, BOX_W, left, min_h=rh)
                box(lb)
                if right is not None:
                    box(_Box(x_other + BOX_W + col_gap, yt, BOX_W, right, min_h=rh))
                    arrow(x_other + BOX_W, yt - rh / 2, x_other + BOX_W + col_gap, yt - rh / 2)
                if prev is not None:
                    arrow(x_other + BOX_W / 2, prev.y_bottom, x_other + BOX_W / 2, yt)
                prev = lb
            if prev is not None:  # other-methods reports join the included studies
                inc = lefts[-1]
                ax.add_artist(FancyArrowPatch(
                    (x_other + BOX_W / 2, prev.y_bottom), (inc.x + inc.w, inc.y_top - inc.h / 2),
                    arrowstyle="-|>", mutation_scale=10, lw=0.9, color=EDGE,
                    connectionstyle="angle,angleA=-90,angleB=180,rad=0"))

        phases = [("Identification", rows_y[0]), ("Screening", (rows_y[1][0], rows_y[3][1])),
                  ("Included", rows_y[4])]
        for label, (y_top, y_bot) in phases:
            ax.add_artist(FancyBboxPatch((0.12, y_bot), 0.32, y_top - y_bot,
                                        boxstyle="round,pad=0,rounding_size=0.08",
                                        fc=PHASE, ec=PHASE))
            ax.text(0.28, (y_top + y_bot) / 2, label, rotation=90, ha="center", va="center",
                    fontsize=FONT_SIZE + 0.5, weight="bold")
        ax.text(x_left, 0.12, NOTE, fontsize=FONT_SIZE - 1.5, color="#444444", va="bottom")
        for path in paths:
            with whole_file(path) as tmp:  # a full disk leaves no empty or partial diagram
                write_figure(fig, tmp, dpi=200)
        plt.close(fig)
