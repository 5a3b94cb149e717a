"""The audit trail: every decision, resolution, merge and un-merge, with who and when.

Nothing here is stored separately: the decision tables are already append-only
events (a change of mind is a new row), so the trail is a read over them. That
keeps it impossible for the trail and the current state to disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlmodel import Session, or_, select

from reviewflow.errors import ReviewflowError
from reviewflow.store import models

AUTO = "auto"


@dataclass(frozen=True)
class AuditEvent:
    """One thing that happened to a record."""

    at: datetime  # aware, UTC
    kind: str  # decision | resolution | merge | unmerge | distinct | same study | study merge ...
    record_id: int
    who: str
    action: str  # the decision, or what the dedup event did
    stage: str | None = None
    reason: str | None = None
    note: str | None = None
    detail: str | None = None  # e.g. "merged into record 12"
    event_id: int = 0

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["at"] = iso(self.at)
        return data


def as_utc(at: datetime) -> datetime:
    """Stored timestamps are UTC; SQLite gives them back naive."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def iso(at: datetime) -> str:
    return as_utc(at).isoformat().replace("+00:00", "Z")


def _names(session: Session) -> dict[int, str]:
    return {r.id: r.name for r in session.exec(select(models.Reviewer)).all() if r.id}


def history(session: Session, record_id: int) -> list[AuditEvent]:
    """Everything that happened to one record, oldest first."""
    if session.get(models.RecordRow, record_id) is None:
        raise ReviewflowError(f"record {record_id} does not exist")
    names = _names(session)
    events = [
        *_decisions(session, names, record_id),
        *_resolutions(session, names, record_id),
        *_dedup_events(session, names, record_id),
        *_study_events(session, record_id),
    ]
    return sorted(events, key=lambda e: (as_utc(e.at), e.kind, e.event_id))


def decision_events(session: Session) -> Iterator[AuditEvent]:
    """Every screening decision and conflict resolution ever recorded, in time order."""
    names = _names(session)
    events = [*_decisions(session, names, None), *_resolutions(session, names, None)]
    yield from sorted(events, key=lambda e: (as_utc(e.at), e.kind, e.event_id))


def _decisions(session: Session, names: dict[int, str], record_id: int | None
               ) -> Iterator[AuditEvent]:
    d = models.ScreeningDecision
    query = select(d).order_by(d.id)  # type: ignore[arg-type]
    if record_id is not None:
        query = query.where(d.record_id == record_id)
    for row in session.exec(query):
        yield AuditEvent(at=as_utc(row.at), kind="decision", record_id=row.record_id,
                         who=names.get(row.reviewer_id, f"#{row.reviewer_id}"),
                         action=row.decision, stage=row.stage, reason=row.reason,
                         note=row.note, event_id=row.id or 0)


def _resolutions(session: Session, names: dict[int, str], record_id: int | None
                 ) -> Iterator[AuditEvent]:
    c = models.ConflictResolution
    query = select(c).order_by(c.id)  # type: ignore[arg-type]
    if record_id is not None:
        query = query.where(c.record_id == record_id)
    for row in session.exec(query):
        yield AuditEvent(at=as_utc(row.at), kind="resolution", record_id=row.record_id,
                         who=names.get(row.resolved_by_id, f"#{row.resolved_by_id}"),
                         action=row.decision, stage=row.stage, reason=row.reason,
                         note=row.note, detail=f"by {row.method}", event_id=row.id or 0)


def _dedup_events(session: Session, names: dict[int, str], record_id: int
                  ) -> Iterator[AuditEvent]:
    d = models.DedupDecision
    query = select(d).where(
        or_(d.kept_record_id == record_id, d.merged_record_id == record_id)
    ).order_by(d.id)  # type: ignore[arg-type]
    for row in session.exec(query):
        who = names.get(row.reviewer_id, f"#{row.reviewer_id}") if row.reviewer_id else AUTO
        if row.merged_record_id == record_id:
            other = f"record {row.kept_record_id}"
            detail = {"merge": f"merged into {other}", "unmerge": f"split from {other}",
                      "distinct": f"not a duplicate of {other}"}.get(row.action, other)
        else:
            other = f"record {row.merged_record_id}"
            detail = {"merge": f"absorbed {other}", "unmerge": f"{other} split off",
                      "distinct": f"not a duplicate of {other}"}.get(row.action, other)
        yield AuditEvent(at=as_utc(row.at), kind=row.action, record_id=record_id, who=who,
                         action=f"{row.action} ({row.method})", reason=row.reason,
                         detail=detail, event_id=row.id or 0)


def _study_events(session: Session, record_id: int) -> Iterator[AuditEvent]:
    """Same-study answers naming the record, and merges of the studies it reports."""
    d, m = models.StudyLinkDecision, models.StudyMerge
    for row in session.exec(select(d).where(or_(d.record_a_id == record_id,
                                                d.record_b_id == record_id)).order_by(d.id)):  # type: ignore[arg-type]
        other = row.record_b_id if row.record_a_id == record_id else row.record_a_id
        detail = {"link": f"one study with record {other}",
                  "unlink": f"no longer one study with record {other}"}.get(
                      row.action, f"not one study with record {other}")
        yield AuditEvent(at=as_utc(row.at), kind="same study", record_id=record_id, who=row.by,
                         action=row.action, reason=row.reasons, detail=detail,
                         event_id=row.id or 0)
    studies = set(session.exec(select(models.StudyRecord.study_id).where(
        models.StudyRecord.record_id == record_id)).all())
    if not studies:
        return
    labels = dict(session.exec(select(models.Study.id, models.Study.label)).all())
    for row in session.exec(select(m).where(or_(m.study_id.in_(studies),  # type: ignore[attr-defined]
                                                m.into_id.in_(studies)))  # type: ignore[attr-defined]
                            .order_by(m.id)):  # type: ignore[arg-type]
        verb = "merged into" if row.action == "merge" else "taken out of"
        yield AuditEvent(at=as_utc(row.at), kind=f"study {row.action}", record_id=record_id,
                         who=row.by, action=row.action, note=row.note,
                         detail=f"study {labels.get(row.study_id)!r} {verb} "
                                f"{labels.get(row.into_id)!r}", event_id=row.id or 0)


DECISION_CSV_COLUMNS = ("event_id", "kind", "record_id", "stage", "reviewer", "decision",
                        "reason", "note", "at")


def decision_csv_row(event: AuditEvent) -> dict[str, object]:
    """One row of ``export decisions --format csv``."""
    return {"event_id": event.event_id, "kind": event.kind, "record_id": event.record_id,
            "stage": event.stage or "", "reviewer": event.who, "decision": event.action,
            "reason": event.reason or "", "note": event.note or "", "at": iso(event.at)}
