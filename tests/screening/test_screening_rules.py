"""Stage progression, conflicts, resolutions, blinding and the queue, on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.screening.blinding import record_card
from reviewflow.screening.conflicts import list_conflicts
from reviewflow.screening.progress import change_marker, dashboard
from reviewflow.screening.queue import ScreeningQueue
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.state import eligible_ids, record_votes, stage_statuses
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from tests.screening.support import add_pair, add_reviewer, decide, make_store, settle, viewer

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

TA, FT = TITLE_ABSTRACT, FULL_TEXT
SETTINGS = ScreeningSettings()


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 8)
    yield s
    s.dispose()


def test_progression_needs_both_reviewers_or_a_resolution(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, ann, 1, TA, "include")
    decide(store, bob, 1, TA, "include")   # both include -> full text
    decide(store, ann, 2, TA, "include")   # only one reviewer -> pending
    decide(store, ann, 3, TA, "maybe")
    decide(store, bob, 3, TA, "include")   # maybe counts as include (hold)
    decide(store, ann, 4, TA, "include")
    decide(store, bob, 4, TA, "exclude")   # conflict -> waits
    decide(store, ann, 5, TA, "exclude")
    decide(store, bob, 5, TA, "exclude")
    with store.session() as s:
        statuses = stage_statuses(s, TA)
        assert statuses[3].outcome == "hold" and not statuses[3].disagreement
        assert statuses[4].outcome == "conflict"
        assert statuses[2].outcome == "pending"
        assert eligible_ids(s, FT) == [1, 3]
    arb = add_reviewer(store, "carol", "arbiter")
    settle(store, SETTINGS, record_id=4, stage=TA, decision="include",
                     resolver=arb, method="arbiter")
    with store.session() as s:
        assert eligible_ids(s, FT) == [1, 3, 4]


def test_merged_away_records_are_not_screened(store) -> None:
    with store.write() as s:
        s.add(models.DedupDecision(kept_record_id=1, merged_record_id=2, action="merge",
                                   method="auto"))
    with store.session() as s:
        assert 2 not in eligible_ids(s, TA)
    ann = viewer(store, "ann")
    q = ScreeningQueue(store, ann, TA, SETTINGS)
    assert 2 not in q.ids and q.total == 7


def test_full_text_reasons_conflict_and_not_retrieved(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid in (1, 2, 3):
        decide(store, ann, rid, TA, "include")
        decide(store, bob, rid, TA, "include")
    decide(store, ann, 1, FT, "exclude", reason="wrong population")
    decide(store, bob, 1, FT, "exclude", reason="not randomised")
    decide(store, ann, 2, FT, "exclude", reason="wrong population")
    decide(store, bob, 2, FT, "exclude", reason="Wrong  population")
    decide(store, ann, 3, FT, "not_retrieved")
    decide(store, bob, 3, FT, "not_retrieved")
    with store.session() as s:
        st = stage_statuses(s, FT)
        assert st[1].outcome == "conflict"
        assert st[2].outcome == "exclude"
        assert st[3].outcome == "not_retrieved"
        assert [c.status.record_id for c in list_conflicts(s, FT)] == [1]
    with pytest.raises(ReviewflowError, match="needs a reason"):
        decide(store, ann, 3, FT, "exclude")


def test_resolution_rules(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, ann, 1, TA, "include")
    decide(store, bob, 1, TA, "exclude")
    decide(store, ann, 2, TA, "include")
    decide(store, bob, 2, TA, "include")
    ann_row = add_reviewer(store, "ann")
    with pytest.raises(ReviewflowError, match="not an arbiter"):
        settle(store, SETTINGS, record_id=1, stage=TA, decision="include",
                         resolver=ann_row, method="arbiter")
    with pytest.raises(ReviewflowError, match="has no conflict"):
        settle(store, SETTINGS, record_id=2, stage=TA, decision="exclude",
                         resolver=ann_row)
    status = settle(store, SETTINGS, record_id=1, stage=TA, decision="exclude",
                              resolver=ann_row, method="consensus", note="agreed on call")
    assert status.outcome == "exclude" and status.resolution.method == "consensus"
    with store.session() as s:
        assert list_conflicts(s, TA) == []
        [c] = list_conflicts(s, TA, include_resolved=True)
        assert c.resolved and c.status.resolution.note == "agreed on call"


def test_blinding_hides_other_decision_until_both_decided(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    carol = viewer(store, "carol", "arbiter")
    decide(store, ann, 1, TA, "exclude", note="mouse study")
    with store.session() as s:
        card = record_card(s, 1, TA, bob)
        assert card.others == () and card.mine is None and card.blinded
        assert "exclude" not in repr(card) and "mouse study" not in repr(card)
        assert record_card(s, 1, TA, carol).others[0].decision == "exclude"
        unblinded = viewer(store, "bob", blind=False)
        assert record_card(s, 1, TA, unblinded).others[0].note == "mouse study"
    decide(store, bob, 1, TA, "include")
    with store.session() as s:
        card = record_card(s, 1, TA, bob)
        assert card.mine.decision == "include"
        assert [v.decision for v in card.others] == ["exclude"]
        assert card.databases == ("Embase", "PubMed")


def test_dashboard_counts_do_not_reveal_other_decisions(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    carol = viewer(store, "carol", "arbiter")
    decide(store, ann, 1, TA, "include")
    decide(store, ann, 2, TA, "exclude")
    decide(store, bob, 2, TA, "include")
    with store.session() as s:
        ta = dashboard(s, bob).stages[0]
        by_name = {r.name: r for r in ta.reviewers}
        assert by_name["ann"].decided == 2 and by_name["ann"].breakdown is None
        assert by_name["bob"].breakdown == {"include": 1}
        assert ta.left_for_viewer == 7 and ta.conflicts_waiting == 1
        assert {r.name: r.breakdown for r in dashboard(s, carol).stages[0].reviewers}["ann"] \
            == {"include": 1, "exclude": 1}
        [agr] = ta.agreement
        assert agr.n == 1 and agr.percent == 0.0
    # bob decides record 1 too: every record ann decided is his now, her counts show
    decide(store, bob, 1, TA, "exclude")
    with store.session() as s:
        by_name = {r.name: r for r in dashboard(s, bob).stages[0].reviewers}
        assert by_name["ann"].breakdown == {"include": 1, "exclude": 1}
        assert {r.name: r.breakdown for r in dashboard(s, ann).stages[0].reviewers}["bob"] \
            == {"include": 1, "exclude": 1}
    decide(store, bob, 3, TA, "exclude")  # one ann has not decided: hidden from her again
    with store.session() as s:
        assert {r.name: r.breakdown for r in dashboard(s, ann).stages[0].reviewers}["bob"] \
            is None


def test_queue_decide_undo_and_navigation(store) -> None:
    ann = viewer(store, "ann")
    decide(store, ann, 1, TA, "include")
    q = ScreeningQueue(store, ann, TA, SETTINGS, order=lambda ids: sorted(ids, reverse=True))
    assert q.ids[0] == 1 and q.ids[1:] == [8, 7, 6, 5, 4, 3, 2]  # pluggable order
    assert q.current_id == 8 and q.left == 7
    q.decide("exclude", note="n1")
    assert q.current_id == 7 and q.left == 6
    q.decide("maybe")
    assert q.undo() == 7 and q.current_id == 7
    q.undo()
    assert q.current_id == 8 and q.left == 7
    with store.session() as s:
        assert record_votes(s, 8, TA).votes == ()
    q.move(-1)
    assert q.current_id == 1
    assert q.search("lupus") in (7, 2)
    assert "lupus" in q.card().title.lower()


def test_dedup_review_merge_distinct_undo(store) -> None:
    from reviewflow.screening.dedup_review import (
        decide_pair,
        pair_view,
        undo_pair,
        waiting_pair_ids,
    )
    from reviewflow.store.dedup_state import active_record_ids

    p1, p2 = add_pair(store, 1, 6, 0.95), add_pair(store, 2, 7, 0.8)
    ann = viewer(store, "ann")
    with store.session() as s:
        assert waiting_pair_ids(s) == [p1, p2]
        assert "title" in pair_view(s, p1).differing and "journal" not in pair_view(s, p1).differing
        marker = change_marker(s)
    with store.write() as s:  # two keypresses: two transactions
        decide_pair(p1, "merge", ann.reviewer_id, session=s)
    with store.write() as s:
        decide_pair(p2, "distinct", ann.reviewer_id, session=s)
    with store.session() as s:
        assert waiting_pair_ids(s) == [] and 6 not in active_record_ids(s)
        assert change_marker(s) != marker
    with store.write() as s:
        assert undo_pair(p1, ann.reviewer_id, session=s) == "merge"
    with store.write() as s:
        assert undo_pair(p2, ann.reviewer_id, session=s) == "distinct"
    with store.session() as s:
        assert waiting_pair_ids(s) == [p1, p2] and 6 in active_record_ids(s)


def test_queue_and_progression_on_both_backends(db_url: str) -> None:
    """The same rules on SQLite and PostgreSQL (the raw id read included)."""
    from reviewflow.store.db import Store
    from tests.screening.support import fill

    store = fill(Store.create(db_url, title="t"), 4)
    try:
        ann, bob = viewer(store, "ann"), viewer(store, "bob")
        with store.write() as s:
            s.add(models.DedupDecision(kept_record_id=1, merged_record_id=4, action="merge",
                                       method="auto"))
        q = ScreeningQueue(store, ann, TA, SETTINGS)
        assert q.ids == [1, 2, 3]
        q.decide("include")
        decide(store, bob, 1, TA, "maybe")
        with store.session() as s:
            assert eligible_ids(s, FT) == [1]
            assert stage_statuses(s, TA)[1].outcome == "hold"
    finally:
        store.dispose()


def test_queue_takes_in_records_other_terminals_moved_on(store) -> None:
    """Full text fills while a reviewer works: the queue learns without being rebuilt."""
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for rid in (1, 2, 3):
        decide(store, ann, rid, TA, "include")
        decide(store, bob, rid, TA, "include")
    q = ScreeningQueue(store, ann, FT, SETTINGS)
    assert q.ids == [1, 2, 3]
    q.decide("exclude", reason="wrong population")  # record 1 decided, cursor on 2
    assert q.sync_eligible(q.eligible_now()) == (0, 0)  # nothing changed: nothing moves
    # Elsewhere: records 5 and 4 reach full text; the arbiter overrules the agreement
    # on record 3 (the screeners' votes are locked), so 3 leaves full text.
    for rid in (5, 4):
        decide(store, ann, rid, TA, "include")
        decide(store, bob, rid, TA, "include")
    carol = add_reviewer(store, "carol", "arbiter")
    settle(store, SETTINGS, record_id=3, stage=TA, decision="exclude",
                     resolver=carol, method="arbiter")
    assert q.sync_eligible(q.eligible_now()) == (2, 1)
    assert q.ids == [1, 2, 4, 5] and q.current_id == 2  # the record on screen never jumps
    assert q.left == 3
    # A record on screen or already decided stays even when it leaves the stage.
    settle(store, SETTINGS, record_id=2, stage=TA, decision="exclude",
                     resolver=carol, method="arbiter")
    settle(store, SETTINGS, record_id=1, stage=TA, decision="exclude",
                     resolver=carol, method="arbiter")
    assert q.sync_eligible(q.eligible_now()) == (0, 0)
    assert q.ids == [1, 2, 4, 5] and q.current_id == 2


def test_related_records_follow_merges_and_reach_the_card(store) -> None:
    """A correction notice or a trial's registration shows beside the record screened."""
    from reviewflow.store.dedup_state import related_index

    with store.write() as s:
        for a, b, why in ((1, 2, "erratum notice vs article"),
                          (3, 5, "trial registration vs a report citing it"),
                          (4, 6, "conference abstract vs full paper")):
            s.add(models.DedupPair(record_a_id=a, record_b_id=b, score=0.9, outcome="related",
                                   reason=why))
        # 4 is merged into 3 and 6 into 5: their related pair is carried to the survivors
        # (and the 3-5 pair, now also 4-6, is listed once); 5 into 3 would make it internal
        s.add(models.DedupDecision(kept_record_id=3, merged_record_id=4, action="merge",
                                   method="auto"))
        s.add(models.DedupDecision(kept_record_id=5, merged_record_id=6, action="merge",
                                   method="auto"))
    with store.session() as s:
        index = related_index(s)
    assert index[1] == ((2, "erratum notice vs article"),)
    assert index[2] == ((1, "erratum notice vs article"),)
    assert index[3] == ((5, "trial registration vs a report citing it"),)
    assert 4 not in index and 6 not in index
    ann = viewer(store, "ann")
    q = ScreeningQueue(store, ann, TA, SETTINGS)
    assert q.card().related == ((2, "erratum notice vs article"),)
    with store.session() as s:  # the one-off path (conflicts screen) reads the same
        assert record_card(s, 3, TA, ann).related == index[3]
    with store.write() as s:  # merged into one group: no longer "related" to itself
        s.add(models.DedupDecision(kept_record_id=3, merged_record_id=5, action="merge",
                                   method="manual"))
    with store.session() as s:
        assert 3 not in related_index(s)


def test_status_shows_a_colleagues_counts_once_you_decided_all_they_did(tmp_path) -> None:
    """`reviewflow status --as ann` follows the dashboard's rule (one method on the stage)."""
    import json

    from typer.testing import CliRunner

    from reviewflow.cli.main import app
    from reviewflow.store.db import Store
    from reviewflow.store.location import load_config
    from tests.screening.support import make_review

    folder = make_review(tmp_path / "r", 3)
    store = Store.open(load_config(folder).database_url())
    try:
        ann, bob = viewer(store, "ann"), viewer(store, "bob")
        for rid in (1, 2, 3):
            decide(store, ann, rid, TA, "include")
        decide(store, bob, 1, TA, "exclude")
        decide(store, bob, 2, TA, "exclude")

        def bob_as_ann_sees() -> dict:
            res = CliRunner().invoke(app, ["--review", str(folder), "status", "--json",
                                           "--as", "ann"])
            assert res.exit_code == 0, res.output
            stage = json.loads(res.output)["stages"][TA]
            assert "covered" not in stage  # the JSON keeps its shape
            return stage["reviewers"]["bob"]

        assert bob_as_ann_sees() == {"exclude": 2, "decided": 2}  # ann decided all bob did
        res = CliRunner().invoke(app, ["--review", str(folder), "status", "--json",
                                       "--as", "bob"])
        assert json.loads(res.output)["stages"][TA]["reviewers"]["ann"] == {"decided": 3}
    finally:
        store.dispose()


def test_a_new_reviewer_is_written_in_the_callers_transaction_only(tmp_path) -> None:
    """Adding a name inside a larger action that then fails leaves no reviewer behind."""
    from sqlmodel import select

    from reviewflow.screening.decisions import ensure_reviewer
    from reviewflow.store import models

    store = make_store(tmp_path)
    with pytest.raises(KeyError), store.write() as session:
        assert ensure_reviewer(session=session, name="dora", role="arbiter").role == "arbiter"
        assert ensure_reviewer(session=session, name="dora").id is not None  # found again
        raise KeyError("later in the same action")
    with store.session() as s:
        assert s.exec(select(models.Reviewer).where(models.Reviewer.name == "dora")).all() == []
