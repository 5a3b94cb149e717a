"""What a person acts on: doubtful matches to confirm, and the retrieval worklist.

The worklist is the librarian's list: every record with its full-text status and
the attached PDF's original file name, as CSV or RIS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.matching import Doubt
from reviewflow.fulltext.service import attach
from reviewflow.fulltext.state import Action, Status, file_owners, fulltext_states, rejected_pairs
from reviewflow.store import models
from reviewflow.store.dedup_state import active_record_ids
from reviewflow.titles import titles_of


@dataclass(frozen=True)
class PendingMatch:
    candidate_id: int
    file_id: int
    file_name: str
    record_id: int
    title: str  # original / English [language], as every list shows a record
    evidence: str
    doubt: str
    title_score: float


@dataclass(frozen=True)
class WorklistRow:
    record_id: int
    title: str
    translated_title: str | None
    language: str | None
    authors: tuple[str, ...]
    year: int | None
    journal: str | None
    doi: str | None
    pmid: str | None
    status: Status
    file: str | None  # the attached PDF's original file name
    reason: str | None


def pending_matches(session: Session) -> list[PendingMatch]:
    """Doubtful matches still open: the PDF attached to nothing, the pair not rejected.

    An offer for a record that has since got a PDF closes, except the offers made
    because the record already had one (another version, a supplement?): those stay
    for a person, who removes the old PDF first to take the new one. A record
    marked unobtainable keeps its offers: the report was found after all.
    """
    states = fulltext_states(session)
    owners = file_owners(states)
    rejected = rejected_pairs(session)
    c, f, r = models.FullTextCandidate, models.FullTextFile, models.RecordRow
    rows = session.exec(
        select(c.id, c.file_id, f.original_name, c.record_id, r.title, r.translated_title,
               r.language, c.evidence, c.doubt, c.title_score)
        .join(f, c.file_id == f.id).join(r, c.record_id == r.id)  # type: ignore[arg-type]
        .order_by(c.id)  # type: ignore[arg-type]
    ).all()
    out = []
    for cid, fid, name, rid, title, translated, language, evidence, doubt, score in rows:
        if fid in owners or (fid, rid) in rejected:
            continue
        state = states.get(rid)
        if state is not None and state.status is Status.ATTACHED \
                and doubt != Doubt.RECORD_HAS_PDF:
            continue  # the record got its PDF meanwhile; "already has a PDF" offers stay

        line = titles_of(title, translated, language).line(120)
        out.append(PendingMatch(cid, fid, name, rid, line, evidence, doubt, score))
    return out


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


def worklist(session: Session, *, missing_only: bool = False,
             record_ids: list[int] | None = None) -> list[WorklistRow]:
    """Every active record (or those given) with its full-text status."""
    states = fulltext_states(session)
    wanted = set(record_ids if record_ids is not None else active_record_ids(session))
    names = dict(session.exec(select(models.FullTextFile.id, models.FullTextFile.original_name)
                              ).all())
    out = []
    for rec in session.exec(select(models.RecordRow).order_by(models.RecordRow.id)).all():
        if rec.id not in wanted:
            continue
        state = states.get(rec.id)
        status = state.status if state else Status.MISSING
        if missing_only and status is not Status.MISSING:
            continue
        out.append(WorklistRow(
            record_id=rec.id, title=rec.title or "", translated_title=rec.translated_title,
            language=rec.language,
            authors=tuple(json.loads(rec.authors_json or "[]")), year=rec.year,
            journal=rec.journal, doi=rec.doi, pmid=rec.pmid, status=status,
            file=names.get(state.file_id) if state and state.file_id else None,
            reason=state.reason if state else None))
    return out
