"""Risk of bias: tools, dual judgements reconciled, CSV import, robvis-style plots."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.rob import ROB1, ROB2, reconcile_rob, tool
from reviewflow.extraction.rob_import import import_rob_csv
from reviewflow.extraction.rob_plots import summary_bars, traffic_light
from reviewflow.store import models
from tests.extraction.forms import save_judgements
from tests.screening.support import add_reviewer


def test_tools_have_the_revman_and_rob2_domains() -> None:
    assert len(ROB1.domains) == 7 and ROB1.judgements == ("low", "unclear", "high")
    assert ROB1.domains[2].label.startswith("Blinding of participants and personnel")
    assert [d.id for d in ROB2.domains][-1] == "overall" and len(ROB2.domains) == 6
    assert ROB2.judgement("Some concerns") == "some_concerns"
    assert ROB1.domain("D7").id == "other_bias"
    assert ROB1.domain("Allocation concealment (selection bias)").id == "allocation_concealment"
    with pytest.raises(ReviewflowError, match="must be one of"):
        ROB1.judgement("some concerns")  # RoB 1 says 'unclear'
    with pytest.raises(ReviewflowError, match="rob1 or rob2"):
        tool("rob3")


def test_dual_judgements_reconcile_and_consensus_settles(extracted) -> None:
    _folder, store, ids = extracted
    a, b = (int(add_reviewer(store, n).id or 0) for n in ("alice", "bob"))
    sid = ids["Alda 2018"]
    save_judgements(store, ROB1, a, [(sid, "D1", "low", "computer list"),
                                       (sid, "D2", "unclear", None)])
    save_judgements(store, ROB1, b, [(sid, "D1", "low", "random table"),
                                       (sid, "D2", "high", "open list")])
    table = reconcile_rob(store, ROB1)
    assert table.judgements["Alda 2018"]["random_sequence"].judgement == "low"
    assert "computer list" in (table.judgements["Alda 2018"]["random_sequence"].support or "")
    assert table.discrepancies == [("Alda 2018", "allocation_concealment",
                                    {"alice": "unclear", "bob": "high"})]
    save_judgements(store, ROB1, a, [(sid, "D2", "high", "agreed")], consensus=True)
    table = reconcile_rob(store, ROB1)
    assert table.discrepancies == []
    assert table.judgements["Alda 2018"]["allocation_concealment"].support == "agreed"


def test_csv_import_names_bad_rows_and_writes_nothing(extracted, tmp_path: Path) -> None:
    _folder, store, _ids = extracted
    rid = int(add_reviewer(store, "alice").id or 0)
    bad = tmp_path / "rob.csv"
    bad.write_text("study,domain,judgement,support\nAlda 2018,D1,low,ok\n"
                   "Alda 2018,D9,low,\nNobody 2000,D1,low,\nBrun 2019,D2,maybe,\n",
                   encoding="utf-8")
    with pytest.raises(ReviewflowError) as exc:
        _import(store, bad, rid, ROB1)
    msg = str(exc.value)
    assert "3 problems" in msg and "row 3, field domain" in msg
    assert "row 4, field study: unknown study 'Nobody 2000'" in msg and "row 5, field judgement" \
        in msg
    with store.session() as s:
        assert s.exec(select(models.RobJudgement)).all() == []
    good = tmp_path / "ok.csv"
    good.write_text("study,domain,judgement,support,tool\nAlda 2018,randomisation,low,x,rob2\n"
                    "Alda 2018,overall,some concerns,,rob2\n", encoding="utf-8")
    assert _import(store, good, rid, ROB1) == 2
    assert reconcile_rob(store, ROB2).discrepancies  # only one assessor so far


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plots_are_written(extracted, tmp_path: Path, suffix: str) -> None:
    _folder, store, ids = extracted
    rid = int(add_reviewer(store, "alice").id or 0)
    cycle = ["low", "some_concerns", "high"]
    save_judgements(store, ROB2, rid, [(sid, d.id, cycle[(i + j) % 3], None)
                                         for i, sid in enumerate(ids.values())
                                         for j, d in enumerate(ROB2.domains)], consensus=True)
    table = reconcile_rob(store, ROB2)
    t = traffic_light(table, tmp_path / f"t{suffix}")
    s = summary_bars(table, tmp_path / f"s{suffix}", {k: 10.0 for k in ids})
    assert t.stat().st_size > 5000 and s.stat().st_size > 5000
    if suffix == ".svg":
        text = t.read_text(encoding="utf-8")
        assert "#02c100" in text.lower() and "#bf0000" in text.lower()
    with pytest.raises(ReviewflowError, match="png, .svg or .pdf"):
        traffic_light(table, tmp_path / "t.gif")


def test_summary_shares_are_weighted_by_sample_size(extracted) -> None:
    _folder, store, ids = extracted
    rid = int(add_reviewer(store, "alice").id or 0)
    save_judgements(store, ROB1, rid, [(ids["Alda 2018"], "D1", "low", None),
                                         (ids["Brun 2019"], "D1", "high", None)],
                      consensus=True)
    table = reconcile_rob(store, ROB1)
    from reviewflow.extraction.rob_plots import domain_shares

    plain = domain_shares(table)["random_sequence"]
    assert plain == {"low": 0.5, "high": 0.5}
    weighted = domain_shares(table, {"Alda 2018": 40, "Brun 2019": 60})["random_sequence"]
    assert weighted == pytest.approx({"low": 0.4, "high": 0.6})
    assert domain_shares(table)["other_bias"] == {"none": 1.0}


def test_rob2_judgements_are_kept_per_outcome(extracted, tmp_path: Path) -> None:
    _folder, store, ids = extracted
    rid = int(add_reviewer(store, "alice").id or 0)
    path = tmp_path / "rob2.csv"
    path.write_text("study,domain,judgement,tool,outcome\n"
                    "Alda 2018,D1,low,rob2,pain_vas\nAlda 2018,D1,high,rob2,adverse_events\n"
                    "Alda 2018,D1,some concerns,rob2,\n", encoding="utf-8")
    assert _import(store, path, rid, ROB1) == 3
    save_judgements(store, ROB2, rid, [(ids["Alda 2018"], "D1", "low", None)],
                      consensus=True, outcome="pain_vas")
    vas = reconcile_rob(store, ROB2, "pain_vas")
    assert vas.outcome == "pain_vas" and vas.discrepancies == []
    assert vas.judgements["Alda 2018"]["randomisation"].judgement == "low"
    ae = reconcile_rob(store, ROB2, "adverse_events")
    assert [d[2] for d in ae.discrepancies] == [{"alice": "high"}]  # one assessor only
    whole = reconcile_rob(store, ROB2)
    assert [d[2] for d in whole.discrepancies] == [{"alice": "some_concerns"}]
    assert traffic_light(vas, tmp_path / "vas.png").is_file()


def _import(store, path: Path, reviewer: int | str, default_tool) -> int:
    """``rob import`` as the CLI runs it: one transaction."""
    with store.write() as session:
        return import_rob_csv(session=session, path=path, reviewer=reviewer,
                              default_tool=default_tool)


def test_judgements_are_written_in_the_callers_transaction_only(extracted, tmp_path: Path,
                                                               ) -> None:
    """A failure later in the same user action takes the judgements back with it."""
    from reviewflow.extraction.rob import record_judgements

    _folder, store, ids = extracted
    rid = int(add_reviewer(store, "alice").id or 0)
    sheet = tmp_path / "rob.csv"
    sheet.write_text("study,domain,judgement\nAlda 2018,D1,low\n", encoding="utf-8")

    class Later(Exception):
        pass

    try:
        with store.write() as session:
            assert record_judgements(session=session, rob_tool=ROB1, reviewer_id=rid,
                                     entries=[(ids["Brun 2019"], "D2", "high", None)]) == 1
            assert import_rob_csv(session=session, path=sheet, reviewer="alice",
                                  default_tool=ROB1) == 1
            raise Later
    except Later:
        pass
    with store.session() as s:
        assert s.exec(select(models.RobJudgement)).all() == []
