"""What one person may see of a record: the blinding rule lives here, not in the UI.

While blind mode is on, a screening reviewer sees no other reviewer's decision on
a record (nor its resolution) until they have decided it themselves; by then
both decisions exist or the other's is still missing, so nothing can sway them.
Arbiters, and everyone when blind mode is off, see all. Every screen and command
that shows a record to a reviewer goes through :func:`record_card`, so a UI bug
cannot leak what this module withholds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from reviewflow.review_state import (
    Person,
    RecordStatus,
    Resolution,
    ScreeningPolicy,
    Vote,
    load_review_state,
    record_status,
)

# re-exported: their home is screening.audit_view (no ORM), for ``reviewflow history``
from reviewflow.screening.audit_view import REVISION_NOTE as REVISION_NOTE
from reviewflow.screening.audit_view import read_label_revisions, visible_in

# re-exported: their home is screening.viewer (no ORM), for the reading commands
from reviewflow.screening.viewer import Viewer as Viewer
from reviewflow.screening.viewer import may_see as may_see
from reviewflow.screening.viewer import shows_breakdown as shows_breakdown
from reviewflow.store import models
from reviewflow.store.audit import AuditEvent
from reviewflow.store.dedup_state import related_index
from reviewflow.store.reader import session_reader


@dataclass(frozen=True)
class RecordCard:
    """A record as shown to one viewer at one stage, already filtered by blinding."""

    record_id: int
    stage: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    journal: str | None
    databases: tuple[str, ...]
    abstract: str
    keywords: tuple[str, ...]
    doi: str | None
    mine: Vote | None
    others: tuple[Vote, ...]  # empty while blinded
    resolution: Resolution | None  # None while blinded
    blinded: bool  # True when something was withheld (or would be, once decided)
    related: tuple[tuple[int, str], ...] = ()  # (record id, why) flagged by dedup
    translated_title: str | None = None  # the other-language title (RIS TT, CNKI English title)
    language: str | None = None


def visible(status: RecordStatus, viewer: Viewer) -> tuple[Vote | None, tuple[Vote, ...],
                                                            Resolution | None, bool]:
    """Split a status into (mine, others, resolution, blinded) for ``viewer``."""
    mine = next((v for v in status.votes if v.reviewer_id == viewer.reviewer_id), None)
    if may_see(status, viewer):
        others = tuple(v for v in status.votes if v.reviewer_id != viewer.reviewer_id)
        return mine, others, status.resolution, False
    return None, (), None, True


def record_databases(session: Session, record_id: int) -> tuple[str, ...]:
    """The databases whose exports contained this record (from provenance)."""
    p, i = models.RecordProvenance, models.SearchImport
    rows = session.exec(
        select(i.database).join(p, p.import_id == i.id).where(p.record_id == record_id)
    ).all()
    return tuple(sorted(set(rows)))


def record_card(session: Session, record_id: int, stage: str, viewer: Viewer,
                people: Mapping[int, Person] | None = None,
                related: dict[int, tuple[tuple[int, str], ...]] | None = None,
                policy: ScreeningPolicy | None = None) -> RecordCard:
    """The one way a record reaches a screen: fetched by id, filtered by blinding."""
    r = models.RecordRow
    row = session.exec(
        select(r.title, r.authors_json, r.year, r.journal, r.abstract, r.keywords_json, r.doi,
               r.translated_title, r.language)
        .where(r.id == record_id)
    ).first()
    if row is None:
        raise KeyError(record_id)
    title, authors, year, journal, abstract, keywords, doi, translated, language = row
    status = record_status(session, record_id, stage, people, policy)
    mine, others, resolution, blinded = visible(status, viewer)
    return RecordCard(
        record_id=record_id,
        stage=stage,
        title=title or "(no title)",
        authors=tuple(json.loads(authors or "[]")),
        year=year,
        journal=journal,
        databases=record_databases(session, record_id),
        abstract=abstract or "",
        keywords=tuple(json.loads(keywords or "[]")),
        doi=doi,
        mine=mine,
        others=others,
        resolution=resolution,
        blinded=blinded,
        related=(related if related is not None else related_index(session)).get(record_id, ()),
        translated_title=translated,
        language=language,
    )


def audit_visible(session: Session, events: Iterable[AuditEvent],
                  viewer: Viewer) -> list[AuditEvent]:
    """The audit trail as ``viewer`` may read it while screening is blind.

    The trail (``history``, ``export decisions``) is the obvious place to look
    up "what did I decide on 123?", so it must not become a side door to the
    other reviewer's vote. The rule is :func:`visible`'s: another person's
    decision, and any resolution, on a record at a stage shows only once the
    viewer has a current decision there themselves. Arbiters, and everyone when
    blind mode is off, see all; dedup events are not votes and always show.
    """
    if viewer.sees_all:
        return list(events)
    return visible_in(load_review_state(session), events, viewer)


def label_revisions(session: Session, events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Mark the decisions that are post-reveal revisions as such (``detail``).

    Which rows are revisions is the replay's call (:attr:`RecordStatus.revision_rows`),
    so ``history`` and the read model cannot disagree about which vote counts.
    """
    return read_label_revisions(session_reader(session), events)
