"""Risk-of-bias items a RevMan author added to RoB 1: imported, shown, exported back."""

from __future__ import annotations

from pathlib import Path

import pytest
from revman_support import invoke, small_with

from reviewflow.extraction.rob import ROB1, ROB2, Judgement, reconcile_rob, with_custom_domains
from reviewflow.extraction.rob_plots import forest_rob, traffic_light
from reviewflow.revman.reader import read_rm5
from reviewflow.store.db import Store
from reviewflow.store.location import load_config

CUSTOM = """<QUALITY_ITEM CORE_ITEM="NO" ID="QIT-09" LEVEL="STUDY" NO="2">
<NAME>Baseline imbalance</NAME>
<DESCRIPTION><P>Groups unlike at baseline</P></DESCRIPTION>
<QUALITY_ITEM_DATA>
<QUALITY_ITEM_DATA_ENTRY RESULT="YES" STUDY_ID="STD-Li_x002d_2019">
<DESCRIPTION><P>Groups similar</P></DESCRIPTION></QUALITY_ITEM_DATA_ENTRY>
<QUALITY_ITEM_DATA_ENTRY RESULT="NO" STUDY_ID="STD-Chen-2020">
<DESCRIPTION><P>Older controls</P></DESCRIPTION></QUALITY_ITEM_DATA_ENTRY>
</QUALITY_ITEM_DATA>
</QUALITY_ITEM>
"""


@pytest.fixture
def custom(tmp_path: Path) -> Path:
    return small_with(tmp_path / "custom.rm5", "</QUALITY_ITEMS>", CUSTOM)


def test_an_added_item_is_imported_shown_and_exported(custom: Path, tmp_path: Path) -> None:
    folder, exported = tmp_path / "a", tmp_path / "a.rm5"
    output = invoke("revman", "import", str(custom), str(folder))
    assert "Baseline imbalance" not in output  # nothing left out, nothing to say
    store = Store.open(load_config(folder).database_url())
    try:
        table = reconcile_rob(store, ROB1)
        assert [d.label for d in table.tool.domains][7:] == ["Baseline imbalance"]
        assert table.judgements["Li 2019"]["Baseline imbalance"] == Judgement(
            "low", "Groups similar")
        assert table.judgements["Chen 2020"]["Baseline imbalance"].judgement == "high"
        assert table.judgements["Li 2019"]["random_sequence"].judgement == "low"
        assert table.overall("Chen 2020") == "high"  # the added item counts
        columns = forest_rob(table)
        assert columns.labels[7] == "Baseline imbalance" and columns.headings[7] == "H"
        assert len(columns.headings) == len(columns.labels)
        assert columns.judgements["Chen 2020"][7] == "high"
        assert traffic_light(table, tmp_path / "light.png").stat().st_size > 0
    finally:
        store.dispose()
    invoke("--review", str(folder), "revman", "export", "--out", str(exported))
    items = {i.name: i for i in read_rm5(exported).risk_of_bias}
    added = items["Baseline imbalance"]
    assert sorted((e.study_id, e.result, e.support) for e in added.entries) == [
        ("STD-Chen-2020", "NO", "Older controls"), ("STD-Li_x002d_2019", "YES",
                                                    "Groups similar")]
    invoke("revman", "import", str(exported), str(tmp_path / "b"))
    again = Store.open(load_config(tmp_path / "b").database_url())
    try:
        assert reconcile_rob(again, ROB1).judgements == table.judgements
    finally:
        again.dispose()


def test_rob2_keeps_its_fixed_domains() -> None:
    assert with_custom_domains(ROB2, ["Baseline imbalance"]) is ROB2
    assert with_custom_domains(ROB1, ["other_bias"]) is ROB1


def test_the_rob_screen_lists_and_saves_an_added_item(custom: Path, tmp_path: Path) -> None:
    import asyncio

    from textual.widgets import Input, Label

    from reviewflow.extraction.rob import current_judgements, in_use
    from reviewflow.tui.screens.rob_assessment import RobScreen
    from tests.tui.support_tui import Host

    invoke("revman", "import", str(custom), str(tmp_path / "a"))
    store = Store.open(load_config(tmp_path / "a").database_url())
    rob1 = in_use(store, ROB1)
    assert rob1.domains[-1].label == "Baseline imbalance"

    async def scenario() -> None:
        screen = RobScreen(store, rob1, "alice")
        async with Host(screen).run_test(size=(160, 60)) as pilot:
            await pilot.pause()
            labels = [str(w.content) for w in screen.query(Label)]
            assert "Baseline imbalance" in labels
            screen.query_one("#j-custom7", Input).focus()
            await pilot.press("h", "tab", *"older", "tab")
            await pilot.pause()
            mine, _ = current_judgements(store, rob1)
            rows = {d: r for (_s, d, _r), r in mine.items()}
            assert (rows["Baseline imbalance"].judgement,
                    rows["Baseline imbalance"].support) == ("high", "older")

    try:
        asyncio.run(scenario())
    finally:
        store.dispose()


GROUPED = """<QUALITY_ITEM CORE_ITEM="YES" ID="QIT-05" LEVEL="GROUP" NO="5">
<NAME>Blinding of outcome assessment (detection bias)</NAME>
<DESCRIPTION><P>Detection bias</P></DESCRIPTION>
<QUALITY_ITEM_DATA_ENTRY_GROUP ID="QIG-05.01" NO="1"><NAME>Objective outcomes</NAME>
</QUALITY_ITEM_DATA_ENTRY_GROUP>
<QUALITY_ITEM_DATA_ENTRY_GROUP ID="QIG-05.02" NO="2"><NAME>Subjective outcomes</NAME>
</QUALITY_ITEM_DATA_ENTRY_GROUP>
<QUALITY_ITEM_DATA>
<QUALITY_ITEM_DATA_ENTRY GROUP_ID="QIG-05.01" RESULT="YES" STUDY_ID="STD-Li_x002d_2019">
<DESCRIPTION><P>Lab values</P></DESCRIPTION></QUALITY_ITEM_DATA_ENTRY>
<QUALITY_ITEM_DATA_ENTRY GROUP_ID="QIG-05.02" RESULT="NO" STUDY_ID="STD-Li_x002d_2019">
<DESCRIPTION><P>Unblinded raters</P></DESCRIPTION></QUALITY_ITEM_DATA_ENTRY>
</QUALITY_ITEM_DATA>
</QUALITY_ITEM>
"""


def test_an_item_judged_per_outcome_group_keeps_each_group(tmp_path: Path) -> None:
    """Judged differently per outcome group: one domain per group, named as RevMan's
    risk-of-bias figures name them; the groups' names are read from the file."""
    path = small_with(tmp_path / "grouped.rm5", "</QUALITY_ITEMS>", GROUPED)
    item = next(i for i in read_rm5(path).risk_of_bias if i.level == "GROUP")
    assert item.groups == (("QIG-05.01", "Objective outcomes"),
                           ("QIG-05.02", "Subjective outcomes"))
    output = invoke("revman", "import", str(path), str(tmp_path / "a"))
    assert "judged per outcome group" not in output
    store = Store.open(load_config(tmp_path / "a").database_url())
    try:
        li = reconcile_rob(store, ROB1).judgements["Li 2019"]
        name = "Blinding of outcome assessment (detection bias)"
        assert li[f"{name}: Objective outcomes"] == Judgement("low", "Lab values")
        assert li[f"{name}: Subjective outcomes"] == Judgement("high", "Unblinded raters")
        assert "blinding_outcome" not in li
    finally:
        store.dispose()


def test_the_writer_keeps_outcome_groups(tmp_path: Path) -> None:
    from reviewflow.revman.writer import write_rm5

    path = small_with(tmp_path / "grouped.rm5", "</QUALITY_ITEMS>", GROUPED)
    again = tmp_path / "again.rm5"
    again.write_bytes(write_rm5(read_rm5(path)))
    item = next(i for i in read_rm5(again).risk_of_bias if i.level == "GROUP")
    assert item.groups == (("QIG-05.01", "Objective outcomes"),
                           ("QIG-05.02", "Subjective outcomes"))
    assert {(e.group_id, e.result) for e in item.entries} == {("QIG-05.01", "YES"),
                                                              ("QIG-05.02", "NO")}
