"""The traffic-light and summary plots are laid out in inches before they are drawn and
saved as laid out (no tight-bbox pass, issue 22): so the layout itself must leave room
for everything, however long a study label or an outcome is."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image

from reviewflow.extraction import rob_plots
from reviewflow.extraction.rob import ROB1, ROB2, Judgement, RobTable
from reviewflow.pooling.forest_rob import symbol_colour

LONG = "Wang Xiaoming, Zhang Wei, Li Na and the MSC-OA Collaborative Group 2021"
CYCLE = ("low", "some_concerns", "high")


def _rob2(outcome: str | None, *studies: str) -> RobTable:
    return RobTable(ROB2, outcome, {
        s: {d.id: Judgement(CYCLE[(i + j) % 3]) for j, d in enumerate(ROB2.domains)}
        for i, s in enumerate(studies)})


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, dict[str, object]]]:
    """Each figure traffic_light saves, with its texts' and its grid's extents in pixels
    (measured by drawing it first, as the saved file draws it)."""
    seen: list[tuple[object, dict[str, object]]] = []
    real = rob_plots._save

    def save(fig, out: Path, **kwargs) -> Path:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
        ax = fig.axes[0]
        seen.append((fig, {
            "size": tuple(fig.bbox.size), "texts": {t.get_text(): t.get_window_extent(renderer)
                                                    for t in texts},
            "centre": ax.transData.transform}))
        return real(fig, out, **kwargs)

    monkeypatch.setattr(rob_plots, "_save", save)
    return seen


@pytest.mark.parametrize("outcome", [None, "Pain on a visual analogue scale at twelve weeks "
                                            "after the injection (primary outcome)"])
def test_long_labels_and_titles_are_inside_the_saved_file(tmp_path: Path, saved, outcome
                                                          ) -> None:
    png = rob_plots.traffic_light(_rob2(outcome, LONG, "Ab 2020"), tmp_path / "t.png")
    [(_fig, seen)] = saved
    width, height = seen["size"]
    assert Image.open(png).size == (int(width), int(height))  # the file is the figure
    pad = rob_plots.PAD_IN * rob_plots.DPI * 0.9
    for text, box in seen["texts"].items():
        assert box.x0 >= pad and box.y0 >= pad, text
        assert box.x1 <= width - pad and box.y1 <= height - pad, text
    assert LONG in seen["texts"]
    if outcome:
        assert any(outcome in text for text in seen["texts"])
    pixels = np.asarray(Image.open(png).convert("RGB"))
    edge = np.concatenate([pixels[:2].reshape(-1, 3), pixels[-2:].reshape(-1, 3),
                           pixels[:, :2].reshape(-1, 3), pixels[:, -2:].reshape(-1, 3)])
    assert (edge == 255).all()  # nothing drawn reaches the edge of the file


def test_a_longer_label_widens_the_figure_not_the_grid(tmp_path: Path, saved) -> None:
    rob_plots.traffic_light(_rob2(None, "Ab 2020", "Cd 2019"), tmp_path / "short.png")
    rob_plots.traffic_light(_rob2(None, LONG, "Cd 2019"), tmp_path / "long.png")
    (short_fig, short), (long_fig, long) = saved
    grid = [f.axes[0].get_window_extent() for f in (short_fig, long_fig)]
    assert grid[0].width == pytest.approx(grid[1].width)
    assert grid[0].height == pytest.approx(grid[1].height)
    assert long["size"][0] > short["size"][0] + rob_plots.DPI  # LONG: 5 in, 1.9 in at least


def test_symbols_are_drawn_in_the_circles_in_their_contrasting_colour(tmp_path: Path,
                                                                       saved) -> None:
    """What a reviewer reads: the symbol's ink at the centre of each judged cell."""
    table = RobTable(ROB1, None, {"a": {d.id: Judgement("low") for d in ROB1.domains},
                                  "b": {**{d.id: Judgement("low") for d in ROB1.domains},
                                        "other_bias": Judgement("high")}})
    png = rob_plots.traffic_light(table, tmp_path / "t.png")
    [(_fig, seen)] = saved
    pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
    height = pixels.shape[0]

    def ink(col: int, row: int) -> tuple[int, ...]:
        x, y = seen["centre"]((col + 0.5, row + 0.5))
        return tuple(pixels[int(height - y), int(x)])

    white, black = (255, 255, 255), (0, 0, 0)
    assert symbol_colour(rob_plots.COLOURS["high"]) == "white"
    assert ink(6, 1) == white and ink(7, 1) == white  # "-" on red: D7 and Overall of b
    assert ink(0, 0) == black and ink(7, 0) == black  # "+" on green
    plt.close("all")


@pytest.mark.parametrize("weights", [None, {"Ab 2020": 30.0, LONG: 10.0}])
def test_summary_texts_are_inside_the_saved_file(tmp_path: Path, saved, weights) -> None:
    outcome = "Pain on a visual analogue scale at twelve weeks (primary outcome)"
    table = _rob2(outcome, LONG, "Ab 2020")
    png = rob_plots.summary_bars(table, tmp_path / "s.png", weights)
    [(_fig, seen)] = saved
    width, height = seen["size"]
    assert Image.open(png).size == (int(width), int(height))
    pad = rob_plots.PAD_IN * rob_plots.DPI * 0.9
    for text, box in seen["texts"].items():
        assert box.x0 >= pad and box.y0 >= pad, text
        assert box.x1 <= width - pad and box.y1 <= height - pad, text
    assert {outcome, "Overall risk of bias", "Some concerns", "100%"} <= set(seen["texts"])
    assert ("Weighted by sample size" in seen["texts"]) == bool(weights)


def test_summary_bars_are_the_weighted_shares_stacked(tmp_path: Path, saved) -> None:
    from matplotlib.patches import Rectangle

    table = _rob2(None, LONG, "Ab 2020", "Cd 2019")
    table.judgements["Cd 2019"].pop("missing_data")  # a "none" share
    weights = {LONG: 50.0, "Ab 2020": 30.0, "Cd 2019": 20.0}
    rob_plots.summary_bars(table, tmp_path / "s.png", weights)
    [(fig, _seen)] = saved
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    shares = rob_plots.domain_shares(table, weights)
    order = ["low", "some_concerns", "high", "none"]
    want = []
    for row, dom in enumerate(rob_plots.columns_of(table)[::-1]):
        left = 0.0
        for key in order:
            if shares[dom.id].get(key, 0.0) > 0:
                want.append((row, left, shares[dom.id][key] * 100,
                             rob_plots.COLOURS[key].lower()))
                left += shares[dom.id][key] * 100
    from matplotlib.colors import to_hex

    got = [(round(b.get_y() + b.get_height() / 2), b.get_x(), b.get_width(),
            to_hex(b.get_facecolor())) for b in bars]
    assert sorted(got) == pytest.approx(sorted(want))
    assert any(c == rob_plots.COLOURS["none"].lower() for *_, c in got)
    plt.close("all")


def test_a_table_without_studies_still_draws(tmp_path: Path) -> None:
    """No cell, no symbol: the collections are empty, not malformed."""
    assert Image.open(rob_plots.traffic_light(RobTable(ROB1), tmp_path / "t.png")).size[0] > 0
    assert Image.open(rob_plots.summary_bars(RobTable(ROB2), tmp_path / "s.png")).size[0] > 0
