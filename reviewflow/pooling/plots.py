"""RevMan-style forest plot and funnel plot (matplotlib, Agg backend).

The figure is laid out in inches: one fixed-height row per line of the table,
with the graph column an Axes whose y-range is the same rows, so that text and
squares line up whatever the number of studies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# Labels are data (database names, study labels): "$" must not start mathtext.
matplotlib.rcParams["text.parse_math"] = False

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from reviewflow.figure_files import write_figure  # noqa: E402
from reviewflow.pooling.forest_layout import Row, axis_limit, build_rows, ticks  # noqa: E402
from reviewflow.pooling.forest_rob import LEGEND as ROB_LEGEND  # noqa: E402
from reviewflow.pooling.forest_rob import ForestRob, draw_rob_cells  # noqa: E402
from reviewflow.pooling.formatting import (  # noqa: E402
    DEFAULT_GROUPS,
    arm_cells,
    arm_headers,
    effect_of,
    measure_name,
    prediction_line,
    short_measure_name,
)
from reviewflow.pooling.serialize import method_label  # noqa: E402
from reviewflow.pooling.types import DataType, MetaAnalysisResult, Method  # noqa: E402

ROW_IN = 0.2
TOP_IN = 0.55
BOTTOM_IN = 0.25
FONT = 7.5
SQUARE_COLOURS = {Method.MH: "#1f4fbf", Method.IV: "#2b9a3a", Method.PETO: "#1f4fbf"}
AXIS_ROWS = 3  # room under the graph for tick labels and the Favours labels


def forest_plot(
    result: MetaAnalysisResult,
    *,
    favours: tuple[str, str] = ("Favours [experimental]", "Favours [control]"),
    groups: tuple[str, str] = DEFAULT_GROUPS,
    title: str | None = None,
    rob: ForestRob | None = None,
    prediction_interval: bool = False,
    marks: Mapping[str, str] | None = None,
    footnote: str = "",
    entered: Mapping[str, Sequence[str | None]] | None = None,
) -> Figure:
    """Build the forest plot figure (call :func:`save_forest_plot` to write it).

    ``rob`` adds RevMan 5.4's risk-of-bias columns and their legend;
    ``prediction_interval`` draws the random-effects prediction interval under
    the overall diamond (metafor's ``addpred``) and states it in a note.
    ``marks`` puts a symbol after a study's name (e.g. † for converted data) and
    ``footnote`` explains the symbols under the plot. ``entered``: per study, its
    data cells as extracted (shown as typed: "7.0"; None = computed, formatted).
    """
    rows = build_rows(result)
    pi = result.overall.prediction_interval if prediction_interval else None
    if pi is not None:
        rows.append(Row("note", prediction_line(result) or ""))
    plotted = [i for i, r in enumerate(rows) if r.kind in ("study", "subtotal", "total")]
    last_plot = max(plotted)
    n_rows = max(len(rows), last_plot + 1 + AXIS_ROWS) + (1 if footnote else 0)
    footnote_at = n_rows - 1
    legend_at = n_rows + 1
    if rob is not None:
        n_rows += 2 + len(rob.headings) + 1
    cols = _columns(result, rob_columns=len(rob.headings) if rob else 0)
    cols["marks"] = dict(marks or {})
    cols["entered"] = dict(entered or {})
    width = cols["width"]
    height = TOP_IN + n_rows * ROW_IN + BOTTOM_IN + (0.3 if title else 0)
    fig = plt.figure(figsize=(width, height), dpi=150)
    top = TOP_IN + (0.3 if title else 0)

    def y_frac(i: float) -> float:
        return 1 - (top + (i + 0.5) * ROW_IN) / height

    if title:
        fig.text(0.01, 1 - 0.2 / height, title, fontsize=FONT + 2, weight="bold", va="center")
    _header(fig, result, cols, y_frac, groups)
    gx = _graph_axes(fig, result, cols, top, height, last_plot)
    for i, row in enumerate(rows):
        _draw_row(fig, gx, result, cols, row, i, y_frac(i))
        if rob is not None and row.kind == "study" and row.study is not None:
            draw_rob_cells(fig, rob.tool_id, cols["rob"], cols["rob_step"], y_frac(i),
                           rob.for_study(row.study.study))
        if pi is not None and row.kind == "total":
            _prediction_interval(gx, pi, i)
    _favours(fig, cols, favours, y_frac(last_plot + 2.6))
    if footnote:
        fig.text(cols["name"], y_frac(footnote_at), footnote, ha="left", va="center",
                 fontsize=FONT, style="italic")
    if rob is not None:
        _rob_header(fig, rob, cols, y_frac)
        _rob_legend(fig, rob, cols, y_frac, legend_at)
    return fig


def _prediction_interval(gx, pi: tuple[float, float], i: int) -> None:
    """metafor's ``addpred``: a dotted line through the diamond's row spanning the
    interval, with end ticks where it ends inside the axis."""
    lo_lim, hi_lim = gx.get_xlim()
    lo, hi = max(pi[0], lo_lim), min(pi[1], hi_lim)
    gx.plot([lo, hi], [i, i], color="black", lw=0.9, ls=(0, (1.5, 1.2)), zorder=1)
    for end, clipped in ((lo, pi[0] < lo_lim), (hi, pi[1] > hi_lim)):
        if not clipped:
            gx.plot([end, end], [i - 0.2, i + 0.2], color="black", lw=0.8, zorder=1)


def _rob_header(fig: Figure, rob: ForestRob, cols: dict, y_frac) -> None:
    bold = {"fontsize": FONT, "weight": "bold", "va": "center"}
    span = cols["rob_step"] * (len(rob.headings) - 1)
    fig.text(cols["rob"] + span / 2, y_frac(-2.2), "Risk of Bias", ha="center", **bold)
    for j, heading in enumerate(rob.headings):
        label = "O" if heading == "Overall" else heading
        fig.text(cols["rob"] + j * cols["rob_step"], y_frac(-1.2), label, ha="center", **bold)


def _rob_legend(fig: Figure, rob: ForestRob, cols: dict, y_frac, first: int) -> None:
    text = {"fontsize": FONT, "va": "center"}
    fig.text(cols["name"], y_frac(first), "Risk of bias legend", ha="left", weight="bold",
             **text)
    for j, line in enumerate(rob.legend_lines(), start=1):
        if line.startswith("(Overall)"):
            line = "(O) " + line.removeprefix("(Overall) ")
        fig.text(cols["name"], y_frac(first + j), line, ha="left", **text)
    x = cols["effect"]
    for j, key in enumerate(rob.keys_used(), start=1):
        draw_rob_cells(fig, rob.tool_id, x, 0, y_frac(first + j), (key,))
        fig.text(x + 0.012, y_frac(first + j), ROB_LEGEND[key], ha="left", **text)



def save_forest_plot(result: MetaAnalysisResult, path: Path | str, **kwargs) -> Path:
    """Write the forest plot; the format follows the suffix (.png, .svg, .pdf)."""
    path = Path(path)
    fig = forest_plot(result, **kwargs)
    try:
        write_figure(fig, path, dpi=200 if path.suffix.lower() == ".png" else None)
    finally:
        plt.close(fig)
    return path


def _columns(result: MetaAnalysisResult, rob_columns: int = 0) -> dict:
    """x positions in inches -> converted to figure fractions after the width is known."""
    _, arm_cols = arm_headers(result)
    cell = 0.5 if result.data_type is DataType.DICHOTOMOUS else 0.48
    if result.data_type is DataType.GENERIC:  # "log[Ratio of means]": an author's name
        cell = max(cell, 0.07 * max(len(c) for c in arm_cols))
    name_w = 1.9
    x = name_w
    rights = []
    for j, _ in enumerate(arm_cols):
        gap = 0.15 if j == len(arm_cols) // 2 else 0.0
        x += cell + gap
        rights.append(x)
    weight_r = x + 0.6
    effect_l = weight_r + 0.2
    graph_l = effect_l + 1.35
    graph_w = 2.6
    rob_step = 0.2
    rob_l = graph_l + graph_w + 0.35
    width = graph_l + graph_w + 0.25 + (rob_columns * rob_step + 0.25 if rob_columns else 0)
    f = 1 / width
    return {
        "rob": rob_l * f,
        "rob_step": rob_step * f,
        "width": width,
        "name": 0.08 * f,
        "arm_rights": [r * f for r in rights],
        "weight": weight_r * f,
        "effect": effect_l * f,
        "graph": (graph_l * f, graph_w * f),
        "cell": cell * f,
    }


def _header(fig: Figure, result: MetaAnalysisResult, cols: dict, y_frac,
            arm_groups: tuple[str, str]) -> None:
    groups, arm_cols = arm_headers(result, arm_groups)
    y1, y2 = y_frac(-2.2), y_frac(-1.2)
    bold = {"fontsize": FONT, "weight": "bold", "va": "center"}
    rights = cols["arm_rights"]
    half = len(arm_cols) // 2
    for g, chunk in ((groups[0], rights[:half]), (groups[1], rights[half:])):
        centre = (chunk[0] - cols["cell"] / 2 + chunk[-1]) / 2
        fig.text(centre, y1, g, ha="center", **bold)
    for label, r in zip(arm_cols, rights, strict=True):
        fig.text(r, y2, label, ha="right", **bold)
    fig.text(cols["name"], y2, "Study or Subgroup", ha="left", **bold)
    fig.text(cols["weight"], y2, "Weight", ha="right", **bold)
    name = measure_name(result.options)
    method = method_label(result)
    fig.text(cols["effect"], y1, name, ha="left", **bold)
    fig.text(cols["effect"], y2, method, ha="left", **bold)
    gl, gw = cols["graph"]
    fig.text(gl + gw / 2, y1, name, ha="center", **bold)
    fig.text(gl + gw / 2, y2, method, ha="center", **bold)
    y_line = y_frac(-0.65)
    fig.add_artist(plt.Line2D([0.005, 0.995], [y_line, y_line], color="black", lw=0.6))


def _graph_axes(fig: Figure, result: MetaAnalysisResult, cols: dict, top: float,
                height: float, last_plot: int):
    gl, gw = cols["graph"]
    bottom = 1 - (top + (last_plot + 1) * ROW_IN) / height
    ax_h = (last_plot + 1) * ROW_IN / height
    gx = fig.add_axes((gl, bottom, gw, ax_h))
    gx.set_ylim(last_plot + 0.5, -0.5)
    limit = axis_limit(result)
    tick_values = ticks(result, limit)
    if result.ratio:
        gx.set_xlim(-math.log(limit), math.log(limit))
        gx.set_xticks([math.log(t) for t in tick_values])
        gx.set_xticklabels([f"{t:g}" for t in tick_values])
        null = 0.0
    else:
        gx.set_xlim(-limit, limit)
        gx.set_xticks(list(tick_values))
        gx.set_xticklabels([f"{t:g}" for t in tick_values])
        null = 0.0
    gx.axvline(null, color="black", lw=0.6)
    gx.tick_params(axis="x", labelsize=FONT, length=3, width=0.6)
    gx.set_yticks([])
    for side in ("top", "left", "right"):
        gx.spines[side].set_visible(False)
    gx.spines["bottom"].set_linewidth(0.6)
    gx.patch.set_alpha(0)
    return gx


def _draw_row(fig: Figure, gx, result: MetaAnalysisResult, cols: dict, row: Row, i: int,
              y: float) -> None:
    text = {"fontsize": FONT, "va": "center"}
    bold = {**text, "weight": "bold"}
    if row.kind == "heading":
        fig.text(cols["name"], y, row.label, ha="left", **bold)
    elif row.kind == "study" and row.study is not None:
        s = row.study
        mark = cols["marks"].get(s.study, "")
        fig.text(cols["name"], y, _clip(s.study) + (f" {mark}" if mark else ""), ha="left",
                 **text)
        cells = arm_cells(result, s, cols["entered"].get(s.study))
        for cell, r in zip(cells, cols["arm_rights"], strict=True):
            fig.text(r, y, cell, ha="right", **text)
        if s.estimable:
            fig.text(cols["weight"], y, f"{s.weight:.1f}%", ha="right", **text)
            _study_marker(gx, result, s, i)
        fig.text(cols["effect"], y, effect_of(result, s), ha="left", **text)
    elif row.kind in ("subtotal", "total") and row.pooled is not None:
        fig.text(cols["name"], y, row.label, ha="left", **bold)
        if row.totals is not None:
            rights = cols["arm_rights"]
            half = len(rights) // 2
            for total, r in zip(row.totals, (rights[half - 1], rights[-1]), strict=True):
                fig.text(r, y, f"{total:g}", ha="right", **bold)
        fig.text(cols["weight"], y, f"{row.weight:.1f}%", ha="right", **bold)
        fig.text(cols["effect"], y, effect_of(result, row.pooled), ha="left", **bold)
        _diamond(gx, row.pooled.estimate, row.pooled.ci_low, row.pooled.ci_high, i)
    elif row.kind == "events" and row.events is not None:
        fig.text(cols["name"], y, row.label, ha="left", **text)
        rights = cols["arm_rights"]
        fig.text(rights[0], y, f"{row.events[0]:g}", ha="right", **text)
        fig.text(rights[len(rights) // 2], y, f"{row.events[1]:g}", ha="right", **text)
    elif row.kind == "note":
        fig.text(cols["name"], y, row.label, ha="left", **text)


def _clip(name: str, width: int = 30) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _study_marker(gx, result: MetaAnalysisResult, s, i: int) -> None:
    max_weight = max((t.weight for t in result.studies if t.estimable), default=100.0)
    lo_lim, hi_lim = gx.get_xlim()
    lo, hi = max(s.ci_low, lo_lim), min(s.ci_high, hi_lim)
    gx.plot([lo, hi], [i, i], color="black", lw=0.7, solid_capstyle="butt")
    for end, edge, sign in ((s.ci_low, lo_lim, -1), (s.ci_high, hi_lim, 1)):
        if end > hi_lim or end < lo_lim:
            gx.annotate("", xy=(edge, i), xytext=(edge - sign * 0.06 * (hi_lim - lo_lim), i),
                        arrowprops={"arrowstyle": "-|>", "lw": 0.7, "color": "black",
                                    "mutation_scale": 6})
    if lo_lim <= s.estimate <= hi_lim:
        size = 2.5 + 7.5 * math.sqrt(max(s.weight, 0) / max_weight)
        colour = SQUARE_COLOURS[result.options.method]
        gx.plot([s.estimate], [i], marker="s", ms=size, color=colour, mec=colour, lw=0)


def _diamond(gx, est: float, lo: float, hi: float, i: int) -> None:
    lo_lim, hi_lim = gx.get_xlim()
    lo, hi = max(lo, lo_lim), min(hi, hi_lim)
    pts = [(lo, i), (est, i - 0.32), (hi, i), (est, i + 0.32)]
    gx.add_patch(Polygon(pts, closed=True, facecolor="black", edgecolor="black", lw=0.5))


def _favours(fig: Figure, cols: dict, favours: tuple[str, str], y: float) -> None:
    gl, gw = cols["graph"]
    mid = gl + gw / 2
    style = {"fontsize": FONT, "va": "center"}
    fig.text(mid - 0.02 * gw, y, favours[0], ha="right", **style)
    fig.text(mid + 0.02 * gw, y, favours[1], ha="left", **style)


def funnel_plot(result: MetaAnalysisResult, *, title: str | None = None) -> Figure:
    """Effect against its SE (inverted), with the pseudo 95% limits around the
    fixed-effect estimate, as RevMan draws it."""
    est = np.array([s.estimate for s in result.studies if s.estimable])
    se = np.array([s.se for s in result.studies if s.estimable])
    centre = result.overall.estimate
    fig, ax = plt.subplots(figsize=(5.2, 4.2), dpi=150)
    top = float(se.max()) * 1.1 if se.size else 1.0
    grid = np.linspace(0, top, 50)
    ax.plot(centre - 1.96 * grid, grid, ls="--", color="grey", lw=0.8)
    ax.plot(centre + 1.96 * grid, grid, ls="--", color="grey", lw=0.8)
    ax.axvline(centre, color="grey", lw=0.8)
    groups = [s.subgroup for s in result.studies if s.estimable]
    markers = "osD^v<>p"
    for j, g in enumerate(dict.fromkeys(groups)):
        sel = np.array([x == g for x in groups])
        ax.scatter(est[sel], se[sel], s=22, facecolors="none", edgecolors="#1f4fbf",
                   marker=markers[j % len(markers)], label=g, lw=0.9)
    if any(g is not None for g in groups):
        ax.legend(fontsize=7, frameon=False)
    ax.set_ylim(top, 0)
    name = measure_name(result.options)
    short = short_measure_name(result.options.measure, result.options.measure_label)
    if result.ratio:
        limit = max(abs(centre) + 1.96 * top, float(np.max(np.abs(est))) if est.size else 1)
        ax.set_xlim(centre - 1.1 * limit, centre + 1.1 * limit)
        tick_values = [t for t in (0.01, 0.1, 0.2, 0.5, 1, 2, 5, 10, 100)
                       if abs(math.log(t) - centre) <= 1.1 * limit]
        ax.set_xticks([math.log(t) for t in tick_values])
        ax.set_xticklabels([f"{t:g}" for t in tick_values])
        ax.set_xlabel(f"{name} (log scale)", fontsize=8)
        ax.set_ylabel(f"SE(log[{short}])", fontsize=8)
    else:
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylabel(f"SE({short})", fontsize=8)
    ax.tick_params(labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def save_funnel_plot(result: MetaAnalysisResult, path: Path | str, **kwargs) -> Path:
    path = Path(path)
    fig = funnel_plot(result, **kwargs)
    try:
        write_figure(fig, path, dpi=200 if path.suffix.lower() == ".png" else None)
    finally:
        plt.close(fig)
    return path
