"""GRADE judgements in the store: append-only, latest wins, retractable, audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.grade.domains import Certainty, Domain, Judgement
from reviewflow.grade.judgements import current, history, record, retract
from reviewflow.store import models
from reviewflow.store.db import Store
from tests.screening.support import add_reviewer


def test_latest_judgement_wins_and_history_keeps_everything(store: Store) -> None:
    alice = int(add_reviewer(store, "alice").id or 0)
    bob = int(add_reviewer(store, "bob").id or 0)
    with store.write() as s:
        record(session=s, outcome="vas", domain=Domain.RISK_OF_BIAS, judgement=Judgement.SERIOUS,
               reason="most weight unblinded", reviewer_id=alice)
        record(session=s, outcome="vas", domain=Domain.IMPRECISION,
               judgement=Judgement.VERY_SERIOUS, reason="CI crosses both", reviewer_id=alice)
    with store.write() as s:
        record(session=s, outcome="vas", domain=Domain.IMPRECISION, judgement=Judgement.SERIOUS,
               reason="CI crosses one threshold", reviewer_id=bob)
    with store.session() as s:
        grade = current(session=s)["vas"]
        assert grade.judgements == {Domain.RISK_OF_BIAS: Judgement.SERIOUS,
                                    Domain.IMPRECISION: Judgement.SERIOUS}
        assert grade.certainty is Certainty.LOW
        assert grade.rated[Domain.IMPRECISION].reviewer == "bob"
        assert [h.reviewer for h in history(session=s, outcome="vas")] == ["alice", "alice", "bob"]
    with store.write() as s:
        retract(session=s, outcome="vas", domain=Domain.IMPRECISION, reviewer_id=bob)
    with store.session() as s:
        assert current(session=s)["vas"].certainty is Certainty.MODERATE
        assert len(s.exec(select(models.GradeJudgement)).all()) == 4  # nothing deleted


def test_a_downgrade_needs_its_reason_and_nothing_is_written(store: Store) -> None:
    rid = int(add_reviewer(store, "alice").id or 0)
    with pytest.raises(ReviewflowError, match="give the reason"), store.write() as s:
        record(session=s, outcome="vas", domain=Domain.INCONSISTENCY,
               judgement=Judgement.SERIOUS, reason="  ", reviewer_id=rid)
    with pytest.raises(ReviewflowError, match="not a judgement of this domain"), \
            store.write() as s:
        record(session=s, outcome="vas", domain=Domain.LARGE_EFFECT,
               judgement=Judgement.SERIOUS, reason="x", reviewer_id=rid)
    with pytest.raises(ReviewflowError, match="no imprecision judgement"), store.write() as s:
        retract(session=s, outcome="vas", domain=Domain.IMPRECISION, reviewer_id=rid)
    with store.session() as s:
        assert s.exec(select(models.GradeJudgement)).all() == []
