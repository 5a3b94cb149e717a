"""The one read model (issue 16): independent votes, locks, late screeners, same counts everywhere.

Each test follows one of the issue's scenarios, on a real store (SQLite, and
PostgreSQL in the store re-run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.prisma.derive import prisma_counts
from reviewflow.review_state import load_review_state
from reviewflow.review_state.policy import change_policy
from reviewflow.review_state.summary import status_summary
from reviewflow.review_state.votes import Person, replay
from reviewflow.screening.conflicts import list_conflicts
from reviewflow.screening.progress import dashboard
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import (
    add_pair,
    add_reviewer,
    decide,
    make_review,
    make_store,
    retract,
    settle,
    viewer,
)

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

TA, FT = TITLE_ABSTRACT, FULL_TEXT
PEOPLE = {1: Person(1, "ann", "reviewer"), 2: Person(2, "bob", "reviewer"),
          3: Person(3, "cy", "reviewer"), 9: Person(9, "carol", "arbiter")}
runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 10)
    yield s
    s.dispose()


# -- the replay rules, on rows ---------------------------------------------------------

def test_independent_vote_is_the_last_before_the_reveal() -> None:
    rows = [(1, 1, "include", None, None), (2, 1, "retracted", None, None),
            (3, 1, "exclude", None, None),  # ann changes her mind while alone: fine
            (4, 2, "include", None, None),  # bob's vote: the reveal
            (5, 1, "include", None, None)]  # a post-reveal change (an old store)
    st = replay(7, TA, rows, PEOPLE, None)
    assert [(v.reviewer, v.decision) for v in st.independent] == [("ann", "exclude"),
                                                                  ("bob", "include")]
    assert [(v.reviewer, v.decision) for v in st.votes] == [("ann", "include"), ("bob", "include")]
    assert st.outcome == "conflict" and st.disagreement and st.revised == frozenset({1})
    assert st.locked == frozenset({1, 2})


def test_votes_beyond_the_required_never_flip_the_outcome() -> None:
    rows = [(1, 1, "include", None, None), (2, 2, "include", None, None),
            (3, 3, "exclude", None, None)]  # cy, a late third screener
    st = replay(7, TA, rows, PEOPLE, None)
    assert st.outcome == "include" and not st.disagreement
    assert [v.reviewer for v in st.extra] == ["cy"]
    assert replay(7, TA, rows, PEOPLE, None, required=3).outcome == "conflict"


def test_single_screening_settles_on_one_vote_and_arbiter_rows_are_not_votes() -> None:
    rows = [(1, 9, "exclude", None, None), (2, 1, "include", None, None)]
    st = replay(7, TA, rows, PEOPLE, None, required=1)
    assert st.outcome == "include" and st.locked == frozenset()  # nobody else saw it yet
    assert replay(7, TA, rows, PEOPLE, None).outcome == "pending"


# -- scenario 1: blinding cannot be undone ---------------------------------------------

def test_a_revealed_vote_is_locked_and_the_conflict_stays(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, bob, 4, TA, "exclude")
    decide(store, ann, 4, TA, "include")  # both in: revealed
    with pytest.raises(ReviewflowError, match="locked.*resolve 4"):
        retract(store, record_id=4, stage=TA, reviewer_id=ann.reviewer_id)
    with pytest.raises(ReviewflowError, match="locked"):
        decide(store, ann, 4, TA, "exclude")
    decide(store, ann, 4, TA, "include")  # the same call again changes nothing: allowed
    with store.session() as s:
        assert [c.status.record_id for c in list_conflicts(s, TA)] == [4]
        state = load_review_state(s)
    assert state.stage(TA).status(4).outcome == "conflict"
    with store.session() as s:
        n = s.exec(models.ScreeningDecision.__table__.select()).all()
    assert len(n) == 2  # neither the refused changes nor the repeat were stored


def _cli(review: Path, *args: str):
    return runner.invoke(app, ["--review", str(review), *args])


def _decide_file(review: Path, tmp: Path, who: str, rows: dict[int, str]):
    f = tmp / f"{who}-{len(list(tmp.iterdir()))}.csv"
    f.write_text("record_id,decision\n" + "".join(f"{k},{v}\n" for k, v in rows.items()),
                 encoding="utf-8")
    return _cli(review, "decide", "--reviewer", who, "--stage", "ta", "--from", str(f))


def test_ten_record_kappa_cannot_be_raised_by_redeciding(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 10, screeners=("ann", "bob", "carol"))
    assert _cli(review, "reviewer", "add", "carol", "--role", "arbiter").exit_code == 0
    ann = {i: "include" if i <= 5 else "exclude" for i in range(1, 11)}
    bob = {**ann, 5: "exclude", 6: "include"}  # they disagree on two
    files = tmp_path / "files"
    files.mkdir()
    assert _decide_file(review, files, "ann", ann).exit_code == 0
    assert _decide_file(review, files, "bob", bob).exit_code == 0
    [k] = json.loads(_cli(review, "kappa", "--json").output)
    assert k["records"] == 10 and k["kappa"] == pytest.approx(0.6)
    res = _decide_file(review, files, "ann", {5: "exclude", 6: "include"})
    assert res.exit_code == 1 and "record 5 is locked" in str(res.exception)
    [k] = json.loads(_cli(review, "kappa", "--json").output)
    assert k["kappa"] == pytest.approx(0.6) and k["kappa_resolved"] == pytest.approx(0.6)
    conflicts = json.loads(_cli(review, "conflicts", "--json", "--as", "carol").output)
    assert [c["record_id"] for c in conflicts] == [5, 6]
    for rid in (5, 6):
        res = _cli(review, "resolve", str(rid), "--stage", "ta", "--decision", "exclude",
                   "--by", "carol", "--method", "arbiter")
        assert res.exit_code == 0, res.output
    [k] = json.loads(_cli(review, "kappa", "--json").output)
    assert k["kappa"] == pytest.approx(0.6)  # the independent figure never moves
    # after resolution: 5 and 6 agreed on exclude -> 4 include, 6 exclude for both
    assert k["kappa_resolved"] == pytest.approx(1.0)
    assert json.loads(_cli(review, "conflicts", "--json", "--as", "carol").output) == []


# -- scenario 2: a late third screener reopens nothing ------------------------------------

def test_late_third_screener_cannot_take_records_out_of_full_text(store) -> None:
    ann, bob, cy = viewer(store, "ann"), viewer(store, "bob"), viewer(store, "cy")
    for rid in (1, 2, 3):
        decide(store, ann, rid, TA, "include")
        decide(store, bob, rid, TA, "include")
    with store.session() as s:
        assert prisma_counts(s).sought == 3
    for rid in (1, 2, 3):
        decide(store, cy, rid, TA, "exclude")
    with store.session() as s:
        counts = prisma_counts(s)
        state = load_review_state(s)
        conflicts = list_conflicts(s, TA)
    assert counts.sought == 3 and state.stage(FT).eligible == (1, 2, 3)
    assert conflicts == []
    [ann_bob, *others] = state.stage(TA).agreement()  # cy's votes still count for agreement
    assert (ann_bob.reviewer_a, ann_bob.reviewer_b, ann_bob.percent) == ("ann", "bob", 100.0)
    assert {(a.reviewer_a, a.reviewer_b, a.percent) for a in others} == {
        ("ann", "cy", 0.0), ("bob", "cy", 0.0)}


def test_policy_of_three_screeners_waits_for_the_third(store) -> None:
    ann, bob, cy = viewer(store, "ann"), viewer(store, "bob"), viewer(store, "cy")
    carol = add_reviewer(store, "carol", "arbiter")
    with store.write() as s:
        change_policy(session=s, changed_by=carol, required={TA: 3})
    decide(store, ann, 1, TA, "include")
    decide(store, bob, 1, TA, "include")
    with store.session() as s:
        assert load_review_state(s).stage(TA).status(1).outcome == "pending"
    decide(store, cy, 1, TA, "exclude")
    with store.session() as s:
        assert load_review_state(s).stage(TA).status(1).outcome == "conflict"


# -- scenario 5: every view gives the same counts ----------------------------------------

def test_status_dashboard_and_prisma_agree_after_exclusions_and_a_merge(store) -> None:
    ann = viewer(store, "ann")
    for rid in (1, 2, 3, 4):
        decide(store, ann, rid, TA, "exclude")
    with store.write() as s:  # record 4 turns out to be a duplicate of record 5
        s.add(models.DedupDecision(kept_record_id=5, merged_record_id=4, action="merge",
                                   method="manual", score=1.0))
    with store.session() as s:
        summary = status_summary(s)
        board = dashboard(s, ann)
        counts = prisma_counts(s)
    assert summary["stages"][TA]["reviewers"]["ann"]["decided"] == 3
    [ta_board] = [st for st in board.stages if st.stage == TA]
    assert {r.name: r.decided for r in ta_board.reviewers} == {"ann": 3}
    assert counts.screened == 9 == ta_board.eligible == summary["stages"][TA]["eligible"]


# -- scenario 6: who may settle what ------------------------------------------------------

def test_only_the_records_screeners_settle_by_consensus_and_refusals_reveal_nothing(
        store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    cy = add_reviewer(store, "cy")
    decide(store, ann, 2, TA, "include")
    decide(store, bob, 2, TA, "exclude")
    settings = ScreeningSettings()
    with pytest.raises(ReviewflowError) as err:
        settle(store, settings, record_id=2, stage=TA, decision="include",
                         resolver=cy, method="consensus")
    assert "did not screen record 2" in str(err.value)
    assert "include" not in str(err.value) and "exclude" not in str(err.value)
    with pytest.raises(ReviewflowError, match="not an arbiter"):
        settle(store, settings, record_id=2, stage=TA, decision="include",
                         resolver=cy, method="arbiter")
    decide(store, ann, 3, TA, "include")
    decide(store, bob, 3, TA, "include")
    with pytest.raises(ReviewflowError) as err:  # no conflict: says so without the outcome
        settle(store, settings, record_id=3, stage=TA, decision="exclude",
                         resolver=add_reviewer(store, "ann"), method="consensus")
    assert "no conflict" in str(err.value) and "include" not in str(err.value)
    status = settle(store, settings, record_id=2, stage=TA, decision="include",
                              resolver=add_reviewer(store, "bob"), method="consensus")
    assert status.outcome == "include" and status.resolution.resolved_by == "bob"


def test_unknown_names_are_refused_with_one_line(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 3)
    f = tmp_path / "x.csv"
    f.write_text("record_id,decision\n1,include\n", encoding="utf-8")
    res = _cli(review, "decide", "--reviewer", "anne", "--stage", "ta", "--from", str(f))
    assert res.exit_code == 1 and "unknown reviewer 'anne'" in str(res.exception)
    res = _cli(review, "decide", "--reviewer", "Ann", "--stage", "ta", "--from", str(f))
    assert res.exit_code == 1 and "there is 'ann'" in str(res.exception)
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        assert sorted(p.name for p in load_review_state(s).people.values()) == ["ann", "bob"]


# -- scenario 3: merges keep decisions --------------------------------------------------

def test_merge_keeps_the_included_report_and_distinct_really_splits(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 4)
    with Store.open(load_config(review).database_url()) as store:
        ann, bob = viewer(store, "ann"), viewer(store, "bob")
        for who in (ann, bob):
            decide(store, who, 1, TA, "exclude")
            decide(store, who, 2, TA, "include")
        for who in (ann, bob):
            decide(store, who, 2, FT, "include")
        pair = add_pair(store, 1, 2)
        with store.session() as s:
            assert prisma_counts(s).included_reports == 1
    res = _cli(review, "dedup", "--resolve", str(pair), "duplicate")
    assert res.exit_code == 0, res.output
    assert "record 1 merged into record 2" in res.output
    assert "record 1: excluded at title/abstract; record 2: included at full text" in res.output
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        counts, state = prisma_counts(s), load_review_state(s)
    assert counts.included_reports == 1 and state.included_reports == (2,)
    assert counts.removed_duplicates_manual == 1
    res = _cli(review, "dedup", "--resolve", str(pair), "distinct")
    assert res.exit_code == 0 and "kept apart" in res.output
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        state = load_review_state(s)
    assert 1 in state.active and 2 in state.active and state.merges.kept_of == {}


def test_automatic_merge_never_drops_a_decided_record(store) -> None:
    from reviewflow.dedup.result import DedupResult, DuplicateGroup, ScoredPair
    from reviewflow.records import Record
    from reviewflow.store.dedup_store import _store_merges
    from reviewflow.store.writer import session_writer

    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    for who in (ann, bob):
        decide(store, who, 2, TA, "include")
    # the engine keeps record 1 (index 0); record 2 carries the decisions, so it survives
    group = DuplicateGroup([0, 1], 0, [ScoredPair(0, 1, 1.0, "same DOI")], Record())
    result = DedupResult(2, [group])
    with store.write() as s:
        assert _store_merges(session_writer(s), {}, [1, 2], result, {2}) == 1
        # a second run writes nothing
        assert _store_merges(session_writer(s), {}, [1, 2], result, {2}) == 0
    with store.session() as s:
        state = load_review_state(s)
    assert state.merges.kept_of == {1: 2} and state.stage(FT).eligible == (2,)
