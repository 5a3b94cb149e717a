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
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        from reviewflow.errors import ReviewflowError

        raise ReviewflowError(f"{out}: plot format must be .png, .svg or .pdf")
    from reviewflow.figure_files import write_figure

    write_figure(fig, out, dpi=200, bbox_inches="tight", facecolor="white")
    _pyplot().close(fig)
    return out


CELL_IN = 0.42  # one traffic light, inches
LABEL_IN = 1.9  # room for study labels
TOP_IN = 0.85  # title and domain headings


def traffic_light(table: RobTable, out: Path) -> Path:
    """Studies as rows, domains D1..Dn (and Overall) as columns; laid out in inches so
    the grid and legends keep their size whatever the number of studies."""
    plt = _pyplot()
    from matplotlib.patches import Circle, Rectangle

    doms = columns_of(table)
    studies = sorted(table.judgements)
    ncol, nrow = len(doms), max(len(studies), 1)
    legend_in = 0.3 + 0.17 * max(len(doms), 4)
    width = max(LABEL_IN + ncol * CELL_IN + 0.4, 7.0)
    height = TOP_IN + nrow * CELL_IN + 0.25 + legend_in
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((LABEL_IN / width, (0.25 + legend_in) / height,
                       ncol * CELL_IN / width, nrow * CELL_IN / height))
    ax.set_xlim(0, ncol)
    ax.set_ylim(nrow, 0)
    for r, study in enumerate(studies):
        for c, dom in enumerate(doms):
            key = judgement_key(table, study, dom)
            # add_artist, not add_patch: the limits are fixed above, and add_patch's
            # data-limit update per cell was a quarter of the plot's time
            ax.add_artist(Rectangle((c, r), 1, 1, facecolor="#EBEBEB", edgecolor="white", lw=2))
            ax.add_artist(Circle((c + 0.5, r + 0.5), 0.36, facecolor=COLOURS[key],
                                edgecolor="black", lw=0.6))
            ax.text(c + 0.5, r + 0.52, SYMBOLS[table.tool.id][key], ha="center",
                    va="center", fontsize=11, fontweight="bold",
                    color=symbol_colour(COLOURS[key]))
    ax.set_xticks([c + 0.5 for c in range(ncol)],
                  ["Overall" if d.id == "overall" else f"D{i}" for i, d in
                   enumerate(doms, start=1)])
    ax.xaxis.tick_top()
    ax.set_yticks([r + 0.5 for r in range(len(studies))], studies)
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    title = "Risk of bias domains" + (f" · {table.outcome}" if table.outcome else "")
    ax.set_title(title, fontsize=11, fontweight="bold", pad=20)
    ax.set_ylabel("Study", fontsize=11, fontweight="bold")
    _traffic_legends(fig, table, doms, width, legend_in / height)
    return _save(fig, out)


def _traffic_legends(fig: Figure, table: RobTable, doms, width: float,
                     top: float) -> None:
    from matplotlib.patches import Circle

    lines = [f"D{i}: {d.label}." for i, d in enumerate(doms, start=1) if d.id != "overall"]
    if DERIVED_OVERALL in doms:
        lines.append("Overall: worst judgement across domains (Handbook 5.1, 8.7).")
    fig.text(0.1 / width, top, "Domains:\n" + "\n".join(lines), va="top", fontsize=7.5,
             linespacing=1.35)
    keys = [k for k in table.tool.judgements[::-1]]
    if any(judgement_key(table, s, d) == "none" for s in table.judgements for d in doms):
        keys.append("none")
    lax = fig.add_axes((1 - 1.7 / width, 0.02, 1.6 / width, top - 0.02))
    lax.set_xlim(0, 5)
    lax.set_ylim(len(keys) + 1.5, 0)
    lax.set_aspect("equal", adjustable="box", anchor="NW")
    lax.axis("off")
    lax.text(0, 0.5, "Judgement", va="center", fontsize=8, fontweight="bold")
    for i, key in enumerate(keys, start=1):
        lax.add_patch(Circle((0.45, i + 0.5), 0.38, facecolor=COLOURS[key], edgecolor="black",
                             lw=0.5))
        lax.text(0.45, i + 0.52, SYMBOLS[table.tool.id][key], ha="center", va="center",
                 fontsize=7, fontweight="bold", color=symbol_colour(COLOURS[key]))
        lax.text(1.1, i + 0.5, LEGEND[key], va="center", fontsize=7.5)


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


def summary_bars(table: RobTable, out: Path, weights: dict[str, float] | None = None) -> Path:
    """Per domain, the share of (weighted) studies at each judgement, as 100% stacked bars."""
    plt = _pyplot()
    from matplotlib.patches import Rectangle

    doms = columns_of(table)
    shares = domain_shares(table, weights)
    keys = ["low", *[k for k in table.tool.judgements if k not in ("low", "high")], "high",
            "none"]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(doms) + 1.6))
    for row, dom in enumerate(doms[::-1]):
        left = 0.0
        for key in keys:
            share = shares[dom.id].get(key, 0.0)
            if share > 0:
                ax.barh(row, share * 100, left=left, height=0.7, color=COLOURS[key],
                        edgecolor="black", lw=0.6)
                left += share * 100
    labels = [d.label for d in doms[::-1]]
    ax.set_yticks(range(len(doms)), labels, fontsize=9)
    for tick, dom in zip(ax.get_yticklabels(), doms[::-1], strict=True):
        if dom.id == "overall":
            tick.set_fontweight("bold")
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    used = [k for k in keys if k != "none" or any(sh.get("none") for sh in shares.values())]
    handles = [Rectangle((0, 0), 1, 1, facecolor=COLOURS[k], edgecolor="black", lw=0.6)
               for k in used]
    ax.legend(handles, [SUMMARY_LEGEND[k] for k in used], loc="upper center",
              bbox_to_anchor=(0.4, -0.12), ncol=len(used), frameon=False, fontsize=9)
    if weights:
        ax.set_title("Weighted by sample size", fontsize=9, loc="right", color="#444444")
    if table.outcome:
        ax.set_title(table.outcome, fontsize=10, loc="left", fontweight="bold")
    return _save(fig, out)
