"""Bubble, contour-enhanced funnel, trim-and-fill funnel, and the forest plot's RoB
columns and prediction interval: what is drawn, not only that a file appears."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.lines import Line2D

from reviewflow.pooling import bias_plots, pool_dichotomous
from reviewflow.pooling.forest_rob import ForestRob, headings_for, symbol_colour
from reviewflow.pooling.metareg import Moderator, design_matrix, meta_regression
from reviewflow.pooling.plots import forest_plot
from reviewflow.pooling.trimfill import trim_and_fill

FIX = json.loads((Path(__file__).parent / "fixtures" / "metareg_reference.json").read_text())


def case(group: str, name: str) -> dict:
    return next(c for c in FIX[group] if c["name"] == name)


def texts(fig) -> list[str]:
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts]
    return found


def test_trimfill_funnel_draws_each_filled_study_open() -> None:
    c = case("trimfill", "hackshaw1998 REML")
    tf = trim_and_fill(c["data"]["yi"], c["data"]["vi"])
    fig = bias_plots.trimfill_funnel_plot(c["data"]["yi"], c["data"]["vi"], tf, ratio=True)
    observed, filled = fig.axes[0].collections
    assert len(observed.get_offsets()) == len(c["data"]["yi"])
    assert len(filled.get_offsets()) == tf.k0 == 7
    assert np.allclose(filled.get_facecolor()[0][:3], 1.0)  # open (white) markers
    plt.close(fig)


def test_contour_funnel_shades_three_significance_bands_around_the_null() -> None:
    c = case("trimfill", "hackshaw1998 REML")
    fig = bias_plots.contour_funnel_plot(c["data"]["yi"], c["data"]["vi"], estimate=0.2)
    bands = [col for col in fig.axes[0].collections if col.__class__.__name__ != "PathCollection"]
    assert len(bands) == 3
    widest = max(np.abs(p.vertices[:, 0]).max() for p in bands[0].get_paths())
    narrowest = max(np.abs(p.vertices[:, 0]).max() for p in bands[-1].get_paths())
    assert widest > narrowest  # 99% contour outside the 90% one
    plt.close(fig)


def test_bubble_plot_line_is_the_fitted_model() -> None:
    c = case("metareg", "bcg ablat REML")
    d = c["data"]
    fit = meta_regression(d["yi"], d["vi"], design_matrix([Moderator("ablat", tuple(d["ablat"]))]))
    fig = bias_plots.bubble_plot(d["yi"], d["vi"], fit, "ablat", ratio=True)
    line = next(ln for ln in fig.axes[0].lines if ln.get_label() == "Fitted")
    x, y = line.get_data()
    b0, b1 = (cf.estimate for cf in fit.coefficients)
    assert np.allclose(y, b0 + b1 * x)
    with pytest.raises(ValueError):
        bias_plots.bubble_plot(d["yi"], d["vi"], fit, "year")
    plt.close(fig)


BCG6 = ([4, 6, 3, 62, 33, 180], [123, 306, 231, 13598, 5069, 1541],
        [11, 29, 11, 248, 47, 372], [139, 303, 220, 12867, 5808, 1451])
NAMES = ("Aronson", "Ferguson", "Rosenthal", "Hart", "Frimodt", "Stein")


def rob_circles(fig) -> list[Line2D]:
    return [a for a in fig.artists if isinstance(a, Line2D) and a.get_marker() == "o"]


def test_forest_plot_gains_rob_columns_legend_and_prediction_interval() -> None:
    result = pool_dichotomous(*BCG6, studies=NAMES, measure="RR", method="MH", model="random")
    heads = headings_for("rob1", 7, True)
    rob = ForestRob("rob1", heads, tuple(f"domain {h}" for h in heads),
                    {n: ("low",) * 7 + ("high",) for n in NAMES[:5]})
    fig = forest_plot(result, rob=rob, prediction_interval=True)
    shown = texts(fig)
    assert {"A", "G", "O", "Risk of Bias", "Risk of bias legend", "(A) domain A"} <= set(shown)
    pi = result.overall.prediction_interval
    assert any(t.startswith("95% prediction interval: ") for t in shown)
    # one circle per study and column (the unjudged study gets empty ones), plus the legend
    assert len(rob_circles(fig)) == len(NAMES) * len(heads) + 2
    dotted = [ln for ln in fig.axes[0].lines if ln.get_linestyle() not in ("-", "None")]
    assert dotted and np.allclose(sorted(dotted[0].get_xdata()),
                                  [max(pi[0], fig.axes[0].get_xlim()[0]),
                                   min(pi[1], fig.axes[0].get_xlim()[1])])
    plt.close(fig)
    plain = forest_plot(result)
    assert not rob_circles(plain)
    assert not any("prediction interval" in t for t in texts(plain))
    plt.close(plain)


def test_symbols_stay_readable_on_dark_fills() -> None:
    assert symbol_colour("#BF0000") == "white"
    assert symbol_colour("#E2DF07") == "black"
    assert symbol_colour("#02C100") == "black"


def test_rob2_headings_are_d1_to_d5_and_overall() -> None:
    assert headings_for("rob2", 5, True) == ("D1", "D2", "D3", "D4", "D5", "Overall")
    assert headings_for("rob1", 7, False) == tuple("ABCDEFG")


def test_per_arm_comparisons_take_their_trials_judgements() -> None:
    rob = ForestRob("rob1", ("A", "Overall"), ("a", "o"), {"Hu 2017": ("low", "high")})
    assert rob.for_study("Hu 2017 (bone marrow)") == ("low", "high")
    assert rob.for_study("Ma 2020") == ("none", "none")
