"""The numbers a dashboard shows, filtered by blinding.

Per stage: how many records are eligible, how far each reviewer has got, what
is left for the viewer, conflicts waiting and agreement. A blinded reviewer sees
the other reviewers' *progress* (how many decided) but not how they decided:
include/exclude counts by another reviewer would reveal decisions on records
the viewer has not reached yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from reviewflow.review_state import Agreement, StageState, load_review_state, stage_agreement
from reviewflow.screening.blinding import Viewer, may_see, shows_breakdown
from reviewflow.screening.dedup_review import waiting_pair_ids
from reviewflow.stages import STAGES
from reviewflow.store import models


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
    required: int = 2  # screeners each record needs at this stage


@dataclass(frozen=True)
class Dashboard:
    stages: tuple[StageProgress, ...]
    duplicate_pairs_waiting: int
    records: int
    reviewers: tuple[str, ...] = field(default=())
    policy: str = ""  # the screening rules in force, in words


def _stage_progress(stage: StageState, viewer: Viewer) -> StageProgress:
    counts = stage.counts_by_reviewer()
    mine = len(stage.decisions_of(viewer.reviewer_id))
    covered = stage.covered_by(viewer.reviewer_id)
    reviewers = tuple(
        ReviewerProgress(name, sum(c.values()),
                         dict(c) if shows_breakdown(viewer, viewer.blind, name)
                         or name in covered else None)
        for name, c in counts.items()
    )
    # A blinded third screener must not learn of two colleagues' disagreements
    # on records they have not decided themselves.
    shown = [s for s in stage.decided.values() if may_see(s, viewer)]
    return StageProgress(
        stage=stage.stage,
        eligible=len(stage.eligible),
        left_for_viewer=len(stage.eligible) - mine,
        reviewers=reviewers,
        conflicts_waiting=sum(s.unresolved_conflict for s in shown),
        conflicts_resolved=sum(s.disagreement and s.resolution is not None for s in shown),
        moved_on=len(stage.moved_on),
        agreement=tuple(a for a in stage_agreement(stage.stage, shown)
                        if viewer.sees_all or viewer.name in (a.reviewer_a, a.reviewer_b)),
        required=stage.required,
    )


def dashboard(session: Session, viewer: Viewer) -> Dashboard:
    """Everything the dashboard shows, from one read-model snapshot."""
    state = load_review_state(session)
    people = sorted(p.name for p in state.people.values())
    return Dashboard(
        stages=tuple(_stage_progress(state.stage(st), viewer) for st in STAGES),
        duplicate_pairs_waiting=len(waiting_pair_ids(session)),
        records=len(state.active),
        reviewers=tuple(people),
        policy=state.policy.describe(),
    )


def change_marker(session: Session) -> tuple[int, ...]:
    """A cheap fingerprint of everything the dashboard depends on (index-only maxima).

    Polled every few seconds so a dashboard notices another terminal's work
    without recomputing anything when nothing changed.
    """
    marks = []
    for model in (models.ScreeningDecision, models.ConflictResolution, models.DedupDecision,
                  models.DedupPair, models.RecordRow, models.Reviewer,
                  models.SettingChange, models.StudyRecord, models.StudyMerge):
        marks.append(int(session.exec(select(func.coalesce(func.max(model.id), 0))).one()))
    return tuple(marks)
