"""The human side of deduplication: candidate pairs waiting for a person's call.

Dedup (another module) fills :class:`~reviewflow.store.models.DedupPair`; a pair
waits while no decision names it, or when its latest decision was undone.
A person's call is an append-only :class:`~reviewflow.store.models.DedupDecision`:
``merge`` (duplicate, method manual), ``distinct`` (not a duplicate). Undo
appends ``unmerge`` after a merge (so :mod:`reviewflow.store.dedup_state`
restores the record) and ``reopen`` after a distinct; ``reopen`` is ignored by
the merge-state derivation, it only puts the pair back in the queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.db import Store

UNDONE = ("unmerge", "reopen")
COMPARED_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
                   "pmid", "abstract")


@dataclass(frozen=True)
class PairView:
    """Both records of a pair, field by field, with the fields that differ."""

    pair_id: int
    score: float
    outcome: str
    reason: str | None
    a: dict[str, str]
    b: dict[str, str]
    differing: frozenset[str]


def _latest_actions(session: Session) -> dict[int, str]:
    d = models.DedupDecision
    rows = session.exec(
        select(d.pair_id, d.action).where(d.pair_id.is_not(None)).order_by(d.id)  # type: ignore[union-attr,arg-type]
    ).all()
    return {pair: action for pair, action in rows}


def waiting_pair_ids(session: Session) -> list[int]:
    """Pairs no one has decided (or whose decision was undone), best score first."""
    latest = _latest_actions(session)
    p = models.DedupPair
    rows = session.exec(select(p.id, p.score).order_by(p.score.desc(), p.id)).all()  # type: ignore[attr-defined]
    return [i for i, _ in rows if latest.get(i, "unmerge") in UNDONE]


def _fields(row: models.RecordRow) -> dict[str, str]:
    authors = "; ".join(json.loads(row.authors_json or "[]"))
    values = {
        "title": row.title, "authors": authors, "year": row.year, "journal": row.journal,
        "volume": row.volume, "issue": row.issue, "pages": row.pages, "doi": row.doi,
        "pmid": row.pmid, "abstract": row.abstract,
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def pair_view(session: Session, pair_id: int) -> PairView:
    pair = session.get(models.DedupPair, pair_id)
    if pair is None:
        raise ReviewflowError(f"duplicate pair {pair_id} does not exist")
    a = _fields(session.get(models.RecordRow, pair.record_a_id))  # type: ignore[arg-type]
    b = _fields(session.get(models.RecordRow, pair.record_b_id))  # type: ignore[arg-type]
    differing = frozenset(k for k in COMPARED_FIELDS if _norm(a[k]) != _norm(b[k]))
    return PairView(pair_id, pair.score, pair.outcome, pair.reason, a, b, differing)


def decide_pair(store: Store, pair_id: int, action: str, reviewer_id: int) -> models.DedupDecision:
    """Record a person's call on a pair: ``merge`` (b into a), ``distinct``, or an undo."""
    if action not in ("merge", "distinct", "unmerge", "reopen"):
        raise ReviewflowError(f"unknown duplicate action {action!r}")
    with store.write() as s:
        pair = s.get(models.DedupPair, pair_id)
        if pair is None:
            raise ReviewflowError(f"duplicate pair {pair_id} does not exist")
        row = models.DedupDecision(
            pair_id=pair_id, kept_record_id=pair.record_a_id, merged_record_id=pair.record_b_id,
            action=action, method="manual", reviewer_id=reviewer_id, score=pair.score,
        )
        s.add(row)
    return row


def undo_pair(store: Store, pair_id: int, reviewer_id: int) -> str | None:
    """Undo the latest call on a pair; returns the action undone (None if nothing to undo).

    The undo names the same kept/merged records as the call it undoes, so an
    automatic merge made the other way round is undone correctly too.
    """
    d = models.DedupDecision
    with store.write() as s:
        last = s.exec(
            select(d).where(d.pair_id == pair_id).order_by(d.id.desc())  # type: ignore[union-attr]
        ).first()
        if last is None or last.action not in ("merge", "distinct"):
            return None
        s.add(models.DedupDecision(
            pair_id=pair_id, kept_record_id=last.kept_record_id,
            merged_record_id=last.merged_record_id,
            action="unmerge" if last.action == "merge" else "reopen",
            method="manual", reviewer_id=reviewer_id, score=last.score,
        ))
        return last.action
