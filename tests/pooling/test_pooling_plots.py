"""Forest/funnel plots and the Rich text forest (import purity: tests/test_import_hygiene.py)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from reviewflow.pooling import cumulative, pool_dichotomous
from reviewflow.pooling.analysis import StudyTable
from reviewflow.pooling.forest_layout import axis_limit, build_rows
from reviewflow.pooling.plots import forest_plot, save_forest_plot, save_funnel_plot
from reviewflow.pooling.text_forest import text_forest
from reviewflow.pooling.types import DataType

E1, N1, E2, N2 = [4, 6, 3, 0, 33], [123, 306, 231, 40, 5069], [11, 29, 11, 0, 47], [139, 303, 220,
                                                                                     38, 5808]
NAMES = ["Aronson", "Ferguson", "Rosenthal", "Nobody", "Frimodt"]
GROUPS = ["early", "early", "early", "late", "late"]


def result(**kw):
    return pool_dichotomous(E1, N1, E2, N2, studies=NAMES, subgroups=GROUPS,
                            measure="RR", method="MH", model="random", **kw)


def test_rows_follow_revman_order() -> None:
    kinds = [r.kind for r in build_rows(result())]
    assert kinds[:5] == ["heading", "study", "study", "study", "subtotal"]
    assert kinds.count("subtotal") == 2 and kinds.count("total") == 1
    assert kinds.index("total") > max(i for i, k in enumerate(kinds) if k == "subtotal")


def test_ratio_axis_is_symmetric_and_holds_the_pooled_ci() -> None:
    r = result()
    limit = axis_limit(r)
    import math

    assert -math.log(limit) <= r.overall.ci_low and r.overall.ci_high <= math.log(limit)


def test_forest_plot_draws_one_square_per_estimable_study(tmp_path: Path) -> None:
    fig = forest_plot(result())
    graph = fig.axes[0]
    squares = [line for line in graph.lines if line.get_marker() == "s"]
    assert len(squares) == 4  # "Nobody" is not estimable
    assert len(graph.patches) == 3  # two subtotal diamonds and the total
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Not estimable" in texts and "Favours [control]" in texts
    assert "Test for subgroup differences" in texts
    out = save_forest_plot(result(), tmp_path / "f.svg")
    assert out.stat().st_size > 1000


def test_funnel_plot_draws_each_study_at_its_effect_and_se(tmp_path: Path) -> None:
    import struct

    import numpy as np

    from reviewflow.pooling.plots import funnel_plot

    r = result()
    fig = funnel_plot(r)
    ax = fig.axes[0]
    points = sorted(tuple(xy) for c in ax.collections for xy in c.get_offsets())
    want = sorted((s.estimate, s.se) for s in r.studies if s.estimable)
    assert len(points) == 4 and np.allclose(points, want)  # "Nobody" is not estimable
    left, right = (line for line in ax.lines if line.get_linestyle() == "--")
    for line, sign in ((left, -1), (right, 1)):  # pseudo 95% limits around the estimate
        x, y = line.get_data()
        assert np.allclose(x, r.overall.estimate + sign * 1.96 * np.asarray(y))
    bottom, top = ax.get_ylim()
    assert bottom > top == 0  # SE axis inverted: precise studies at the top
    assert [t.get_text() for t in ax.get_xticklabels()][:1] and "log" in ax.get_xlabel()
    out = save_funnel_plot(r, tmp_path / "funnel.png")
    head = out.read_bytes()[:24]
    width, height = struct.unpack(">II", head[16:24])
    assert head.startswith(b"\x89PNG") and (width, height) == (1040, 840)  # 5.2 x 4.2 in @ 200


def test_text_forest_renders_with_rich_only() -> None:
    console = Console(width=140, record=True)
    console.print(text_forest(result()))
    text = console.export_text()
    assert "Aronson" in text and "Not estimable" in text
    assert "◆" in text and "■" in text
    assert "Test for subgroup differences" in text
    assert text.index("Favours exp.") < text.index("Favours ctrl")  # RevMan's default sides
    console = Console(width=140, record=True)
    console.print(text_forest(result(), favours=("Favours placebo", "Favours MSC")))
    text = console.export_text()
    assert text.index("Favours placebo") < text.index("Favours MSC")
    assert "Favours exp." not in text


def test_cumulative_ends_with_the_full_analysis() -> None:
    r = result()
    table = StudyTable(DataType.DICHOTOMOUS, tuple(NAMES),
                       {"events_treat": E1, "n_treat": N1, "events_ctrl": E2, "n_ctrl": N2})
    steps = cumulative(table, r.options)
    assert len(steps) == 4
    assert steps[-1].pooled.estimate == r.overall.estimate


def test_text_forest_draws_the_prediction_interval_through_the_total_row() -> None:
    """Heterogeneous trials: the interval (dotted, ticked ends) reaches beyond the diamond."""
    r = pool_dichotomous([4, 6, 3, 62, 33, 180, 8, 505], [123, 306, 231, 13598, 5069, 1541, 2545,
                                                          88391],
                         [11, 29, 11, 248, 47, 372, 10, 499], [139, 303, 220, 12867, 5808, 1451,
                                                               629, 88391],
                         studies=list("ABCDEFGH"), measure="RR", method="IV", model="random")
    assert r.overall.prediction_interval is not None
    console = Console(width=200, record=True)
    console.print(text_forest(r, prediction_interval=True))
    text = console.export_text()
    total = next(line for line in text.splitlines() if line.startswith("Total ("))
    assert "◆" in total and "┄" in total and ("├" in total or "┤" in total)
    assert "95% prediction interval: " in text
    console = Console(width=200, record=True)
    console.print(text_forest(r))
    assert "┄" not in console.export_text()
