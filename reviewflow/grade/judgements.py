"""GRADE judgements in the store: append-only rows, the current rating derived here.

The caller owns the transaction (``session=``). The latest row per (outcome,
domain) is the judgement in force; ``retract`` appends a row that withdraws
it, so the history of who rated what, when and why is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from reviewflow.errors import ReviewflowError
from reviewflow.grade.certainty import derive_certainty
from reviewflow.grade.domains import STEPS, Certainty, Domain, Judgement, allowed
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


def record(*, session: Session, outcome: str, domain: Domain, judgement: Judgement,
           reason: str | None, reviewer_id: int) -> models.GradeJudgement:
    """Append one judgement; a downgrade or upgrade needs its reason (the footnote)."""
    if judgement not in allowed(domain):
        raise ReviewflowError(f"{domain.value}: {judgement.value} is not a judgement of this "
                              f"domain (use {', '.join(j.value for j in allowed(domain))})")
    reason = (reason or "").strip() or None
    if STEPS.get(judgement, 0) != 0 and reason is None:
        raise ReviewflowError(f"{outcome}: {domain.value} {judgement.value}: give the reason "
                              "(it becomes the summary of findings footnote)")
    if not outcome.strip():
        raise ReviewflowError("name the outcome (the analysis) being rated")
    row = models.GradeJudgement(outcome=outcome.strip(), domain=domain.value,
                                judgement=judgement.value, reason=reason,
                                reviewer_id=reviewer_id)
    session.add(row)
    return row


def retract(*, session: Session, outcome: str, domain: Domain, reviewer_id: int,
            reason: str | None = None) -> models.GradeJudgement:
    if domain not in current(session=session).get(outcome, OutcomeGrade(outcome, {})).rated:
        raise ReviewflowError(f"{outcome}: no {domain.value} judgement to retract")
    row = models.GradeJudgement(outcome=outcome, domain=domain.value, judgement=RETRACTED,
                                reason=reason, reviewer_id=reviewer_id)
    session.add(row)
    return row


def _rows(session: Session, outcome: str | None):
    g, r = models.GradeJudgement, models.Reviewer
    query = select(g, r.name).join(r, col(g.reviewer_id) == col(r.id)).order_by(col(g.id))
    if outcome is not None:
        query = query.where(g.outcome == outcome)
    return session.exec(query).all()


def current(*, session: Session) -> dict[str, OutcomeGrade]:
    """Every rated outcome's judgements in force, keyed by outcome."""
    latest: dict[tuple[str, str], tuple[models.GradeJudgement, str]] = {}
    for row, name in _rows(session, None):
        latest[(row.outcome, row.domain)] = (row, name)
    out: dict[str, dict[Domain, Rated]] = {}
    for (outcome, domain), (row, name) in latest.items():
        out.setdefault(outcome, {})
        if row.judgement == RETRACTED:
            continue
        d = Domain(domain)
        out[outcome][d] = Rated(d, Judgement(row.judgement), row.reason, name, row.at)
    return {o: OutcomeGrade(o, rated) for o, rated in sorted(out.items())}


def history(*, session: Session, outcome: str) -> list[HistoryEntry]:
    return [HistoryEntry(Domain(row.domain), row.judgement, row.reason, name, row.at)
            for row, name in _rows(session, outcome)]
