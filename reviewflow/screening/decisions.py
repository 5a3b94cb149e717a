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
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.load import read_people, read_record_status
from reviewflow.review_state.plan import StagePlan, read_plan
from reviewflow.review_state.policy import ScreeningPolicy
from reviewflow.review_state.votes import RETRACTED, ROLES, Person
from reviewflow.screening.allocation import check_allocated
from reviewflow.screening.viewer import near_twin
from reviewflow.stages import FULL_TEXT, LABELS, STAGES
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the ORM wrappers below import it when called; the seam never does
    from sqlmodel import Session

    from reviewflow.store import models

DECISIONS = ("include", "exclude", "maybe", "not_retrieved", "retracted")


def person_named(reader: Reader, name: str) -> tuple[Person | None, str | None]:
    """(the reviewer called ``name``, else None; an existing name differing only in case).

    Names are matched exactly, so "Ann" and "ann" would be two reviewers whose
    decisions count as two people's; callers refuse such a near-twin instead.
    """
    name = name.strip()
    found = reader.rows("SELECT id, name, role FROM reviewer WHERE name = ?", (name,))
    if found:
        return Person(*found[0]), None
    return None, near_twin(name, (n for (n,) in reader.rows("SELECT name FROM reviewer")))


def unknown_reviewer_message(name: str, twin: str | None) -> str:
    hint = f" (there is {twin!r}: names are exact)" if twin else ""
    return (f"unknown reviewer {name.strip()!r}{hint}; add them with "
            f"'reviewflow reviewer add {name.strip()}'")


def require_person(reader: Reader, name: str) -> Person:
    """The registered reviewer ``name``; a one-line error for any other name.

    Reviewers exist only through ``reviewflow reviewer add`` (or the TUI's
    confirmation): a mistyped name must never become a new person whose work
    counts (issue 16).
    """
    found, twin = person_named(reader, name)
    if found is None:
        raise ReviewflowError(unknown_reviewer_message(name, twin))
    return found


def add_reviewer(*, writer: Writer, name: str, role: str | None = None) -> Person:
    """Create or fetch a reviewer (role defaults to reviewer; a given role is set) in the
    caller's transaction. When another writer created the same name first, the unique
    index makes the insert a no-op and that reviewer is read back, not an error."""
    name = name.strip()
    if not name:
        raise ReviewflowError("reviewer name is empty")
    if role is not None and role not in ROLES:
        raise ReviewflowError(f"unknown role {role!r}; use reviewer or arbiter")
    found, _ = person_named(writer.reader, name)
    if found is None:
        new = writer.insert_new("reviewer", "name", name=name, role=role or "reviewer")
        if new is not None:
            return Person(new, name, role or "reviewer")
        found, _ = person_named(writer.reader, name)  # another writer's, made just now
        assert found is not None
    if role is not None and found.role != role:
        writer.execute("UPDATE reviewer SET role = ? WHERE id = ?", (role, found.id))
        found = Person(found.id, found.name, role)
    return found


def _orm_reviewer(session: Session, person: Person) -> models.Reviewer:
    from reviewflow.store import models

    row = session.get(models.Reviewer, person.id, populate_existing=True)
    assert row is not None
    return row


def get_or_create_reviewer(session: Session, name: str, role: str | None = None) -> models.Reviewer:
    """:func:`add_reviewer` in a session, as its ORM row."""
    return ensure_reviewer(session=session, name=name, role=role)


def find_reviewer_named(session: Session, name: str) -> tuple[models.Reviewer | None, str | None]:
    """:func:`person_named` in a session, as its ORM row."""
    person, twin = person_named(session_reader(session), name)
    return (None if person is None else _orm_reviewer(session, person)), twin


def require_reviewer(session: Session, name: str) -> models.Reviewer:
    """:func:`require_person` in a session, as its ORM row."""
    return _orm_reviewer(session, require_person(session_reader(session), name))


def ensure_reviewer(*, session: Session, name: str, role: str | None = None
                    ) -> models.Reviewer:
    """:func:`add_reviewer` in a session (the TUI, PostgreSQL), as its ORM row."""
    return _orm_reviewer(session, add_reviewer(writer=session_writer(session), name=name,
                                               role=role))


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


def check_vote(reader: Reader, *, record_id: int, stage: str, reviewer_id: int,
               decision: str, reason: str | None,
               people: Mapping[int, Person] | None = None,
               policy: ScreeningPolicy | None = None) -> bool:
    """Refuse a change to a revealed (locked) vote; False when the vote is already stored as is.

    Runs inside the write transaction, so two terminals cannot both slip a change in.
    """
    status = read_record_status(reader, record_id, stage, people, policy)
    if reviewer_id not in status.locked:
        return True
    mine = next((v for v in status.votes if v.reviewer_id == reviewer_id), None)
    if mine is not None and mine.decision == decision and (mine.reason or None) == (reason or None):
        return False  # the same call again: nothing changes, nothing to store
    raise ReviewflowError(locked_message(record_id, stage))


def write_decision(
    *,
    writer: Writer,
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
) -> int | None:
    """Append one decision in the caller's transaction; the id of the row that holds it
    (None when the vote was already stored as is and locked: nothing to add).

    A ``client_key`` already stored returns that row instead of adding one (a
    retried write stays one row). A change to a vote already revealed to another
    screener is refused (:func:`check_vote`), as is a vote on a record the
    screening plan gives to others (:func:`check_allocated`); ``people``/``policy``
    save the checks a query or two, ``plan`` (the stage's pilot and allocation, as
    the screening queue holds it) a read of the allocation.
    """
    validate_decision(stage, decision, reason)
    reader = writer.reader
    if client_key is not None:
        existing = reader.scalar("SELECT id FROM screening_decision WHERE client_key = ?",
                                 (client_key,))
        if existing is not None:
            return int(existing)
    if decision != RETRACTED:
        plan = plan or read_plan(reader, stage)
        if plan.pilot is not None or plan.allocated:
            names = {p.id: p.name for p in (people or read_people(reader)).values()}
            check_allocated(plan, record_id=record_id, reviewer_id=reviewer_id, names=names)
    if not check_vote(reader, record_id=record_id, stage=stage, reviewer_id=reviewer_id,
                      decision=decision, reason=reason or None, people=people, policy=policy):
        return None
    try:  # the foreign key checks the record (no extra query on every keypress)
        return writer.insert("screening_decision", record_id=record_id, stage=stage,
                             reviewer_id=reviewer_id, decision=decision, reason=reason or None,
                             note=note or None, client_key=client_key or uuid.uuid4().hex)
    except writer.integrity_error:  # the caller's transaction is rolled back with this error
        raise ReviewflowError(f"record {record_id} does not exist (or this decision was "
                              "stored at the same moment by another writer)") from None


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
) -> models.ScreeningDecision | None:
    """:func:`write_decision` in a session (the TUI, PostgreSQL, tests); the stored row."""
    from reviewflow.store import models

    row_id = write_decision(writer=session_writer(session), record_id=record_id, stage=stage,
                            reviewer_id=reviewer_id, decision=decision, reason=reason,
                            note=note, client_key=client_key, people=people, policy=policy,
                            plan=plan)
    return None if row_id is None else session.get(models.ScreeningDecision, row_id)


def retract_decision(*, session: Session, record_id: int, stage: str, reviewer_id: int,
                     people: Mapping[int, Person] | None = None,
                     policy: ScreeningPolicy | None = None) -> None:
    """Undo: append a ``retracted`` row so the reviewer has no current decision.

    Refused once the vote has been revealed (see :func:`check_vote`).
    """
    write_decision(writer=session_writer(session), record_id=record_id, stage=stage,
                   reviewer_id=reviewer_id, decision=RETRACTED, people=people, policy=policy)
