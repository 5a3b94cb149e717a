"""The numbers a dashboard shows, filtered by blinding.

Per stage: how many records are eligible, how far each reviewer has got, what
is left for the viewer, conflicts waiting and agreement. A blinded reviewer sees
the other reviewers' *progress* (how many decided) but not how they decided:
include/exclude counts by another reviewer would reveal decisions on records
the viewer has not reached yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from reviewflow.screening.agreement import Agreement, stage_agreement
from reviewflow.screening.blinding import Viewer, shows_breakdown
from reviewflow.screening.dedup_review import waiting_pair_ids
from reviewflow.screening.state import stage_statuses
from reviewflow.stages import STAGES, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.dedup_state import active_record_ids


@dataclass(frozen=True)
class ReviewerProgress:
    name: str
    decided: int
    breakdown: dict[str, int] | None  # None when blinded


@dataclass(frozen=True)
class StageProgress:
    stage: str
    eligible: int
    left_for_viewer: int
    reviewers: tuple[ReviewerProgress, ...]
    conflicts_waiting: int
    conflicts_resolved: int
    moved_on: int
    agreement: tuple[Agreement, ...]


@dataclass(frozen=True)
class Dashboard:
    stages: tuple[StageProgress, ...]
    duplicate_pairs_waiting: int
    records: int
    reviewers: tuple[str, ...] = field(default=())


def _stage_progress(session: Session, stage: str, ids: list[int],
                    viewer: Viewer) -> StageProgress:
    statuses = stage_statuses(session, stage, ids)
    counts: dict[str, Counter[str]] = {}
    decided_by: dict[str, set[int]] = {}
    mine: set[int] = set()
    for rid, st in statuses.items():
        for v in st.votes:
            counts.setdefault(v.reviewer, Counter())[v.decision] += 1
            decided_by.setdefault(v.reviewer, set()).add(rid)
            if v.reviewer_id == viewer.reviewer_id:
                mine.add(rid)
    # Blind lifts record by record once both have decided it; so a colleague's counts
    # reveal nothing once the viewer has decided every record the colleague decided
    # (e.g. both have finished the stage).
    reviewers = tuple(
        ReviewerProgress(name, sum(c.values()),
                         dict(c) if shows_breakdown(viewer, viewer.blind, name)
                         or decided_by[name] <= mine else None)
        for name, c in sorted(counts.items())
    )
    # A blinded third screener must not learn of two colleagues' disagreements
    # on records they have not decided themselves.
    shown = [s for s in statuses.values() if viewer.sees_all
             or any(v.reviewer_id == viewer.reviewer_id for v in s.votes)]
    return StageProgress(
        stage=stage,
        eligible=len(ids),
        left_for_viewer=len(ids) - len(mine),
        reviewers=reviewers,
        conflicts_waiting=sum(s.unresolved_conflict for s in shown),
        conflicts_resolved=sum(s.disagreement and s.resolution is not None for s in shown),
        moved_on=sum(s.moves_on for s in statuses.values()),
        agreement=tuple(a for a in stage_agreement(stage, shown)
                        if viewer.sees_all or viewer.name in (a.reviewer_a, a.reviewer_b)),
    )


def dashboard(session: Session, viewer: Viewer) -> Dashboard:
    """Everything the dashboard shows, computed in one pass per stage."""
    ids = active_record_ids(session)
    stages = []
    for stage in STAGES:
        if stage != TITLE_ABSTRACT:
            previous = stages[-1]
            prev_statuses = stage_statuses(session, previous.stage, ids)
            ids = [i for i in ids if prev_statuses[i].moves_on]
        stages.append(_stage_progress(session, stage, ids, viewer))
    people = session.exec(select(models.Reviewer.name).order_by(models.Reviewer.name)).all()
    return Dashboard(
        stages=tuple(stages),
        duplicate_pairs_waiting=len(waiting_pair_ids(session)),
        records=len(active_record_ids(session)),
        reviewers=tuple(people),
    )


def change_marker(session: Session) -> tuple[int, ...]:
    """A cheap fingerprint of everything the dashboard depends on (index-only maxima).

    Polled every few seconds so a dashboard notices another terminal's work
    without recomputing anything when nothing changed.
    """
    marks = []
    for model in (models.ScreeningDecision, models.ConflictResolution, models.DedupDecision,
                  models.DedupPair, models.RecordRow, models.Reviewer):
        marks.append(int(session.exec(select(func.coalesce(func.max(model.id), 0))).one()))
    return tuple(marks)
