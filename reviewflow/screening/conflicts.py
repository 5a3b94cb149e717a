"""Conflicts between reviewers and their resolution (consensus or arbiter).

A resolution is a :class:`~reviewflow.store.models.ConflictResolution` row; the
latest one for a record and stage wins, so a resolution can be revised and the
history stays. Only a record that is in conflict can be resolved: resolving an
agreement would silently overrule two reviewers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.load import read_record_status, read_review_state
from reviewflow.review_state.votes import (
    ARBITER,
    MOVES_ON,
    RESOLUTION_METHODS,
    Person,
    RecordStatus,
    category,
)
from reviewflow.screening.conflict_list import Conflict, read_conflicts
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.viewer import Viewer
from reviewflow.stages import FULL_TEXT, LABELS, STAGES
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewflow.store import models

METHODS = RESOLUTION_METHODS
RESOLUTION_DECISIONS = ("include", "exclude", "maybe", "not_retrieved")


def list_conflicts(session: Session, stage: str | None = None, include_resolved: bool = False,
                   viewer: Viewer | None = None) -> list[Conflict]:
    """Conflicts at one stage (or all), unresolved first, read in the session's transaction
    (:func:`reviewflow.screening.conflict_list.read_conflicts`)."""
    return read_conflicts(session_reader(session), stage, include_resolved, viewer)


def check_resolution(settings: ScreeningSettings, stage: str, decision: str,
                     reason: str | None, method: str, resolver: Person) -> str | None:
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


def check_resolver(status: RecordStatus, resolver: Person, method: str) -> None:
    """Only the record's counted screeners settle it by consensus; only an arbiter arbitrates.

    The refusals name no vote and no outcome: the resolver may be a screener who
    must not learn them yet.
    """
    rid, where = status.record_id, LABELS[status.stage].lower()
    if method == "consensus" and resolver.id not in status.screeners:
        raise ReviewflowError(
            f"{resolver.name} did not screen record {rid} at {where}: a consensus is "
            "recorded by one of the record's screeners; an arbiter uses --method arbiter")
    if not status.disagreement and (method != "arbiter" or len(status.independent) == 0):
        raise ReviewflowError(
            f"record {rid} has no conflict to resolve at {where}"
            + (" (the arbiter may overrule an agreement with --method arbiter)"
               if method != "arbiter" else ""))


def _guard_extracted(reader: Reader, status: RecordStatus, decision: str) -> None:
    """Refuse a resolution that would drop a report behind an extracted study."""
    if status.stage != STAGES[-1] or category(decision) in MOVES_ON or not status.moves_on:
        return
    state = read_review_state(reader)
    sid = state.study_of.get(status.record_id)
    study = next((st for st in state.studies if st.id == sid), None)
    if study is not None and study.extracted and study.included_reports == (status.record_id,):
        raise ReviewflowError(
            f"record {status.record_id} is the only included report of study "
            f"{study.label!r}, which has extracted data; excluding it would leave the study "
            "without an included report (use --force if that is intended)")


def write_resolution(*, writer: Writer, settings: ScreeningSettings, record_id: int,
                     stage: str, decision: str, resolver: Person, method: str = "consensus",
                     reason: str | None = None, note: str | None = None,
                     force: bool = False) -> RecordStatus:
    """Record how a conflict was settled (in the caller's transaction); the new status.

    An arbiter may also overrule an agreement (a screener who changes their mind
    after the reveal goes through the arbiter: the votes themselves are locked).
    """
    reason = check_resolution(settings, stage, decision, reason, method, resolver)
    reader = writer.reader
    if reader.scalar("SELECT id FROM record WHERE id = ?", (record_id,)) is None:
        raise ReviewflowError(f"record {record_id} does not exist")
    status = read_record_status(reader, record_id, stage)
    check_resolver(status, resolver, method)
    if not force:
        _guard_extracted(reader, status, decision)
    writer.insert("conflict_resolution", record_id=record_id, stage=stage, decision=decision,
                  reason=reason, note=note or None, method=method, resolved_by_id=resolver.id)
    return read_record_status(reader, record_id, stage)


def resolve_conflict(*, session: Session, settings: ScreeningSettings, record_id: int,
                     stage: str, decision: str, resolver: models.Reviewer | Person,
                     method: str = "consensus", reason: str | None = None,
                     note: str | None = None, force: bool = False) -> RecordStatus:
    """:func:`write_resolution` in a session (the TUI, PostgreSQL)."""
    assert resolver.id is not None
    return write_resolution(
        writer=session_writer(session), settings=settings, record_id=record_id, stage=stage,
        decision=decision, resolver=Person(resolver.id, resolver.name, resolver.role),
        method=method, reason=reason, note=note, force=force)
