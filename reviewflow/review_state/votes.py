"""How one record stands at one stage: the single replay of its decision rows.

Every view (queue, card, conflicts, kappa, PRISMA, status, history) reads a
:class:`RecordStatus` built here, so "which vote counts" is decided once.

Rules (issue 16):

* A screener's *current* vote is their latest row (a ``retracted`` row means none).
* A screener's *independent* vote is their current vote at the moment they could
  first see another screener's vote on the record: the first moment both they and
  someone else had a current vote (while blind, the reveal). From then on their
  vote is *locked*; any later row is a post-reveal revision that never rewrites
  the independent vote (the write path refuses such rows; old stores may hold some).
* The *counted* screeners are the first ``required`` screeners to hold a vote when
  the record is revealed; votes beyond them (a late third screener) are extra:
  shown and used for agreement, never able to reopen or flip the outcome.
* Include and maybe agree (maybe is a *hold* that still moves on); include/maybe
  against exclude, or full-text exclusions for different reasons, conflict;
  only an explicit resolution settles a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from reviewflow.stages import FULL_TEXT

ARBITER = "arbiter"
ROLES = ("reviewer", ARBITER)  # who a registered person is
RESOLUTION_METHODS = ("consensus", ARBITER)  # how a conflict was settled
RETRACTED = "retracted"

PENDING = "pending"
CONFLICT = "conflict"
HOLD = "hold"  # agreed to go on, with at least one "maybe"
MOVES_ON = frozenset({"include", HOLD})


class Outcome(StrEnum):
    """What a record's votes and resolution add up to at one stage."""

    PENDING = PENDING
    CONFLICT = CONFLICT
    INCLUDE = "include"
    HOLD = HOLD
    EXCLUDE = "exclude"
    NOT_RETRIEVED = "not_retrieved"


@dataclass(frozen=True)
class Person:
    """A registered reviewer."""

    id: int
    name: str
    role: str


@dataclass(frozen=True)
class Vote:
    """One screener's decision on one record at one stage."""

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
    resolved_by_id: int = 0


DecisionRow = tuple[int, int, str, str | None, str | None]
"""(row id, reviewer id, decision, reason, note) of one stored decision, in id order."""


@dataclass(frozen=True)
class RecordStatus:
    """A record at a stage: the votes, any resolution, and what follows from them."""

    record_id: int
    stage: str
    votes: tuple[Vote, ...]  # every screener's current vote, by name
    resolution: Resolution | None
    outcome: str  # an Outcome value
    disagreement: bool  # the counted independent votes conflict (true even once resolved)
    independent: tuple[Vote, ...] = ()  # the counted screeners' independent votes, by name
    extra: tuple[Vote, ...] = ()  # independent votes beyond the required screeners
    locked: frozenset[int] = frozenset()  # screeners whose vote has been revealed
    revised: frozenset[int] = frozenset()  # screeners with a post-reveal change on record
    revision_rows: frozenset[int] = frozenset()  # the decision rows that are those changes

    @property
    def unresolved_conflict(self) -> bool:
        return self.disagreement and self.resolution is None

    @property
    def moves_on(self) -> bool:
        return self.outcome in MOVES_ON

    @property
    def screeners(self) -> frozenset[int]:
        """The counted screeners (the two who may settle the record by consensus)."""
        return frozenset(v.reviewer_id for v in self.independent)

    @property
    def all_independent(self) -> tuple[Vote, ...]:
        return tuple(sorted(self.independent + self.extra, key=lambda v: v.reviewer))


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


def _by_name(votes: Iterable[Vote]) -> tuple[Vote, ...]:
    votes = tuple(votes)
    return votes if len(votes) < 2 else tuple(sorted(votes, key=lambda v: v.reviewer))


def _lone_vote(record_id: int, stage: str, row: DecisionRow, people: Mapping[int, Person],
               required: int) -> RecordStatus | None:
    """The common case, fast (a session at 100,000 records replays tens of thousands):
    one screener's single vote, nothing else. None when the general replay is needed."""
    _, who, decision, reason, note = row
    person = people.get(who)
    if decision == RETRACTED or person is None or person.role == ARBITER:
        return None
    vote = (Vote(who, person.name, decision, reason, note),)
    if required > 1:
        return RecordStatus(record_id, stage, vote, None, PENDING, False, vote)
    return judge(record_id, stage, vote, None, vote, required=required)


def replay(record_id: int, stage: str, rows: Sequence[DecisionRow],
           people: Mapping[int, Person], resolution: Resolution | None,
           required: int = 2) -> RecordStatus:
    """The status of one record at one stage from its decision rows (in id order)."""
    if len(rows) == 1 and resolution is None:
        lone = _lone_vote(record_id, stage, rows[0], people, required)
        if lone is not None:
            return lone
    current: dict[int, Vote] = {}
    since: dict[int, int] = {}  # when each screener's current vote began (row id)
    independent: dict[int, Vote] = {}
    revised: set[int] = set()
    revision_rows: set[int] = set()
    counted: tuple[int, ...] | None = None
    for row_id, who, decision, reason, note in rows:
        person = people.get(who)
        if person is not None and person.role == ARBITER:
            continue  # an arbiter's word is a resolution, never a vote
        if who in independent:
            revised.add(who)
            revision_rows.add(row_id)
        if decision == RETRACTED:
            current.pop(who, None)
            since.pop(who, None)
        else:
            since.setdefault(who, row_id)
            name = person.name if person else f"#{who}"
            current[who] = Vote(who, name, decision, reason, note)
        if len(current) >= 2:  # everyone holding a vote can now see another's
            for w, v in current.items():
                independent.setdefault(w, v)
        if counted is None and len(current) >= max(required, 2):
            counted = tuple(sorted(current, key=since.__getitem__)[:required])
    if counted is None:  # not revealed: the current voters, in the order they voted
        counted = tuple(sorted(current, key=since.__getitem__)[:required])
    indep = {w: independent.get(w, current.get(w)) for w in counted}
    counted_votes = _by_name(v for v in indep.values() if v is not None)
    extra = _by_name(v for w, v in independent.items() if w not in indep)
    status = judge(record_id, stage, _by_name(current.values()), resolution, counted_votes,
                   extra, frozenset(independent), frozenset(revised), required)
    return replace(status, revision_rows=frozenset(revision_rows)) if revision_rows else status


def judge(record_id: int, stage: str, votes: tuple[Vote, ...], resolution: Resolution | None,
          independent: tuple[Vote, ...] | None = None, extra: tuple[Vote, ...] = (),
          locked: frozenset[int] = frozenset(), revised: frozenset[int] = frozenset(),
          required: int = 2) -> RecordStatus:
    """The outcome of one record at one stage from its counted independent votes.

    Without ``independent`` the current ``votes`` are taken to be independent.
    """
    if independent is None:
        independent = votes
    disagree = votes_disagree(independent, stage)
    if resolution is not None:
        outcome = category(resolution.decision)
    elif len(independent) < required:
        outcome = PENDING
    elif disagree:
        outcome = CONFLICT
    else:
        outcome = category(independent[0].decision)
        if outcome == "include" and any(v.decision == "maybe" for v in independent):
            outcome = HOLD
    return RecordStatus(record_id, stage, votes, resolution, outcome, disagree, independent,
                        extra, locked, revised)


def pending_status(record_id: int, stage: str) -> RecordStatus:
    """A record nobody has decided at ``stage``."""
    return RecordStatus(record_id, stage, (), None, PENDING, False)
