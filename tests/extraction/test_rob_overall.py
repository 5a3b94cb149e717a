"""RoB 1's derived overall judgement, the robvis Overall column and the forest RoB columns."""

from __future__ import annotations

import matplotlib.pyplot as plt

from reviewflow.extraction import rob_plots
from reviewflow.extraction.rob import ROB1, ROB2, Judgement, RobTable


def rob1(**studies: dict[str, str]) -> RobTable:
    return RobTable(ROB1, None, {s: {d: Judgement(j) for d, j in doms.items()}
                                 for s, doms in studies.items()})


ALL_LOW = {d.id: "low" for d in ROB1.domains}


def test_rob1_overall_is_the_worst_domain_and_low_only_when_all_are_low() -> None:
    table = rob1(a=ALL_LOW, b={**ALL_LOW, "other_bias": "unclear"},
                 c={**ALL_LOW, "blinding_outcome": "high", "other_bias": "unclear"},
                 d={"random_sequence": "low"})
    assert [table.overall(s) for s in "abcd"] == ["low", "unclear", "high", "unclear"]
    assert table.overall("nobody") == "none"


def test_rob2_overall_is_the_assessors_own() -> None:
    table = RobTable(ROB2, None, {"a": {"randomisation": Judgement("high")},
                                  "b": {"overall": Judgement("some_concerns")}})
    assert (table.overall("a"), table.overall("b")) == ("none", "some_concerns")


def test_forest_columns_and_traffic_light_gain_overall() -> None:
    table = rob1(a=ALL_LOW, b={**ALL_LOW, "other_bias": "high"})
    fr = rob_plots.forest_rob(table)
    assert fr.headings == ("A", "B", "C", "D", "E", "F", "G", "Overall")
    assert fr.judgements["b"][-1] == "high" and fr.judgements["a"][-1] == "low"
    ax = rob_plots._traffic_figure(table).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Overall"
    # the symbols, white on dark red: tests/extraction/test_rob_traffic_layout.py
    plt.close("all")
