"""The recall-curve figure of a simulation (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# Labels are data (database names, study labels): "$" must not start mathtext.
matplotlib.rcParams["text.parse_math"] = False

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from reviewflow.figure_files import write_figure  # noqa: E402


def plot_recall_curve(
    curves: list[np.ndarray],
    path: str | Path,
    title: str,
    wss95: float,
    screened_at_95: float,
) -> None:
    """Save mean recall (band: min-max over seeds) against random order to ``path``."""
    stacked = np.vstack(curves)
    n_records = stacked.shape[1] - 1
    x = np.arange(n_records + 1) / n_records * 100
    fig, ax = plt.subplots(figsize=(7, 4.6), dpi=120)
    ax.fill_between(x, stacked.min(0) * 100, stacked.max(0) * 100, color="tab:blue",
                    alpha=0.18, linewidth=0, label=f"range over {len(curves)} seeds")
    ax.plot(x, stacked.mean(0) * 100, color="tab:blue", linewidth=2,
            label="reviewflow ranking (mean)")
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=1.2,
            label="random order (expected)")
    at95 = screened_at_95 / n_records * 100
    ax.axhline(95, color="tab:red", linestyle=":", linewidth=1)
    ax.axvline(at95, color="tab:red", linestyle=":", linewidth=1)
    ax.annotate(f"95% recall after {at95:.1f}% screened\nWSS@95 = {wss95 * 100:.1f}% (mean)",
                xy=(at95, 95), xytext=(at95 + 4, 60), fontsize=9,
                arrowprops={"arrowstyle": "->", "color": "tab:red"})
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_xlabel(f"Records screened (% of all {n_records} records)")
    ax.set_ylabel("Relevant records found (recall, %)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    write_figure(fig, path)  # one layout pass; an SVG carries no date
    plt.close(fig)
