"""Small-study and moderator plots: contour-enhanced funnel, trim-and-fill funnel, bubble.

Arrays in (analysis-scale effects and variances), a matplotlib Figure out, as
:mod:`reviewflow.pooling.plots` does for the RevMan plots. Ratio measures are
drawn on the log scale with natural-scale tick labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from reviewflow.figure_files import write_figure  # noqa: E402
from reviewflow.pooling.conversions import ndtri  # noqa: E402
from reviewflow.pooling.metareg import INTERCEPT, MetaRegression  # noqa: E402
from reviewflow.pooling.trimfill import TrimFill  # noqa: E402

FONT = 8
# Peters et al. (2008) contours, as metafor's funnel(level = c(90, 95, 99)) shades them
CONTOURS = ((0.10, "#ffffff", "p > 0.10"), (0.05, "#9e9e9e", "0.05 < p ≤ 0.10"),
            (0.01, "#c8c8c8", "0.01 < p ≤ 0.05"))
OUTSIDE = ("#f0f0f0", "p ≤ 0.01")
RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _log_axis(ax, axis: str, lo: float, hi: float) -> None:
    ticks = [t for t in RATIO_TICKS if lo <= math.log(t) <= hi]
    setter = ax.set_xticks if axis == "x" else ax.set_yticks
    labeller = ax.set_xticklabels if axis == "x" else ax.set_yticklabels
    setter([math.log(t) for t in ticks])
    labeller([f"{t:g}" for t in ticks])


def _finish(ax, fig: Figure, title: str | None) -> None:
    ax.tick_params(labelsize=FONT - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, fontsize=FONT + 1)
    fig.tight_layout()


def contour_funnel_plot(y: Sequence[float], v: Sequence[float], *, estimate: float,
                        label: str = "Effect", ratio: bool = False,
                        title: str | None = None) -> Figure:
    """Effects against SE with the regions of conventional significance around the null.

    Missing studies in the unshaded (non-significant) region point to
    publication bias; in the shaded ones, to other causes of asymmetry.
    """
    y = np.asarray(y, dtype=float)
    se = np.sqrt(np.asarray(v, dtype=float))
    top = float(se.max()) * 1.1
    grid = np.linspace(0, top, 100)
    reach = max(float(np.abs(y).max()), float(ndtri(0.995)) * top) * 1.08
    fig, ax = plt.subplots(figsize=(7.0, 4.4), dpi=150)
    ax.set_facecolor(OUTSIDE[0])
    for alpha, colour, _ in reversed(CONTOURS):
        z = float(ndtri(1 - alpha / 2))
        ax.fill_betweenx(grid, -z * grid, z * grid, color=colour, lw=0)
    ax.axvline(estimate, color="#1f4fbf", lw=0.9, label="Pooled estimate")
    ax.scatter(y, se, s=26, color="black", zorder=3, label="Studies")
    ax.set_ylim(top, 0)
    ax.set_xlim(-reach, reach)
    if ratio:
        _log_axis(ax, "x", -reach, reach)
    ax.set_xlabel(f"{label} (log scale)" if ratio else label, fontsize=FONT)
    ax.set_ylabel("Standard error", fontsize=FONT)
    handles = [Patch(facecolor=c, edgecolor="grey", lw=0.4, label=t) for _, c, t in CONTOURS]
    handles.append(Patch(facecolor=OUTSIDE[0], edgecolor="grey", lw=0.4, label=OUTSIDE[1]))
    handles += ax.get_legend_handles_labels()[0]
    ax.legend(handles=handles, fontsize=FONT - 1.5, frameon=False, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    _finish(ax, fig, title or "Contour-enhanced funnel plot")
    return fig


def trimfill_funnel_plot(y: Sequence[float], v: Sequence[float], tf: TrimFill, *,
                         label: str = "Effect", ratio: bool = False,
                         title: str | None = None) -> Figure:
    """The observed studies (filled dots) and the imputed ones (open), around the
    adjusted estimate with its pseudo 95% limits."""
    y = np.asarray(y, dtype=float)
    se = np.sqrt(np.asarray(v, dtype=float))
    fy = np.array([f.estimate for f in tf.filled])
    fse = np.sqrt(np.array([f.variance for f in tf.filled]))
    top = float(max(se.max(), fse.max() if fse.size else 0)) * 1.1
    grid = np.linspace(0, top, 50)
    centre = tf.adjusted.estimate
    fig, ax = plt.subplots(figsize=(5.6, 4.4), dpi=150)
    ax.plot(centre - 1.96 * grid, grid, ls="--", color="grey", lw=0.8)
    ax.plot(centre + 1.96 * grid, grid, ls="--", color="grey", lw=0.8)
    ax.axvline(centre, color="#b2182b", lw=1.0, label="Adjusted estimate")
    ax.axvline(tf.observed.estimate, color="#1f4fbf", lw=0.9, ls=":", label="Observed estimate")
    ax.scatter(y, se, s=26, color="black", zorder=3, label=f"Studies ({y.size})")
    if fy.size:
        ax.scatter(fy, fse, s=26, facecolors="white", edgecolors="black", zorder=3, lw=0.9,
                   label=f"Filled ({fy.size}, {tf.side})")
    ax.set_ylim(top, 0)
    spread = np.concatenate([y, fy, [centre - 1.96 * top, centre + 1.96 * top]])
    lo, hi = float(spread.min()), float(spread.max())
    pad = 0.05 * (hi - lo)
    ax.set_xlim(lo - pad, hi + pad)
    if ratio:
        _log_axis(ax, "x", lo - pad, hi + pad)
    ax.set_xlabel(f"{label} (log scale)" if ratio else label, fontsize=FONT)
    ax.set_ylabel("Standard error", fontsize=FONT)
    ax.legend(fontsize=FONT - 1.5, frameon=False, loc="lower right")
    _finish(ax, fig, title or f"Trim-and-fill (L0): k0 = {tf.k0}")
    return fig


def bubble_plot(y: Sequence[float], v: Sequence[float], fit: MetaRegression, moderator: str,
                *, label: str = "Effect", ratio: bool = False, studies: Sequence[str] = (),
                title: str | None = None) -> Figure:
    """Effect against one continuous moderator, bubbles sized by the model's weights,
    with the fitted line and its confidence band (other columns at their means,
    as metafor's ``regplot`` holds them)."""
    y = np.asarray(y, dtype=float)
    v = np.asarray(v, dtype=float)
    names = fit.design.names
    if moderator not in names or moderator == INTERCEPT:
        raise ValueError(f"{moderator!r} is not a continuous moderator of this model")
    j = names.index(moderator)
    x = fit.design.x[:, j]
    w = 1 / (v + (fit.tau2 or 0.0))
    sizes = 20 + 380 * w / w.max()
    grid = np.linspace(float(x.min()), float(x.max()), 100)
    rows = np.tile(fit.design.x.mean(axis=0), (grid.size, 1))
    rows[:, j] = grid
    line = fit.predict(rows)
    vcov = np.array(fit.vcov)
    band = np.sqrt(np.einsum("ij,jk,ik->i", rows, vcov, rows))
    c = fit.coefficients[0]
    crit = (c.ci_high - c.estimate) / c.se if c.se > 0 else 1.96
    fig, ax = plt.subplots(figsize=(5.8, 4.4), dpi=150)
    ax.fill_between(grid, line - crit * band, line + crit * band, color="#1f4fbf", alpha=0.15,
                    lw=0, label=f"{round(fit.level * 100)}% CI")
    ax.plot(grid, line, color="#1f4fbf", lw=1.2, label="Fitted")
    ax.scatter(x, y, s=sizes, facecolors="#9ecae1", edgecolors="#08306b", lw=0.6, alpha=0.85,
               zorder=3)
    for xi, yi, name in zip(x, y, studies, strict=False):
        ax.annotate(name, (xi, yi), fontsize=FONT - 2.5, xytext=(4, 3),
                    textcoords="offset points", color="#333333")
    ax.axhline(0, color="black", lw=0.6)
    slope = fit.coefficients[j]
    ax.set_xlabel(moderator, fontsize=FONT)
    ax.set_ylabel(f"{label} (log scale)" if ratio else label, fontsize=FONT)
    if ratio:
        lo, hi = ax.get_ylim()
        _log_axis(ax, "y", lo, hi)
    p = "P < 0.001" if slope.p < 0.001 else f"P = {slope.p:.3f}"
    r2 = f", R² = {fit.r2:.0f}%" if fit.r2 is not None else ""
    held = "; other moderators at their means" if len(names) > 2 else ""
    ax.text(0.01, 0.01, f"slope {slope.estimate:.4f} ({p}){r2}{held}", transform=ax.transAxes,
            fontsize=FONT - 1.5, va="bottom", color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})
    ax.legend(fontsize=FONT - 1.5, frameon=False, loc="upper right")
    _finish(ax, fig, title or f"Meta-regression on {moderator}")
    return fig


def save_figure(fig: Figure, path: Path | str) -> Path:
    path = Path(path)
    try:
        write_figure(fig, path, dpi=200 if path.suffix.lower() == ".png" else None)
    finally:
        plt.close(fig)
    return path


PLOTS = {"contour_funnel": contour_funnel_plot, "trimfill_funnel": trimfill_funnel_plot,
         "bubble": bubble_plot}


def draw(kind: str, path: Path | str, /, *args, **kwargs) -> Path:
    """Build the ``kind`` plot (a key of :data:`PLOTS`) and write it to ``path``.

    One call naming plain data, so a drawing worker (:mod:`reviewflow.drawing`) can
    build the figure where it is saved instead of receiving a pickled Figure.
    """
    return save_figure(PLOTS[kind](*args, **kwargs), path)
