"""The audit trail as one viewer may read it, on the read model (no ORM).

``reviewflow history`` reads a SQLite review through the read seam; these are the
blinding rule and the revision marks it applies, shared with the session-based
wrappers in :mod:`reviewflow.screening.blinding` (``export decisions``, the TUI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from reviewflow.review_state.load import read_record_status
from reviewflow.review_state.model import ReviewState
from reviewflow.screening.viewer import Viewer, may_see
from reviewflow.store.audit import AuditEvent
from reviewflow.store.reader import Reader

REVISION_NOTE = "changed after the reveal: the independent vote stands (kappa, conflicts)"


def visible_in(state: ReviewState, events: Iterable[AuditEvent],
               viewer: Viewer) -> list[AuditEvent]:
    """The events ``viewer`` may read while screening is blind (see
    :func:`reviewflow.screening.blinding.audit_visible` for the rule)."""
    if viewer.sees_all:
        return list(events)
    kept = []
    for event in events:
        if event.kind not in ("decision", "resolution") or event.stage is None:
            kept.append(event)
            continue
        if event.kind == "decision" and event.who == viewer.name:
            kept.append(event)
            continue
        if may_see(state.stage(event.stage).status(event.record_id), viewer):
            kept.append(event)
    return kept


def read_label_revisions(reader: Reader, events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Mark the decisions that are post-reveal revisions (``detail``); which rows are
    revisions is the replay's call (:attr:`RecordStatus.revision_rows`), so ``history``
    and the read model cannot disagree about which vote counts."""
    events = list(events)
    revisions: set[int] = set()
    for rid, stage in {(e.record_id, e.stage) for e in events if e.kind == "decision"}:
        if stage is not None:
            revisions |= read_record_status(reader, rid, stage).revision_rows
    return [replace(e, detail=REVISION_NOTE) if e.kind == "decision" and e.event_id in revisions
            else e for e in events]
