"""Conflicts between reviewers and their resolution (consensus or arbiter).

A resolution is a :class:`~reviewflow.store.models.ConflictResolution` row; the
latest one for a record and stage wins, so a resolution can be revised and the
history stays. Only a record that is in conflict can be resolved: resolving an
agreement would silently overrule two reviewers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.state import ARBITER, RecordStatus, record_votes, stage_statuses
from reviewflow.stages import FULL_TEXT, LABELS, STAGES
from reviewflow.store import models
from reviewflow.store.db import Store

METHODS = ("consensus", "arbiter")
RESOLUTION_DECISIONS = ("include", "exclude", "maybe", "not_retrieved")


@dataclass(frozen=True)
class Conflict:
    """A record the reviewers disagree on, with its title for display."""

    status: RecordStatus
    title: str

    @property
    def resolved(self) -> bool:
        return self.status.resolution is not None


def list_conflicts(session: Session, stage: str | None = None, include_resolved: bool = False,
                   viewer: Viewer | None = None) -> list[Conflict]:
    """Conflicts at one stage (or all), unresolved first, by record id.

    Given a blinded ``viewer``, only conflicts on records they decided themselves
    are listed (a third screener must not see two colleagues' calls first).
    """
    found: list[RecordStatus] = []
    for st in [stage] if stage else list(STAGES):
        for status in stage_statuses(session, st).values():
            if not status.disagreement or (status.resolution and not include_resolved):
                continue
            if viewer is None or viewer.sees_all or any(
                v.reviewer_id == viewer.reviewer_id for v in status.votes
            ):
                found.append(status)
    titles = _titles(session, [s.record_id for s in found])
    found.sort(key=lambda s: (s.resolution is not None, STAGES.index(s.stage), s.record_id))
    return [Conflict(s, titles.get(s.record_id) or "(no title)") for s in found]


def _titles(session: Session, ids: list[int]) -> dict[int, str | None]:
    r = models.RecordRow
    titles: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        titles.update(session.exec(select(r.id, r.title).where(r.id.in_(chunk))).all())  # type: ignore[union-attr,arg-type]
    return titles


def check_resolution(settings: ScreeningSettings, stage: str, decision: str,
                     reason: str | None, method: str, resolver: models.Reviewer) -> str | None:
    """Validate a resolution; returns the reason spelled as the review lists it."""
    if decision not in RESOLUTION_DECISIONS:
        raise ReviewflowError(f"unknown decision {decision!r}; use include, exclude or maybe")
    if method not in METHODS:
        raise ReviewflowError(f"unknown method {method!r}; use consensus or arbiter")
    if method == "arbiter" and resolver.role != ARBITER:
        raise ReviewflowError(
            f"{resolver.name} is not an arbiter; use --method consensus or "
            f"'reviewflow reviewer add {resolver.name} --role arbiter'"
        )
    if decision == "not_retrieved" and stage != FULL_TEXT:
        raise ReviewflowError("'not retrieved' applies to full-text reports only")
    if stage == FULL_TEXT and decision == "exclude":
        if not reason:
            raise ReviewflowError("a full-text exclusion needs a reason (--reason)")
        return settings.match_reason(reason)
    return reason or None


def resolve_conflict(store: Store, settings: ScreeningSettings, *, record_id: int, stage: str,
                     decision: str, resolver: models.Reviewer, method: str = "consensus",
                     reason: str | None = None, note: str | None = None) -> RecordStatus:
    """Record how a conflict was settled and return the record's new status."""
    reason = check_resolution(settings, stage, decision, reason, method, resolver)
    with store.session() as s:
        if s.get(models.RecordRow, record_id) is None:
            raise ReviewflowError(f"record {record_id} does not exist")
        status = record_votes(s, record_id, stage)
    if not status.disagreement:
        raise ReviewflowError(
            f"record {record_id} has no conflict at {LABELS[stage].lower()} "
            f"({len(status.votes)} decision(s), outcome {status.outcome})"
        )
    assert resolver.id is not None
    with store.write() as s:
        s.add(models.ConflictResolution(
            record_id=record_id, stage=stage, decision=decision, reason=reason,
            note=note or None, method=method, resolved_by_id=resolver.id,
        ))
    with store.session() as s:
        return record_votes(s, record_id, stage)
