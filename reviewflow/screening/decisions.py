"""Recording screening decisions: the one write path the TUI, ``decide`` and tests share.

The caller owns the transaction (one user action, one transaction: a keypress
in the TUI, one ``decide`` command, one decisions file). Decisions are
append-only: a change of mind is a new row, an undo is a ``retracted`` row.
``client_key`` (unique) makes a retried write idempotent: writing the same key
twice stores one row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.review_state import Person, ScreeningPolicy, load_people, record_status
from reviewflow.review_state.plan import StagePlan, load_plan
from reviewflow.review_state.votes import RETRACTED, ROLES
from reviewflow.screening.allocation import check_allocated
from reviewflow.screening.viewer import near_twin
from reviewflow.stages import FULL_TEXT, LABELS, STAGES
from reviewflow.store import models

DECISIONS = ("include", "exclude", "maybe", "not_retrieved", "retracted")


def get_or_create_reviewer(session: Session, name: str, role: str | None = None) -> models.Reviewer:
    """The reviewer called ``name``, created on first use (role defaults to reviewer)."""
    name = name.strip()
    if not name:
        raise ReviewflowError("reviewer name is empty")
    if role is not None and role not in ROLES:
        raise ReviewflowError(f"unknown role {role!r}; use reviewer or arbiter")
    reviewer = session.exec(select(models.Reviewer).where(models.Reviewer.name == name)).first()
    if reviewer is None:
        reviewer = models.Reviewer(name=name, role=role or "reviewer")
        session.add(reviewer)
        session.flush()
    elif role is not None and reviewer.role != role:
        reviewer.role = role
        session.add(reviewer)
    return reviewer


def find_reviewer_named(session: Session, name: str) -> tuple[models.Reviewer | None, str | None]:
    """(the reviewer called ``name``, else None; an existing name differing only in case).

    Names are matched exactly, so "Ann" and "ann" would be two reviewers whose
    decisions count as two people's; callers refuse such a near-twin instead.
    """
    name = name.strip()
    r = models.Reviewer
    exact = session.exec(select(r).where(r.name == name)).first()
    if exact is not None:
        return exact, None
    return None, near_twin(name, session.exec(select(r.name)).all())


def require_reviewer(session: Session, name: str) -> models.Reviewer:
    """The registered reviewer ``name``; a one-line error for any other name.

    Reviewers exist only through ``reviewflow reviewer add`` (or the TUI's
    confirmation): a mistyped name must never become a new person whose work
    counts (issue 16).
    """
    found, twin = find_reviewer_named(session, name)
    if found is None:
        hint = f" (there is {twin!r}: names are exact)" if twin else ""
        raise ReviewflowError(f"unknown reviewer {name.strip()!r}{hint}; add them with "
                              f"'reviewflow reviewer add {name.strip()}'")
    return found


def ensure_reviewer(*, session: Session, name: str, role: str | None = None
                    ) -> models.Reviewer:
    """Create or fetch a reviewer in the caller's transaction. The row goes in under a
    savepoint: when another writer created the same name first (the unique index refuses
    ours), that reviewer is read back instead of failing the whole action."""
    try:
        with session.begin_nested():
            return get_or_create_reviewer(session, name, role)
    except IntegrityError:
        return get_or_create_reviewer(session, name, role)


def validate_decision(stage: str, decision: str, reason: str | None) -> None:
    if stage not in STAGES:
        raise ReviewflowError(f"unknown stage {stage!r}")
    if decision not in DECISIONS:
        raise ReviewflowError(f"unknown decision {decision!r}; use include, exclude or maybe")
    if decision == "not_retrieved" and stage != FULL_TEXT:
        raise ReviewflowError("'not retrieved' applies to full-text reports only")
    if decision == "exclude" and stage == FULL_TEXT and not (reason and reason.strip()):
        raise ReviewflowError("a full-text exclusion needs a reason")


def locked_message(record_id: int, stage: str) -> str:
    return (f"record {record_id} is locked at {LABELS[stage].lower()}: your vote was revealed "
            "(another screener had decided too), so it can no longer change; a disagreement is "
            f"settled by resolution ('reviewflow conflicts', 'reviewflow resolve {record_id} "
            f"--stage {stage.replace('_', '-')} ...'; the arbiter may overrule an agreement)")


def check_vote(session: Session, *, record_id: int, stage: str, reviewer_id: int,
               decision: str, reason: str | None,
               people: Mapping[int, Person] | None = None,
               policy: ScreeningPolicy | None = None) -> bool:
    """Refuse a change to a revealed (locked) vote; False when the vote is already stored as is.

    Runs inside the write transaction, so two terminals cannot both slip a change in.
    """
    status = record_status(session, record_id, stage, people, policy)
    if reviewer_id not in status.locked:
        return True
    mine = next((v for v in status.votes if v.reviewer_id == reviewer_id), None)
    if mine is not None and mine.decision == decision and (mine.reason or None) == (reason or None):
        return False  # the same call again: nothing changes, nothing to store
    raise ReviewflowError(locked_message(record_id, stage))


def record_decision(
    *,
    session: Session,
    record_id: int,
    stage: str,
    reviewer_id: int,
    decision: str,
    reason: str | None = None,
    note: str | None = None,
    client_key: str | None = None,
    people: Mapping[int, Person] | None = None,
    policy: ScreeningPolicy | None = None,
    plan: StagePlan | None = None,
) -> models.ScreeningDecision:
    """Append one decision in the caller's transaction and return the stored row.

    A ``client_key`` already stored returns that row instead of adding one (a
    retried write stays one row). A change to a vote already revealed to another
    screener is refused (:func:`check_vote`), as is a vote on a record the
    screening plan gives to others (:func:`check_allocated`); ``people``/``policy``
    save the checks a query or two, ``plan`` (the stage's pilot and allocation, as
    the screening queue holds it) a read of the allocation.
    """
    validate_decision(stage, decision, reason)
    d = models.ScreeningDecision
    if client_key is not None:
        existing = session.exec(select(d).where(d.client_key == client_key)).first()
        if existing is not None:
            return existing
    if decision != RETRACTED:
        plan = plan or load_plan(session, stage)
        if plan.pilot is not None or plan.allocated:
            names = {p.id: p.name for p in (people or load_people(session)).values()}
            check_allocated(plan, record_id=record_id, reviewer_id=reviewer_id, names=names)
    row = d(record_id=record_id, stage=stage, reviewer_id=reviewer_id, decision=decision,
            reason=reason or None, note=note or None, client_key=client_key or uuid.uuid4().hex)
    if check_vote(session, record_id=record_id, stage=stage, reviewer_id=reviewer_id,
                  decision=decision, reason=reason or None, people=people, policy=policy):
        session.add(row)
        try:  # the foreign key checks the record (no extra query on every keypress)
            session.flush()
        except IntegrityError:  # the caller's transaction is rolled back with this error
            raise ReviewflowError(f"record {record_id} does not exist (or this decision was "
                                  "stored at the same moment by another writer)") from None
    return row


def retract_decision(*, session: Session, record_id: int, stage: str, reviewer_id: int,
                     people: Mapping[int, Person] | None = None,
                     policy: ScreeningPolicy | None = None) -> None:
    """Undo: append a ``retracted`` row so the reviewer has no current decision.

    Refused once the vote has been revealed (see :func:`check_vote`).
    """
    record_decision(session=session, record_id=record_id, stage=stage, reviewer_id=reviewer_id,
                    decision=RETRACTED, people=people, policy=policy)
