"""Risk-of-bias plots drawn as robvis (McGuinness & Higgins 2021) draws them.

Readers of Cochrane-style reviews know the robvis look: a traffic-light grid
(studies by domains, coloured circles with +, -, ?, X) and a weighted summary
bar chart (share of weight at each judgement, per domain). Same colours, same
symbols, same legends, so the figures drop straight into a manuscript.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.extraction.rob import Domain, RobTable
from reviewflow.pooling.forest_rob import ForestRob, headings_for, symbol_colour

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = {"low": "#02C100", "some_concerns": "#E2DF07", "unclear": "#E2DF07",
           "high": "#BF0000", "none": "#4EA1F7"}
SYMBOLS = {"rob1": {"low": "+", "unclear": "?", "high": "-", "none": ""},
           "rob2": {"low": "+", "some_concerns": "-", "high": "X", "none": "?"}}
LEGEND = {"low": "Low", "some_concerns": "Some concerns", "unclear": "Unclear",
          "high": "High", "none": "No information"}
SUMMARY_LEGEND = {"low": "Low risk of bias", "some_concerns": "Some concerns",
                  "unclear": "Unclear risk of bias", "high": "High risk of bias",
                  "none": "No information"}


DERIVED_OVERALL = Domain("overall", "Overall risk of bias (derived: worst domain)")


def columns_of(table: RobTable) -> list[Domain]:
    """The tool's domains, plus a derived Overall for tools without one (RoB 1)."""
    doms = list(table.tool.domains)
    return doms if table.tool.overall else [*doms, DERIVED_OVERALL]


def judgement_key(table: RobTable, study: str, dom: Domain) -> str:
    if dom is DERIVED_OVERALL:
        return table.overall(study)
    j = table.judgements.get(study, {}).get(dom.id)
    return j.judgement if j else "none"


def forest_rob(table: RobTable) -> ForestRob:
    """The review's judgements as the forest plot's RevMan-style columns."""
    doms = columns_of(table)
    heads = headings_for(table.tool.id, len(table.tool.domains) - int(table.tool.overall), True)
    return ForestRob(table.tool.id, heads, tuple(d.label for d in doms),
                     {s: tuple(judgement_key(table, s, d) for d in doms)
                      for s in table.judgements})


DPI = 200  # every risk-of-bias figure is written at this resolution
CELL_IN = 0.42  # one traffic light, inches
LABEL_IN = 1.9  # room for study labels (at least: a longer label widens the figure)
PAD_IN = 0.1  # white margin around what is drawn
GAP_IN = 0.25  # between the grid and the legends under it
LEGEND_ROW_IN = 0.3  # one judgement in the legend
TITLE_PAD = 20  # points from the grid to the title's baseline
SLACK_IN = 0.05  # text drawn in SVG or PDF measures a little wider than in PNG


def _pyplot() -> Any:
    """matplotlib, loaded by the drawing functions only: :func:`forest_rob` (the forest
    plot's columns, built where the analyses are pooled) needs none of it."""
    import matplotlib

    matplotlib.use("Agg")
    # Labels are data (database names, study labels): "$" must not start mathtext.
    matplotlib.rcParams["text.parse_math"] = False
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Figure, out: Path) -> Path:
    """Write ``fig`` as laid out (no tight bbox: see :class:`_Ruler`) and close it."""
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        from reviewflow.errors import ReviewflowError

        _pyplot().close(fig)
        raise ReviewflowError(f"{out}: plot format must be .png, .svg or .pdf")
    from reviewflow.figure_files import write_figure

    write_figure(fig, out, dpi=DPI, facecolor="white")
    _pyplot().close(fig)
    return out


class _Ruler:
    """Text extents in inches as the PNG renderer measures them at :data:`DPI`.

    The RoB plots are laid out from these before anything is drawn, so that they are
    saved as laid out: ``bbox_inches="tight"`` drew the whole figure once more (text
    layout included) only to find where its edges were.
    """

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import RendererAgg

        self.renderer = RendererAgg(1, 1, DPI)

    def size(self, text: str, size: float | str, weight: str = "normal"
             ) -> tuple[float, float, float]:
        """(width, height, descent) of one line of text, the height and descent as
        matplotlib lays out a line (at least those of "lp")."""
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(size=size, weight=weight)
        width, high, low = self.renderer.get_text_width_height_descent(text, prop,
                                                                        ismath=False)
        _, lp_high, lp_low = self.renderer.get_text_width_height_descent("lp", prop,
                                                                         ismath=False)
        return width / DPI, max(high, lp_high) / DPI, max(low, lp_low) / DPI

    def extent(self, artist: Any) -> tuple[float, float]:
        """(width, height) of an artist of a figure at :data:`DPI` (a text of several
        lines, a legend)."""
        box = artist.get_window_extent(renderer=self.renderer)
        return box.width / DPI, box.height / DPI


def traffic_light(table: RobTable, out: Path) -> Path:
    """Studies as rows, domains D1..Dn (and Overall) as columns; laid out in inches so
    the grid and legends keep their size whatever the number of studies, and the
    figure is as wide as its longest study label needs."""
    return _save(_traffic_figure(table), out)


def _traffic_figure(table: RobTable) -> Figure:
    plt = _pyplot()
    from matplotlib.collections import EllipseCollection, PolyCollection

    doms = columns_of(table)
    studies = sorted(table.judgements)
    ncol, nrow = len(doms), max(len(studies), 1)
    heads = ["Overall" if d.id == "overall" else f"D{i}" for i, d in enumerate(doms, start=1)]
    title = "Risk of bias domains" + (f" · {table.outcome}" if table.outcome else "")
    rc = plt.rcParams
    ruler = _Ruler()
    label_w = max((ruler.size(s, rc["ytick.labelsize"])[0] for s in studies), default=0.0)
    head_w, head_h, _ = map(max, zip(*(ruler.size(h, rc["xtick.labelsize"]) for h in heads),
                                     strict=True))
    title_w, title_h, title_low = ruler.size(title, 11, "bold")
    study_h = ruler.size("Study", 11, "bold")[1]  # the rotated axis label's width
    grid_w = ncol * CELL_IN
    left = max(LABEL_IN, PAD_IN + title_w / 2 - grid_w / 2,
               PAD_IN + study_h + (rc["axes.labelpad"] + rc["ytick.major.pad"]) / 72
               + label_w + SLACK_IN)
    # the title's baseline 20 points above the grid, the domains' headings under it
    top = max(TITLE_PAD / 72 + title_h - title_low, rc["xtick.major.pad"] / 72 + head_h
              + title_h) + PAD_IN

    fig = plt.figure(dpi=DPI)
    domains, keys = _domain_text(fig, table, doms), _legend_keys(table, doms)
    dom_w, dom_h = ruler.extent(domains)
    legend_h = max(dom_h, (len(keys) + 1.5) * LEGEND_ROW_IN)
    bottom = PAD_IN + legend_h + GAP_IN  # of the grid
    legend_x = max(max(left + grid_w + 0.4, 7.0) - 1.7, PAD_IN + dom_w + 0.3)
    legend_w = max(5 * LEGEND_ROW_IN, 1.1 * LEGEND_ROW_IN + SLACK_IN + max(
        ruler.size(LEGEND[k], 7.5)[0] for k in keys), ruler.size("Judgement", 8, "bold")[0])
    width = PAD_IN + max(left + grid_w + max(head_w - CELL_IN, 0) / 2 + SLACK_IN,
                         left + grid_w / 2 + title_w / 2 + SLACK_IN, legend_x + legend_w)
    height = bottom + nrow * CELL_IN + top
    fig.set_size_inches(width, height)
    domains.set_position((PAD_IN, PAD_IN + legend_h))
    ax = fig.add_axes((left / width, bottom / height, grid_w / width, nrow * CELL_IN / height))
    ax.set_xlim(0, ncol)
    ax.set_ylim(nrow, 0)
    cells = [(c, r, judgement_key(table, study, dom)) for r, study in enumerate(studies)
             for c, dom in enumerate(doms)]
    # one collection each for the grey squares and the circles: an artist per cell was
    # most of the plot's time
    ax.add_collection(PolyCollection(
        [((c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)) for c, r, _ in cells],
        facecolors="#EBEBEB", edgecolors="white", linewidths=2), autolim=False)
    ax.add_collection(EllipseCollection(
        0.72, 0.72, 0, units="xy", offsets=_points([(c + 0.5, r + 0.5) for c, r, _ in cells]),
        offset_transform=ax.transData, facecolors=[COLOURS[k] for *_, k in cells],
        edgecolors="black", linewidths=0.6), autolim=False)
    marked = [(c, r, key) for c, r, key in cells if SYMBOLS[table.tool.id][key]]
    ax.add_collection(_symbols(ax, [(c + 0.5, r + 0.5) for c, r, _ in marked],
                               [SYMBOLS[table.tool.id][k] for *_, k in marked],
                               [symbol_colour(COLOURS[k]) for *_, k in marked], 11),
                      autolim=False)
    ax.set_xticks([c + 0.5 for c in range(ncol)], heads)
    ax.xaxis.tick_top()
    ax.set_yticks([r + 0.5 for r in range(len(studies))], studies)
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    ax.set_title(title, fontsize=11, fontweight="bold", pad=TITLE_PAD)
    ax.set_ylabel("Study", fontsize=11, fontweight="bold")
    lax_h = (len(keys) + 1.5) * LEGEND_ROW_IN
    lax = fig.add_axes((legend_x / width, (PAD_IN + legend_h - lax_h) / height,
                        5 * LEGEND_ROW_IN / width, lax_h / height))
    _judgement_legend(lax, table, keys)
    return fig


def _symbols(ax: Any, centres: list[tuple[float, float]], symbols: list[str],
             colours: list[str], size: float) -> Any:
    """The judgements' symbols (bold, ``size`` points), each centred on a data point.

    Drawn as the glyphs' outlines in one collection: a text artist per cell was most
    of what was left of the plot's time once the cells were collections.
    """
    from matplotlib.collections import PathCollection
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D, IdentityTransform

    prop = FontProperties(size=size, weight="bold")
    glyphs = {}
    for symbol in set(symbols):
        path = TextPath((0, 0), symbol, prop=prop)  # in points
        box = path.get_extents()
        glyphs[symbol] = path.transformed(Affine2D().translate(-(box.x0 + box.x1) / 2,
                                                               -(box.y0 + box.y1) / 2))
    # sizes=[1]: the paths' units are points, scaled to pixels at the drawing's dpi
    return PathCollection([glyphs[s] for s in symbols], sizes=[1.0], offsets=_points(centres),
                          offset_transform=ax.transData, transform=IdentityTransform(),
                          facecolors=colours, edgecolors="none", linewidths=0)


def _points(xy: list[tuple[float, float]]) -> Any:
    """Points as an n x 2 array, also when there are none (a table with no study)."""
    import numpy as np

    return np.reshape(np.asarray(xy, dtype=float), (-1, 2))


def _domain_text(fig: Figure, table: RobTable, doms: list[Domain]) -> Any:
    """What D1..Dn stand for, as one text placed in inches (its top left given later)."""
    lines = [f"D{i}: {d.label}." for i, d in enumerate(doms, start=1) if d.id != "overall"]
    if DERIVED_OVERALL in doms:
        lines.append("Overall: worst judgement across domains (Handbook 5.1, 8.7).")
    return fig.text(PAD_IN, 0, "Domains:\n" + "\n".join(lines), va="top", fontsize=7.5,
                    linespacing=1.35, transform=fig.dpi_scale_trans)


def _legend_keys(table: RobTable, doms: list[Domain]) -> list[str]:
    keys = list(table.tool.judgements[::-1])
    if any(judgement_key(table, s, d) == "none" for s in table.judgements for d in doms):
        keys.append("none")
    return keys


def _judgement_legend(lax: Any, table: RobTable, keys: list[str]) -> None:
    """The judgements' circles and names; ``lax`` is 5 by len(keys) + 1.5 rows, square."""
    from matplotlib.patches import Circle

    lax.set_xlim(0, 5)
    lax.set_ylim(len(keys) + 1.5, 0)
    lax.axis("off")
    lax.text(0, 0.5, "Judgement", va="center", fontsize=8, fontweight="bold")
    for i, key in enumerate(keys, start=1):
        lax.add_artist(Circle((0.45, i + 0.5), 0.38, facecolor=COLOURS[key], edgecolor="black",
                              lw=0.5))
        lax.text(1.1, i + 0.5, LEGEND[key], va="center", fontsize=7.5)
    marked = [(i, k) for i, k in enumerate(keys, start=1) if SYMBOLS[table.tool.id][k]]
    lax.add_collection(_symbols(lax, [(0.45, i + 0.5) for i, _ in marked],
                                [SYMBOLS[table.tool.id][k] for _, k in marked],
                                [symbol_colour(COLOURS[k]) for _, k in marked], 7),
                       autolim=False)


def domain_shares(table: RobTable, weights: dict[str, float] | None = None
                  ) -> dict[str, dict[str, float]]:
    """Per domain, the weighted share (0..1) of studies at each judgement ('none' = missing).

    As robvis: a study's weight (e.g. its sample size) counts for each domain; studies
    without a weight count 1 when no weights are given at all.
    """
    studies = sorted(table.judgements)
    w = {s: float((weights or {}).get(s, 0.0 if weights else 1.0)) for s in studies}
    total = sum(w.values()) or 1.0
    out: dict[str, dict[str, float]] = {}
    for dom in columns_of(table):
        shares: dict[str, float] = {}
        for s in studies:
            key = judgement_key(table, s, dom)
            shares[key] = shares.get(key, 0.0) + w[s] / total
        out[dom.id] = shares
    return out


SUMMARY_W_IN = 6.975  # the bars' full width (100%), inches
SUMMARY_H_IN = 0.385  # the bars' height per domain, inches, and ...
SUMMARY_BASE_IN = 1.232  # ... this much more: the y axis's margins
LEGEND_PT = 9  # the summary legend's font size


def summary_bars(table: RobTable, out: Path, weights: dict[str, float] | None = None) -> Path:
    """Per domain, the share of (weighted) studies at each judgement, as 100% stacked bars;
    laid out in inches from measured text (as :func:`traffic_light`), so that the longest
    domain label widens the figure instead of being cut."""
    return _save(_summary_figure(table, weights), out)


def _summary_figure(table: RobTable, weights: dict[str, float] | None) -> Figure:
    plt = _pyplot()
    from matplotlib.patches import Rectangle

    doms = columns_of(table)[::-1]  # the first domain on top
    shares = domain_shares(table, weights)
    keys = ["low", *[k for k in table.tool.judgements if k not in ("low", "high")], "high",
            "none"]
    fig = plt.figure(dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    for key in keys:  # one call per judgement, each bar left of the next judgement's
        rows = [(row, shares[d.id].get(key, 0.0) * 100,
                 sum(shares[d.id].get(k, 0.0) for k in keys[:keys.index(key)]) * 100)
                for row, d in enumerate(doms)]
        rows = [r for r in rows if r[1] > 0]
        if rows:
            ax.barh([r[0] for r in rows], [r[1] for r in rows], left=[r[2] for r in rows],
                    height=0.7, color=COLOURS[key], edgecolor="black", lw=0.6)
    ax.set_yticks(range(len(doms)), [d.label for d in doms], fontsize=9)
    for tick, dom in zip(ax.get_yticklabels(), doms, strict=True):
        if dom.id == "overall":
            tick.set_fontweight("bold")
    ax.set_xlim(0, 100)
    ticks = ["0%", "25%", "50%", "75%", "100%"]
    ax.set_xticks([0, 25, 50, 75, 100], ticks)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    used = [k for k in keys if k != "none" or any(sh.get("none") for sh in shares.values())]
    handles = [Rectangle((0, 0), 1, 1, facecolor=COLOURS[k], edgecolor="black", lw=0.6)
               for k in used]
    legend = ax.legend(handles, [SUMMARY_LEGEND[k] for k in used], loc="upper center",
                       bbox_to_anchor=(0.4, -0.12), ncol=len(used), frameon=False,
                       fontsize=LEGEND_PT)
    titles = []
    if weights:
        titles.append(ax.set_title("Weighted by sample size", fontsize=9, loc="right",
                                   color="#444444"))
    if table.outcome:
        titles.append(ax.set_title(table.outcome, fontsize=10, loc="left",
                                   fontweight="bold"))

    rc, ruler = plt.rcParams, _Ruler()
    label_w = max(ruler.size(d.label, 9, "bold" if d.id == "overall" else "normal")[0]
                  for d in doms)
    tick_w, tick_h, _ = ruler.size(ticks[-1], rc["xtick.labelsize"])
    legend_w, legend_h = ruler.extent(legend)
    axes_h = SUMMARY_H_IN * len(doms) + SUMMARY_BASE_IN
    title_up = max((ruler.size(t.get_text(), t.get_fontsize(), t.get_fontweight())[1]
                    - ruler.size(t.get_text(), t.get_fontsize(), t.get_fontweight())[2]
                    for t in titles), default=None)
    top = PAD_IN + (rc["axes.titlepad"] / 72 + title_up if title_up is not None else 0)
    # the legend hangs 0.12 of the axes below them, and its pad below that
    below = max((rc["xtick.major.size"] + rc["xtick.major.pad"]) / 72 + tick_h,
                0.12 * axes_h + rc["legend.borderaxespad"] * LEGEND_PT / 72 + legend_h)
    left = PAD_IN + max(label_w + rc["ytick.major.pad"] / 72 + SLACK_IN,
                        legend_w / 2 - 0.4 * SUMMARY_W_IN)
    width = left + SUMMARY_W_IN + tick_w / 2 + SLACK_IN + PAD_IN
    height = PAD_IN + below + axes_h + top
    fig.set_size_inches(width, height)
    ax.set_position((left / width, (PAD_IN + below) / height, SUMMARY_W_IN / width,
                     axes_h / height))
    return fig
