"""A person's answer to a doubtful match: accept (attach) or reject it.

The doubtful matches and the retrieval worklist are read in
:mod:`reviewflow.fulltext.lists`.
"""

from __future__ import annotations

from sqlmodel import Session

from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.service import attach
from reviewflow.fulltext.state import Action
from reviewflow.store import models


def _candidate(session: Session, candidate_id: int) -> models.FullTextCandidate:
    row = session.get(models.FullTextCandidate, candidate_id)
    if row is None:
        raise ReviewflowError(f"suggested match {candidate_id}: no such match "
                              "('reviewflow fulltext match --review' lists them)")
    return row


def accept_match(candidate_id: int, *, session: Session, by: str) -> models.FullTextCandidate:
    row = _candidate(session, candidate_id)
    attach(row.record_id, row.file_id, session=session, by=by, method="manual",
           evidence=f"confirmed: {row.evidence}")
    return row


def reject_match(candidate_id: int, *, session: Session, by: str) -> models.FullTextCandidate:
    row = _candidate(session, candidate_id)
    session.add(models.FullTextEvent(record_id=row.record_id, file_id=row.file_id,
                                     action=Action.REJECT, method="manual", by=by))
    return row
