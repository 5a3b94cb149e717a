"""Prioritised screening over the store: blinding through the store, seeds, stopping."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.review_state import load_review_state
from reviewflow.screening.prioritise import (
    Prioritiser,
    relevance_in_order,
    stage_estimate,
    training_data,
)
from reviewflow.screening.seeds import known_relevant
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import TITLE_ABSTRACT as TA
from tests.screening.support import add_reviewer, decide, make_store, mark_seeds, settle, viewer

RA_TRIALS = (1, 6, 11, 16)  # support.TITLES cycles every 5: these share the RA trial title
COST = (5, 10, 15, 20)  # "Cost of biologic therapy in Crohn disease"


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 20)
    yield s
    s.dispose()


def test_other_reviewers_open_decisions_never_change_the_ranking(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, bob, 1, TA, "include")
    decide(store, bob, 5, TA, "exclude")
    before = Prioritiser(store, bob, TA).refresh()
    assert before.active and before.order is not None
    # Ann decides the opposite of everything bob would, on many records: all open.
    for rid in range(2, 21):
        decide(store, ann, rid, TA, "include" if rid in COST else "exclude")
    decide(store, ann, 1, TA, "exclude")
    after = Prioritiser(store, bob, TA).refresh()
    assert after.order == before.order
    assert after.n_labels == before.n_labels == 2
    # ... while ann's own ranking does learn from her decisions (the test can fail).
    ann_order = Prioritiser(store, ann, TA).refresh().order
    assert ann_order is not None and ann_order != before.order


def test_resolved_conflicts_do_train_both_reviewers(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    decide(store, bob, 1, TA, "include")
    decide(store, bob, 5, TA, "exclude")
    decide(store, ann, 2, TA, "include")
    decide(store, bob, 2, TA, "exclude")
    with store.session() as s:
        assert training_data(s, store, bob, TA).labels == {1: 1, 5: 0, 2: 0}
    arb = add_reviewer(store, "arb", "arbiter")
    settle(store, ScreeningSettings(), record_id=2, stage=TA, decision="include",
                     resolver=arb, method="arbiter")
    with store.session() as s:
        assert training_data(s, store, bob, TA).labels == {1: 1, 5: 0, 2: 1}


def test_seeds_count_as_relevant_examples(store) -> None:
    bob = viewer(store, "bob")
    assert not Prioritiser(store, bob, TA).refresh().active  # nothing to learn from yet
    assert mark_seeds(store, [1]) == {1}
    assert known_relevant(store) == {1}
    seeded = Prioritiser(store, bob, TA).refresh()
    assert seeded.active and seeded.order is not None
    top = seeded.order[:4]
    assert set(top) == set(RA_TRIALS), top  # records like the seed come first
    with pytest.raises(ReviewflowError):
        mark_seeds(store, [999])
    assert mark_seeds(store, [1], remove=True) == set()
    assert not Prioritiser(store, bob, TA).refresh().active


def test_an_include_alone_is_not_enough_to_rank(store) -> None:
    bob = viewer(store, "bob")
    decide(store, bob, 1, TA, "include")
    assert not Prioritiser(store, bob, TA).refresh().active
    decide(store, bob, 2, TA, "exclude")
    assert Prioritiser(store, bob, TA).refresh().active


def test_stopping_estimate_follows_own_decisions_in_order(store) -> None:
    ann, bob = viewer(store, "ann"), viewer(store, "bob")
    with store.session() as s:
        assert stage_estimate(s, bob, TA, 20) is None
    for rid, d in ((3, "include"), (1, "maybe"), (2, "exclude"), (4, "exclude")):
        decide(store, bob, rid, TA, d)
    decide(store, bob, 4, TA, "retracted")
    decide(store, ann, 5, TA, "include")
    with store.session() as s:
        assert relevance_in_order(s, TA, bob.reviewer_id) == [1, 1, 0]
        est = stage_estimate(s, bob, TA, 20)
    assert est is not None and est.found == 2 and est.screened == 3
    assert est.label == "estimate" and not est.should_stop


def test_refit_cadence_counts_own_decisions_not_seeds(store) -> None:
    bob = viewer(store, "bob")
    mark_seeds(store, [1, 6, 11, 16])
    p = Prioritiser(store, bob, TA)
    assert not p.due(0, enough_hint=False)  # no model yet and nothing to learn from
    assert p.due(0, enough_hint=True)
    assert p.refresh().active
    assert not p.due(0, enough_hint=False)  # nothing new since the refit
    assert p.due(1, enough_hint=False)  # the first own decision after four seeds
    for rid in range(2, 20):
        decide(store, bob, rid, TA, "exclude")
    p.refresh()
    assert not p.due(18, enough_hint=True) and p.due(19, enough_hint=True)


def test_refit_cadence_every_decision_while_refits_are_fast() -> None:
    from reviewflow.screening.prioritise import FAST_REFIT_S, Priority, RefitCadence

    cadence = RefitCadence()
    cadence.last = Priority(True, 400, [], own=400, seconds=FAST_REFIT_S / 10)
    assert not cadence.due(400, enough_hint=True)  # nothing new since the refit
    assert cadence.due(401, enough_hint=True)  # fast: after every decision
    cadence.last = Priority(True, 400, [], own=400, seconds=FAST_REFIT_S * 4)
    assert not cadence.due(401, enough_hint=True)  # slow: wait for 5% more (20)
    assert not cadence.due(419, enough_hint=True) and cadence.due(421, enough_hint=True)


def test_refresh_records_how_long_the_refit_took(store) -> None:
    bob = viewer(store, "bob")
    mark_seeds(store, [1, 6])
    priority = Prioritiser(store, bob, TA).refresh()
    assert priority.active and 0 < priority.seconds < 60


def test_reorder_keeps_the_record_on_screen_and_every_id(store) -> None:
    from reviewflow.screening.queue import ScreeningQueue

    bob = viewer(store, "bob")
    q = ScreeningQueue(store, bob, TA, ScreeningSettings())
    q.decide("include")  # 1
    q.move(3)  # on 5, skipping 2-4
    q.decide("exclude")  # 5 decided; cursor wraps forward to 6
    q.move(-1)  # back on 5 (decided), 6.. ahead
    on_screen = q.current_id
    q.reorder_remaining(list(range(20, 0, -1)))
    assert q.current_id == on_screen == 5
    assert q.ids[: q.pos + 1] == [1, 2, 3, 4, 5]
    assert q.ids[q.pos + 1 :] == list(range(20, 5, -1))
    assert sorted(q.ids) == list(range(1, 21))
    q.reorder_remaining([7])  # ids the ranking does not know keep their relative place
    assert q.ids[q.pos + 1 :] == [7, *[i for i in range(20, 5, -1) if i != 7]]


def test_a_third_screener_does_not_learn_resolutions_of_records_they_have_not_decided(
        store) -> None:
    ann, bob, cat = viewer(store, "ann"), viewer(store, "bob"), viewer(store, "cat")
    decide(store, ann, 3, TA, "include")
    decide(store, bob, 3, TA, "exclude")
    settle(store, ScreeningSettings(), record_id=3, stage=TA, decision="include",
                     resolver=add_reviewer(store, "arb", "arbiter"), method="arbiter")
    with store.session() as s:
        assert training_data(s, store, cat, TA).labels == {}
        assert training_data(s, store, bob, TA).labels == {3: 1}
    decide(store, cat, 3, TA, "exclude")
    with store.session() as s:
        assert training_data(s, store, cat, TA).labels == {3: 1}  # the team's decision wins


def test_stopping_estimate_reads_the_review_state_so_merged_records_drop_out(store) -> None:
    """The estimate's own decisions are the read model's (as status and the dashboard
    count them): a record merged away by dedup no longer counts."""
    from reviewflow.store.dedup_store import resolve
    from tests.screening.support import add_pair

    bob = viewer(store, "bob")
    for rid, d in ((1, "include"), (2, "exclude"), (3, "include")):
        decide(store, bob, rid, TA, d)
    pair = add_pair(store, 2, 4)  # record 2 is a duplicate of 4; 4 survives
    with store.write() as s:
        resolve(pair, "duplicate", keep=4, session=s)
    with store.session() as s:
        assert relevance_in_order(s, TA, bob.reviewer_id) == [1, 1]
        assert len(load_review_state(s).stage(TA).decisions_of(bob.reviewer_id)) == 2
