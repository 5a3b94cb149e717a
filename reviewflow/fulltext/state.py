"""Each record's full-text state, derived from the append-only full-text events.

The latest attach / remove / unobtainable event naming a record wins; a
``reject`` event only settles one suggested match. PRISMA's "reports not
retrieved", the retrieval worklist and the TUI all read this one replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, select

from reviewflow.store import models


class Action(StrEnum):
    ATTACH = "attach"
    REMOVE = "remove"
    UNOBTAINABLE = "unobtainable"
    REJECT = "reject"


class Status(StrEnum):
    ATTACHED = "attached"
    MISSING = "missing"
    UNOBTAINABLE = "unobtainable"


@dataclass(frozen=True)
class RecordFullText:
    status: Status
    file_id: int | None = None
    reason: str | None = None
    by: str | None = None


def fulltext_states(session: Session) -> dict[int, RecordFullText]:
    """Record id -> its current full-text state (records never touched are absent: missing)."""
    e = models.FullTextEvent
    rows = session.exec(
        select(e.record_id, e.file_id, e.action, e.reason, e.by)
        .where(e.action != Action.REJECT).order_by(e.id)  # type: ignore[arg-type]
    ).all()
    out: dict[int, RecordFullText] = {}
    for record_id, file_id, action, reason, by in rows:
        if action == Action.ATTACH:
            out[record_id] = RecordFullText(Status.ATTACHED, file_id, None, by)
        elif action == Action.UNOBTAINABLE:
            out[record_id] = RecordFullText(Status.UNOBTAINABLE, None, reason, by)
        else:
            out.pop(record_id, None)
    return out


def file_owners(states: dict[int, RecordFullText]) -> dict[int, int]:
    """File id -> the record it is attached to now."""
    return {s.file_id: rid for rid, s in states.items()
            if s.status is Status.ATTACHED and s.file_id is not None}


def unobtainable_ids(session: Session) -> set[int]:
    return {rid for rid, s in fulltext_states(session).items() if s.status is Status.UNOBTAINABLE}


def rejected_pairs(session: Session) -> set[tuple[int, int]]:
    e = models.FullTextEvent
    rows = session.exec(select(e.file_id, e.record_id).where(e.action == Action.REJECT)).all()
    return {(f, r) for f, r in rows if f is not None}


def pages_of(session: Session, file_id: int) -> list[str]:
    p = models.FullTextPage
    return list(session.exec(select(p.text).where(p.file_id == file_id).order_by(p.page)).all())
