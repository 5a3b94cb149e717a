"""Where each record stands at a stage, derived from the append-only decision rows.

Nothing here is stored: the latest decision per (record, stage, reviewer) wins,
the latest :class:`~reviewflow.store.models.ConflictResolution` settles a
disagreement, and the outcome follows from those. Reads select plain columns
(not ORM objects) because a stage of 100,000 records must load in well under a
second when a screening session starts.

Rules (issue 6): two reviewers (role ``reviewer``) screen each record; include
and maybe agree with each other (maybe is a conflict-free *hold* that still
moves on); include/maybe against exclude, or exclusions at full text for
different reasons, are conflicts; only a resolution moves a conflict on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from reviewflow.stages import FULL_TEXT, STAGES, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.dedup_state import active_record_ids

REQUIRED_REVIEWERS = 2
ARBITER = "arbiter"

PENDING = "pending"
CONFLICT = "conflict"
HOLD = "hold"  # agreed to go on, with at least one "maybe"
MOVES_ON = frozenset({"include", HOLD})


@dataclass(frozen=True)
class Vote:
    """One reviewer's current decision on one record at one stage."""

    reviewer_id: int
    reviewer: str
    decision: str
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Resolution:
    """The settlement of a conflict (latest wins)."""

    decision: str
    reason: str | None
    note: str | None
    method: str
    resolved_by: str


@dataclass(frozen=True)
class RecordStatus:
    """A record at a stage: the votes, any resolution, and what follows from them."""

    record_id: int
    stage: str
    votes: tuple[Vote, ...]
    resolution: Resolution | None
    outcome: str  # pending | include | hold | exclude | not_retrieved | conflict
    disagreement: bool  # the votes conflict (true even once resolved)

    @property
    def unresolved_conflict(self) -> bool:
        return self.disagreement and self.resolution is None

    @property
    def moves_on(self) -> bool:
        return self.outcome in MOVES_ON


def category(decision: str) -> str:
    """What a decision means for progression: maybe counts as include."""
    return "include" if decision in ("include", "maybe") else decision


def _norm_reason(reason: str | None) -> str:
    return " ".join((reason or "").split()).lower()


def votes_disagree(votes: Iterable[Vote], stage: str) -> bool:
    """Include vs exclude (or not retrieved), or full-text exclusions for different reasons."""
    votes = list(votes)
    if len(votes) < 2:
        return False
    if len({category(v.decision) for v in votes}) > 1:
        return True
    if stage == FULL_TEXT and votes[0].decision == "exclude":
        return len({_norm_reason(v.reason) for v in votes}) > 1
    return False


def judge(record_id: int, stage: str, votes: tuple[Vote, ...],
          resolution: Resolution | None) -> RecordStatus:
    """The outcome of one record at one stage."""
    disagree = votes_disagree(votes, stage)
    if resolution is not None:
        outcome = category(resolution.decision)
    elif len(votes) < REQUIRED_REVIEWERS:
        outcome = PENDING
    elif disagree:
        outcome = CONFLICT
    else:
        outcome = category(votes[0].decision)
        if outcome == "include" and any(v.decision == "maybe" for v in votes):
            outcome = HOLD
    return RecordStatus(record_id, stage, votes, resolution, outcome, disagree)


def reviewer_names(session: Session) -> dict[int, tuple[str, str]]:
    """Reviewer id -> (name, role)."""
    r = models.Reviewer
    return {i: (n, role) for i, n, role in session.exec(select(r.id, r.name, r.role)).all()}


def load_votes(session: Session, stage: str) -> dict[int, tuple[Vote, ...]]:
    """Current votes of screening reviewers (not arbiters) per record at ``stage``."""
    people = reviewer_names(session)
    d = models.ScreeningDecision
    rows = session.exec(
        select(d.record_id, d.reviewer_id, d.decision, d.reason, d.note)
        .where(d.stage == stage).order_by(d.id)  # type: ignore[arg-type]
    ).all()
    latest: dict[tuple[int, int], tuple[str, str | None, str | None]] = {}
    for rec, who, decision, reason, note in rows:
        latest[(rec, who)] = (decision, reason, note)
    per_record: dict[int, list[Vote]] = {}
    for (rec, who), (decision, reason, note) in latest.items():
        name, role = people.get(who, (f"#{who}", "reviewer"))
        if decision == "retracted" or role == ARBITER:
            continue
        per_record.setdefault(rec, []).append(Vote(who, name, decision, reason, note))
    return {rec: tuple(sorted(v, key=lambda x: x.reviewer)) for rec, v in per_record.items()}


def load_resolutions(session: Session, stage: str) -> dict[int, Resolution]:
    people = reviewer_names(session)
    c = models.ConflictResolution
    rows = session.exec(
        select(c.record_id, c.decision, c.reason, c.note, c.method, c.resolved_by_id)
        .where(c.stage == stage).order_by(c.id)  # type: ignore[arg-type]
    ).all()
    return {
        rec: Resolution(decision, reason, note, method, people.get(by, (f"#{by}", ""))[0])
        for rec, decision, reason, note, method, by in rows
    }


def stage_statuses(session: Session, stage: str,
                   record_ids: Iterable[int] | None = None) -> dict[int, RecordStatus]:
    """Status of every record at ``stage`` (those eligible for it unless ids are given)."""
    ids = list(record_ids) if record_ids is not None else eligible_ids(session, stage)
    votes = load_votes(session, stage)
    resolutions = load_resolutions(session, stage)
    return {i: judge(i, stage, votes.get(i, ()), resolutions.get(i)) for i in ids}


def eligible_ids(session: Session, stage: str) -> list[int]:
    """Records to screen at ``stage``: active after dedup and, at full text, moved on."""
    active = active_record_ids(session)
    if stage == TITLE_ABSTRACT:
        return active
    previous = STAGES[STAGES.index(stage) - 1]
    statuses = stage_statuses(session, previous, active)
    return [i for i in active if statuses[i].moves_on]


def my_decisions(session: Session, stage: str, reviewer_id: int) -> dict[int, str]:
    """One reviewer's current decision per record at ``stage`` (retractions dropped)."""
    d = models.ScreeningDecision
    rows = session.exec(
        select(d.record_id, d.decision)
        .where(d.stage == stage, d.reviewer_id == reviewer_id)
        .order_by(d.id)  # type: ignore[arg-type]
    ).all()
    latest: dict[int, str] = {}
    for rec, decision in rows:
        latest[rec] = decision
    return {rec: dec for rec, dec in latest.items() if dec != "retracted"}


def record_votes(session: Session, record_id: int, stage: str,
                 people: dict[int, tuple[str, str]] | None = None) -> RecordStatus:
    """The status of one record, read with indexed queries only (one keypress' worth).

    ``people`` (from :func:`reviewer_names`) may be passed in to save a query; it
    is re-read when a reviewer it does not know has voted.
    """
    d = models.ScreeningDecision
    rows = session.exec(
        select(d.reviewer_id, d.decision, d.reason, d.note)
        .where(d.record_id == record_id, d.stage == stage).order_by(d.id)  # type: ignore[arg-type]
    ).all()
    latest = {who: (dec, reason, note) for who, dec, reason, note in rows}
    c = models.ConflictResolution
    res_row = session.exec(
        select(c.decision, c.reason, c.note, c.method, c.resolved_by_id)
        .where(c.record_id == record_id, c.stage == stage)
        .order_by(c.id.desc())  # type: ignore[union-attr]
    ).first()
    wanted = set(latest) | ({res_row[4]} if res_row else set())
    if people is None or not wanted <= people.keys():
        people = reviewer_names(session)
    votes = tuple(sorted(
        (Vote(who, people[who][0], dec, reason, note)
         for who, (dec, reason, note) in latest.items()
         if dec != "retracted" and people[who][1] != ARBITER),
        key=lambda v: v.reviewer,
    ))
    resolution = None
    if res_row is not None:
        decision, reason, note, method, by = res_row
        resolution = Resolution(decision, reason, note, method, people[by][0])
    return judge(record_id, stage, votes, resolution)
