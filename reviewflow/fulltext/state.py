"""Each record's full-text state, derived from the append-only full-text events.

The latest attach / remove / unobtainable event naming a record wins; a
``reject`` event only settles one suggested match. PRISMA's "reports not
retrieved", the retrieval worklist and the TUI all read this one replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from reviewflow.store.reader import Reader, session_reader

if TYPE_CHECKING:
    from sqlmodel import Session


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
    """Record id -> its current full-text state, read in the session's transaction."""
    return read_fulltext_states(session_reader(session))


def read_fulltext_states(reader: Reader) -> dict[int, RecordFullText]:
    """Record id -> its current full-text state (records never touched are absent: missing)."""
    rows = reader.rows("SELECT record_id, file_id, action, reason, \"by\" FROM fulltext_event "
                       "WHERE action != ? ORDER BY id", (Action.REJECT.value,))
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
    return read_unobtainable_ids(session_reader(session))


def read_unobtainable_ids(reader: Reader) -> set[int]:
    return {rid for rid, s in read_fulltext_states(reader).items()
            if s.status is Status.UNOBTAINABLE}


def rejected_pairs(session: Session) -> set[tuple[int, int]]:
    return read_rejected_pairs(session_reader(session))


def read_rejected_pairs(reader: Reader) -> set[tuple[int, int]]:
    """(file, record) pairs a person said do not go together."""
    rows = reader.rows(
        "SELECT file_id, record_id FROM fulltext_event WHERE action = ?", (Action.REJECT.value,))
    return {(f, r) for f, r in rows if f is not None}


def pages_of(session: Session, file_id: int) -> list[str]:
    return [text for (text,) in session_reader(session).rows(
        "SELECT text FROM fulltext_page WHERE file_id = ? ORDER BY page", (file_id,))]
