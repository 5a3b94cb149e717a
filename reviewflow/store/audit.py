"""The audit trail: every decision, resolution, merge and un-merge, with who and when.

Nothing here is stored separately: the decision tables are already append-only
events (a change of mind is a new row), so the trail is a read over them. That
keeps it impossible for the trail and the current state to disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.store.reader import Reader, session_reader

if TYPE_CHECKING:
    from sqlmodel import Session

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


def stored_at(value: datetime | str) -> datetime:
    """A stored timestamp as aware UTC: SQLite's DB-API gives back the text SQLAlchemy
    wrote, PostgreSQL's a naive datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _names(reader: Reader) -> dict[int, str]:
    return {i: n for i, n in reader.rows("SELECT id, name FROM reviewer")}


def _record_exists(reader: Reader, record_id: int) -> bool:
    return bool(reader.rows("SELECT 1 FROM record WHERE id = ?", (record_id,)))


def history(session: Session, record_id: int) -> list[AuditEvent]:
    """Everything that happened to one record, oldest first."""
    return read_history(session_reader(session), record_id)


def read_history(reader: Reader, record_id: int) -> list[AuditEvent]:
    """:func:`history` over the read seam (``reviewflow history`` on SQLite needs no ORM)."""
    if not _record_exists(reader, record_id):
        raise ReviewflowError(f"record {record_id} does not exist")
    names = _names(reader)
    events = [
        *_decisions(reader, names, record_id),
        *_resolutions(reader, names, record_id),
        *_dedup_events(reader, names, record_id),
        *_study_events(reader, record_id),
    ]
    return sorted(events, key=lambda e: (e.at, e.kind, e.event_id))


def decision_events(session: Session) -> Iterator[AuditEvent]:
    """:func:`read_decision_events` in the session's transaction."""
    yield from read_decision_events(session_reader(session))


def read_decision_events(reader: Reader) -> list[AuditEvent]:
    """Every screening decision and conflict resolution ever recorded, in time order."""
    names = _names(reader)
    events = [*_decisions(reader, names, None), *_resolutions(reader, names, None)]
    return sorted(events, key=lambda e: (e.at, e.kind, e.event_id))


def _for_record(record_id: int | None) -> tuple[str, tuple[object, ...]]:
    return ("", ()) if record_id is None else (" WHERE record_id = ?", (record_id,))


def _decisions(reader: Reader, names: dict[int, str], record_id: int | None
               ) -> Iterator[AuditEvent]:
    where, params = _for_record(record_id)
    for row_id, rec, who, decision, stage, reason, note, at in reader.rows(
            "SELECT id, record_id, reviewer_id, decision, stage, reason, note, at "
            f"FROM screening_decision{where} ORDER BY id", params):
        yield AuditEvent(at=stored_at(at), kind="decision", record_id=rec,
                         who=names.get(who, f"#{who}"), action=decision, stage=stage,
                         reason=reason, note=note, event_id=row_id)


def _resolutions(reader: Reader, names: dict[int, str], record_id: int | None
                 ) -> Iterator[AuditEvent]:
    where, params = _for_record(record_id)
    for row_id, rec, by, decision, stage, reason, note, method, at in reader.rows(
            "SELECT id, record_id, resolved_by_id, decision, stage, reason, note, method, at "
            f"FROM conflict_resolution{where} ORDER BY id", params):
        yield AuditEvent(at=stored_at(at), kind="resolution", record_id=rec,
                         who=names.get(by, f"#{by}"), action=decision, stage=stage,
                         reason=reason, note=note, detail=f"by {method}", event_id=row_id)


def _dedup_events(reader: Reader, names: dict[int, str], record_id: int
                  ) -> Iterator[AuditEvent]:
    for row_id, kept, merged, action, method, who_id, reason, at in reader.rows(
            "SELECT id, kept_record_id, merged_record_id, action, method, reviewer_id, "
            "reason, at FROM dedup_decision WHERE kept_record_id = ? OR merged_record_id = ? "
            "ORDER BY id", (record_id, record_id)):
        who = names.get(who_id, f"#{who_id}") if who_id else AUTO
        if merged == record_id:
            other = f"record {kept}"
            detail = {"merge": f"merged into {other}", "unmerge": f"split from {other}",
                      "distinct": f"not a duplicate of {other}"}.get(action, other)
        else:
            other = f"record {merged}"
            detail = {"merge": f"absorbed {other}", "unmerge": f"{other} split off",
                      "distinct": f"not a duplicate of {other}"}.get(action, other)
        yield AuditEvent(at=stored_at(at), kind=action, record_id=record_id, who=who,
                         action=f"{action} ({method})", reason=reason, detail=detail,
                         event_id=row_id)


def _study_events(reader: Reader, record_id: int) -> Iterator[AuditEvent]:
    """Same-study answers naming the record, and merges of the studies it reports."""
    for row_id, a, b, action, reasons, by, at in reader.rows(
            'SELECT id, record_a_id, record_b_id, action, reasons, "by", at '
            "FROM study_link_decision WHERE record_a_id = ? OR record_b_id = ? ORDER BY id",
            (record_id, record_id)):
        other = b if a == record_id else a
        detail = {"link": f"one study with record {other}",
                  "unlink": f"no longer one study with record {other}"}.get(
                      action, f"not one study with record {other}")
        yield AuditEvent(at=stored_at(at), kind="same study", record_id=record_id, who=by,
                         action=action, reason=reasons, detail=detail, event_id=row_id)
    studies = {sid for (sid,) in reader.rows(
        "SELECT study_id FROM study_record WHERE record_id = ?", (record_id,))}
    if not studies:
        return
    labels = dict(reader.rows("SELECT id, label FROM study"))
    marks = ", ".join("?" * len(studies))
    for row_id, study_id, into_id, action, note, by, at in reader.rows(
            'SELECT id, study_id, into_id, action, note, "by", at FROM study_merge '
            f"WHERE study_id IN ({marks}) OR into_id IN ({marks}) ORDER BY id",
            (*studies, *studies)):
        verb = "merged into" if action == "merge" else "taken out of"
        yield AuditEvent(at=stored_at(at), kind=f"study {action}", record_id=record_id,
                         who=by, action=action, note=note,
                         detail=f"study {labels.get(study_id)!r} {verb} "
                                f"{labels.get(into_id)!r}", event_id=row_id)


DECISION_CSV_COLUMNS = ("event_id", "kind", "record_id", "stage", "reviewer", "decision",
                        "reason", "note", "at")


def decision_csv_row(event: AuditEvent) -> dict[str, object]:
    """One row of ``export decisions --format csv``."""
    return {"event_id": event.event_id, "kind": event.kind, "record_id": event.record_id,
            "stage": event.stage or "", "reviewer": event.who, "decision": event.action,
            "reason": event.reason or "", "note": event.note or "", "at": iso(event.at)}
