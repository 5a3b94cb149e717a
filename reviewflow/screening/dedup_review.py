"""The human side of deduplication: candidate pairs waiting for a person's call.

Dedup (another module) fills :class:`~reviewflow.store.models.DedupPair`; a pair
waits while no decision names it, or when its latest decision was undone.
A person's call is an append-only :class:`~reviewflow.store.models.DedupDecision`:
``merge`` (duplicate, method manual), ``distinct`` (not a duplicate). Undo
appends ``unmerge`` after a merge (so :mod:`reviewflow.store.dedup_state`
restores the record) and ``reopen`` after a distinct; ``reopen`` is ignored by
the merge-state derivation, it only puts the pair back in the queue. The queue
and the calls themselves live in :mod:`reviewflow.store.dedup_store` (shared with
``reviewflow dedup --resolve``); this module adds the side-by-side view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.model import ReviewState
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import dedup_store
from reviewflow.store.writer import Writer, session_writer
from reviewflow.titles import is_latin, titles_of

if TYPE_CHECKING:  # the TUI's wrappers take a session; ``dedup --resolve`` never loads it
    from sqlmodel import Session

    from reviewflow.store import models

COMPARED_FIELDS = ("title", "english", "language", "authors", "year", "journal", "volume",
                   "issue", "pages", "doi", "pmid", "abstract")
"""``title`` is the original-language title, ``english`` its English translation (CNKI
``TT``, MEDLINE's bracketed title), so a Chinese record and its English twin compare."""


@dataclass(frozen=True)
class PairView:
    """Both records of a pair, field by field, with the fields that differ."""

    pair_id: int
    a_id: int
    b_id: int
    score: float
    outcome: str
    reason: str | None
    a: dict[str, str]
    b: dict[str, str]
    differing: frozenset[str]


def waiting_pair_ids(session: Session) -> list[int]:
    """The queue of :func:`reviewflow.store.dedup_store.open_pairs`, best score first."""
    pairs = dedup_store.open_pairs(session)
    return [p.id for p in sorted(pairs, key=lambda p: (-p.score, p.id or 0)) if p.id is not None]


def _fields(row: models.RecordRow) -> dict[str, str]:
    authors = "; ".join(json.loads(row.authors_json or "[]"))
    titles = titles_of(row.title, row.translated_title, row.language)
    values = {
        "title": titles.original, "english": titles.english,
        "language": titles.shown_language, "authors": authors, "year": row.year,
        "journal": row.journal,
        "volume": row.volume, "issue": row.issue, "pages": row.pages, "doi": row.doi,
        "pmid": row.pmid, "abstract": row.abstract,
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def pair_view(session: Session, pair_id: int) -> PairView:
    from reviewflow.store import models

    pair = session.get(models.DedupPair, pair_id)
    if pair is None:
        raise ReviewflowError(f"duplicate pair {pair_id} does not exist")
    a = _fields(session.get(models.RecordRow, pair.record_a_id))  # type: ignore[arg-type]
    b = _fields(session.get(models.RecordRow, pair.record_b_id))  # type: ignore[arg-type]
    if a["english"] or b["english"]:  # one is a translation: compare it with an English title
        for side in (a, b):
            if not side["english"] and is_latin(side["title"]):
                side["english"] = side["title"]
    differing = frozenset(k for k in COMPARED_FIELDS if _norm(a[k]) != _norm(b[k]))
    return PairView(pair_id, pair.record_a_id, pair.record_b_id, pair.score, pair.outcome,
                    pair.reason, a, b, differing)


def decide_pair(pair_id: int, action: str, reviewer_id: int, *, session: Session) -> str:
    """A person's call on a pair: ``merge`` (duplicate) or ``distinct``, via dedup's store API."""
    verdicts = {"merge": "duplicate", "distinct": "distinct"}
    if action not in verdicts:
        raise ReviewflowError(f"unknown duplicate action {action!r}")
    return resolve_pair(pair_id, verdicts[action], reviewer_id, session=session)


def progress_rank(state: ReviewState, record_id: int) -> tuple[int, str]:
    """How far a record's screening went (higher: further), and that in words.

    A merge keeps the record that went furthest, so an included report is never
    replaced by its excluded twin (issue 16, scenario 3).
    """
    ta, ft = state.stage(TITLE_ABSTRACT), state.stage(FULL_TEXT)
    t, f = ta.status(record_id), ft.status(record_id)
    if f.moves_on:
        return 5, "included at full text"
    if record_id in ft.eligible:
        return (3, f"excluded at full text ({f.outcome})") if f.outcome in (
            "exclude", "not_retrieved") else (4, f"at full text ({f.outcome})")
    if t.votes or t.resolution:
        return (0, "excluded at title/abstract") if t.outcome == "exclude" else (
            2, f"at title/abstract ({t.outcome})")
    return 1, "not screened yet"


def resolve_pair(pair_id: int, verdict: str, reviewer_id: int | None = None, *,
                 session: Session) -> str:
    """:func:`settle_pair` in a session (the TUI's duplicate screen)."""
    return settle_pair(writer=session_writer(session), pair_id=pair_id, verdict=verdict,
                       reviewer_id=reviewer_id)


def settle_pair(*, writer: Writer, pair_id: int, verdict: str,
                reviewer_id: int | None = None) -> str:
    """Settle a queued pair; a merge keeps the record whose screening went furthest.

    Read and write in the caller's one transaction, so no vote can slip in between
    choosing the survivor and merging. When both records carry decisions, the
    message shows both histories, so the person confirming the merge sees what the
    merged-away record's votes were.
    """
    pair = dedup_store.read_pair(writer.reader, pair_id)
    if pair is None:
        raise ReviewflowError(f"no dedup pair {pair_id}")
    state = read_review_state(writer.reader)
    a, b = (state.merges.survivor(pair.record_a_id), state.merges.survivor(pair.record_b_id))
    (ra, wa), (rb, wb) = progress_rank(state, a), progress_rank(state, b)
    keep = b if rb > ra else a
    message = dedup_store.write_resolution(writer=writer, pair_id=pair_id, resolution=verdict,
                                           reviewer_id=reviewer_id, keep=keep)
    if verdict == "duplicate" and a != b and min(ra, rb) != 1:
        message += f" (record {a}: {wa}; record {b}: {wb}; record {keep}'s decisions stand)"
    return message


def undo_pair(pair_id: int, reviewer_id: int, *, session: Session) -> str | None:
    """Undo the latest call on a pair; returns the action undone (None if nothing to undo)."""
    return dedup_store.undo_call(pair_id, reviewer_id, session=session)
