"""GRADE judgements in the store: append-only rows, the current rating derived here.

The caller owns the transaction (``session=``). The latest row per (outcome,
domain) is the judgement in force; ``retract`` appends a row that withdraws
it, so the history of who rated what, when and why is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.grade.certainty import derive_certainty
from reviewflow.grade.domains import STEPS, Certainty, Domain, Judgement, allowed
from reviewflow.store.audit import stored_at
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the session wrappers (TUI, demo, PostgreSQL); the seam never loads it
    from sqlmodel import Session

    from reviewflow.store import models

RETRACTED = "retracted"


@dataclass(frozen=True)
class Rated:
    domain: Domain
    judgement: Judgement
    reason: str | None
    reviewer: str
    at: datetime


@dataclass(frozen=True)
class OutcomeGrade:
    outcome: str
    rated: dict[Domain, Rated]

    @property
    def judgements(self) -> dict[Domain, Judgement]:
        return {d: r.judgement for d, r in self.rated.items()}

    @property
    def certainty(self) -> Certainty:
        return derive_certainty(self.judgements)


@dataclass(frozen=True)
class HistoryEntry:
    domain: Domain
    judgement: str  # a Judgement value or "retracted"
    reason: str | None
    reviewer: str
    at: datetime


def write_judgement(*, writer: Writer, outcome: str, domain: Domain, judgement: Judgement,
                    reason: str | None, reviewer_id: int) -> int:
    """Append one judgement (its row id); a downgrade or upgrade needs its reason (the
    footnote)."""
    if judgement not in allowed(domain):
        raise ReviewflowError(f"{domain.value}: {judgement.value} is not a judgement of this "
                              f"domain (use {', '.join(j.value for j in allowed(domain))})")
    reason = (reason or "").strip() or None
    if STEPS.get(judgement, 0) != 0 and reason is None:
        raise ReviewflowError(f"{outcome}: {domain.value} {judgement.value}: give the reason "
                              "(it becomes the summary of findings footnote)")
    if not outcome.strip():
        raise ReviewflowError("name the outcome (the analysis) being rated")
    return writer.insert("grade_judgement", outcome=outcome.strip(), domain=domain.value,
                         judgement=judgement.value, reason=reason, reviewer_id=reviewer_id)


def record(*, session: Session, outcome: str, domain: Domain, judgement: Judgement,
           reason: str | None, reviewer_id: int) -> models.GradeJudgement:
    """:func:`write_judgement` in a session (the TUI, the demo, PostgreSQL), as its ORM row."""
    return _row(session, write_judgement(
        writer=session_writer(session), outcome=outcome, domain=domain, judgement=judgement,
        reason=reason, reviewer_id=reviewer_id))


def _row(session: Session, row_id: int) -> models.GradeJudgement:
    from reviewflow.store import models

    row = session.get(models.GradeJudgement, row_id)
    assert row is not None
    return row


def write_retraction(*, writer: Writer, outcome: str, domain: Domain, reviewer_id: int,
                     reason: str | None = None) -> int:
    """Withdraw the judgement in force for one domain (a row that says so; its id)."""
    if domain not in read_current(writer.reader).get(outcome, OutcomeGrade(outcome, {})).rated:
        raise ReviewflowError(f"{outcome}: no {domain.value} judgement to retract")
    return writer.insert("grade_judgement", outcome=outcome, domain=domain.value,
                         judgement=RETRACTED, reason=reason, reviewer_id=reviewer_id)


def retract(*, session: Session, outcome: str, domain: Domain, reviewer_id: int,
            reason: str | None = None) -> models.GradeJudgement:
    """:func:`write_retraction` in a session, as its ORM row."""
    return _row(session, write_retraction(writer=session_writer(session), outcome=outcome,
                                          domain=domain, reviewer_id=reviewer_id,
                                          reason=reason))


# outcome, domain, judgement, reason, at (aware UTC), who
_Row = tuple[str, str, str, str | None, datetime, str]


def _rows(reader: Reader, outcome: str | None) -> list[_Row]:
    sql = ("SELECT g.outcome, g.domain, g.judgement, g.reason, g.at, r.name "
           "FROM grade_judgement AS g JOIN reviewer AS r ON g.reviewer_id = r.id")
    params: tuple[object, ...] = ()
    if outcome is not None:
        sql, params = sql + " WHERE g.outcome = ?", (outcome,)
    return [(o, d, j, why, stored_at(at), who)
            for o, d, j, why, at, who in reader.rows(sql + " ORDER BY g.id", params)]


def current(*, session: Session) -> dict[str, OutcomeGrade]:
    """:func:`read_current` in the session's transaction."""
    return read_current(session_reader(session))


def read_current(reader: Reader) -> dict[str, OutcomeGrade]:
    """Every rated outcome's judgements in force, keyed by outcome."""
    latest: dict[tuple[str, str], _Row] = {}
    for row in _rows(reader, None):
        latest[(row[0], row[1])] = row
    out: dict[str, dict[Domain, Rated]] = {}
    for (outcome, domain), (_o, _d, judgement, reason, at, name) in latest.items():
        out.setdefault(outcome, {})
        if judgement == RETRACTED:
            continue
        d = Domain(domain)
        out[outcome][d] = Rated(d, Judgement(judgement), reason, name, at)
    return {o: OutcomeGrade(o, rated) for o, rated in sorted(out.items())}


def history(*, session: Session, outcome: str) -> list[HistoryEntry]:
    """:func:`read_history` in the session's transaction."""
    return read_history(session_reader(session), outcome)


def read_history(reader: Reader, outcome: str) -> list[HistoryEntry]:
    """Every judgement ever recorded for one outcome, oldest first."""
    return [HistoryEntry(Domain(d), j, why, name, at)
            for _o, d, j, why, at, name in _rows(reader, outcome)]
