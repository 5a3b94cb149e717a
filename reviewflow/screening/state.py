"""Where each record stands at a stage: thin accessors over the one read model.

Everything here reads :mod:`reviewflow.review_state` (which replays the
append-only decision rows once); nothing is derived in this module. It keeps the
names the screening screens and commands grew up with.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from reviewflow.review_state import (
    ARBITER,
    CONFLICT,
    HOLD,
    MOVES_ON,
    PENDING,
    RecordStatus,
    Resolution,
    Vote,
    category,
    load_people,
    load_review_state,
    record_status,
    votes_disagree,
)
from reviewflow.review_state.policy import DEFAULT_REQUIRED
from reviewflow.review_state.votes import Person, judge

REQUIRED_REVIEWERS = DEFAULT_REQUIRED

__all__ = [
    "ARBITER", "CONFLICT", "HOLD", "MOVES_ON", "PENDING", "REQUIRED_REVIEWERS", "RecordStatus",
    "Resolution", "Vote", "category", "eligible_ids", "judge", "my_decisions", "record_votes",
    "reviewer_names", "stage_statuses", "votes_disagree",
]


def reviewer_names(session: Session) -> dict[int, Person]:
    """Reviewer id -> :class:`~reviewflow.review_state.Person`."""
    return load_people(session)


def stage_statuses(session: Session, stage: str,
                   record_ids: Iterable[int] | None = None) -> dict[int, RecordStatus]:
    """Status of every eligible record at ``stage`` (or of the ids given, if eligible)."""
    st = load_review_state(session).stage(stage)
    ids = st.eligible if record_ids is None else record_ids
    return {i: st.status(i) for i in ids}


def eligible_ids(session: Session, stage: str) -> list[int]:
    """Records to screen at ``stage``: active after dedup and, later, moved on."""
    return list(load_review_state(session).stage(stage).eligible)


def my_decisions(session: Session, stage: str, reviewer_id: int) -> dict[int, str]:
    """One reviewer's current decision per eligible record at ``stage``."""
    return load_review_state(session).stage(stage).decisions_of(reviewer_id)


def record_votes(session: Session, record_id: int, stage: str,
                 people: dict[int, Person] | None = None) -> RecordStatus:
    """The status of one record, read with indexed queries only (one keypress' worth)."""
    return record_status(session, record_id, stage, people)
