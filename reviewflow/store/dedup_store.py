"""Applying deduplication to the review store, and a person's corrections.

Nothing is ever deleted or overwritten: an automatic merge is a
``DedupDecision`` row (``merge``, ``auto``, with the score and reason of the
pair that joined the record), a possible duplicate is a ``DedupPair`` row
waiting for a person, and undoing a merge appends an ``unmerge`` row (plus a
``distinct`` row so the next run does not merge the two again). Every record
keeps its own provenance rows, so PRISMA still counts what each database
returned; the current groups are derived by
:mod:`reviewflow.store.dedup_state`.

Runs are incremental: the ids of the records a run has judged are kept in
``store_meta`` (key ``dedup_seen``, as id ranges), and a later run only judges
pairs that involve a record no run has seen. Re-running with nothing new
imported therefore changes nothing; without this, the survivors of the first
run met new neighbours in the sorted blocks and produced new pairs each time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, select

from reviewflow.dedup import DedupResult, deduplicate
from reviewflow.dedup.merge import merged_record
from reviewflow.errors import ReviewflowError
from reviewflow.records import Record
from reviewflow.store import models
from reviewflow.store.dedup_state import (
    QueuedPair,
    merged_into,
    read_queued_pairs,
    related_pairs,
)
from reviewflow.store.reader import session_reader
from reviewflow.wording import plural

RESOLUTIONS = ("duplicate", "distinct")


@dataclass
class RunSummary:
    """What one ``reviewflow dedup`` run did (counts for the user)."""

    active_before: int
    new_records: int
    merged_records: int
    groups: int
    queued_new: int
    queue_open: int
    related_new: int  # related pairs this run stored, between records as imported
    related_now: int = 0  # related pairs between active records: what dedup --related lists

    def text(self) -> str:
        return (f"{plural(self.active_before, 'active record')} ({self.new_records} not "
                f"deduplicated before): merged {plural(self.merged_records, 'record')} "
                f"into {plural(self.groups, 'group')} automatically; "
                f"{plural(self.queued_new, 'new possible duplicate pair')} queued "
                f"({self.queue_open} open in the queue); "
                f"{plural(self.related_now, 'related pair')} (notices, abstracts) between "
                "the records ('reviewflow dedup --related' lists them)")


def to_record(row: models.RecordRow) -> Record:
    return Record(
        title=row.title, abstract=row.abstract, authors=json.loads(row.authors_json or "[]"),
        year=row.year, journal=row.journal, volume=row.volume, issue=row.issue,
        pages=row.pages, doi=row.doi, pmid=row.pmid, language=row.language,
        keywords=json.loads(row.keywords_json or "[]"), publication_type=row.publication_type,
        url=row.url, issn=row.issn, accession=row.accession,
        translated_title=row.translated_title,
    )


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _person_distinct(session: Session) -> set[tuple[int, int]]:
    d = models.DedupDecision
    rows = session.exec(select(d.kept_record_id, d.merged_record_id)
                        .where(d.action == "distinct")).all()
    return {_ordered(a, b) for a, b in rows}


def _pair(session: Session, cache: dict[tuple[int, int], models.DedupPair], a: int, b: int,
          outcome: str, score: float, reason: str) -> tuple[models.DedupPair, bool]:
    """The stored pair for records a, b (created when new; True when created)."""
    key = _ordered(a, b)
    if key in cache:
        return cache[key], False
    pair = models.DedupPair(record_a_id=key[0], record_b_id=key[1], score=score,
                            outcome=outcome, reason=reason)
    session.add(pair)
    session.flush()
    cache[key] = pair
    return pair, True


SEEN_KEY = "dedup_seen"


def _seen(session: Session) -> set[int]:
    """Ids of the records earlier runs judged (stored as ``[[first, last], ...]`` ranges)."""
    row = session.get(models.StoreMeta, SEEN_KEY)
    if row is None:
        return set()
    return {i for first, last in json.loads(row.value) for i in range(first, last + 1)}


def _ranges(ids: set[int]) -> list[list[int]]:
    """Sorted ids as inclusive ranges: imports number their records consecutively."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _mark_seen(session: Session, ids: set[int]) -> None:
    row = session.get(models.StoreMeta, SEEN_KEY)
    value = json.dumps(_ranges(ids), separators=(",", ":"))
    if row is None:
        session.add(models.StoreMeta(key=SEEN_KEY, value=value))
    else:
        row.value = value
        session.add(row)


@dataclass(frozen=True)
class DedupPlan:
    """What a run found, computed from a read session so the (slow) matching never holds
    the write lock; :func:`store_run` writes it. ``result`` is None when nothing is new."""

    ids: tuple[int, ...]  # active record ids, in the order ``result`` indexes them
    fresh: int  # how many of them no earlier run judged
    result: DedupResult | None


def plan_run(*, session: Session) -> DedupPlan:
    """Deduplicate the active records no earlier run has seen (against everything active);
    see the module docstring. Reads only."""
    gone = merged_into(session)
    seen = _seen(session)
    rows = [r for r in session.exec(select(models.RecordRow).order_by(models.RecordRow.id)).all()
            if r.id not in gone]
    distinct_ids = _person_distinct(session)
    ids = [int(r.id) for r in rows if r.id is not None]
    fresh = {k for k, rid in enumerate(ids) if rid not in seen}
    if not fresh:
        return DedupPlan(tuple(ids), 0, None)
    index = {rid: k for k, rid in enumerate(ids)}
    known = {_ordered(index[a], index[b]) for a, b in distinct_ids
             if a in index and b in index}
    result = deduplicate([to_record(r) for r in rows], known_distinct=known,
                         fresh=None if len(fresh) == len(ids) else fresh)
    return DedupPlan(tuple(ids), len(fresh), result)


def store_run(*, session: Session, plan: DedupPlan) -> RunSummary:
    """Merge the certain and queue the possible of ``plan``, in the caller's write
    transaction; merges are re-checked here, so a run that finished meanwhile is kept."""
    ids, result = list(plan.ids), plan.result
    if result is None:
        return RunSummary(len(ids), 0, 0, 0, 0, len(open_pairs(session)), 0,
                          len(related_pairs(session)))
    _lock_dedup(session)
    cache = {(p.record_a_id, p.record_b_id): p
             for p in session.exec(select(models.DedupPair)).all()}
    merged = _store_merges(session, cache, ids, result, _with_decisions(session, ids))
    queued = sum(_pair(session, cache, ids[p.a], ids[p.b], "possible", p.score, p.reason)[1]
                 for p in result.queued)
    related = sum(_pair(session, cache, ids[p.a], ids[p.b], "related", p.score, p.reason)[1]
                  for p in result.related)
    # re-read in this transaction: a run that finished meanwhile marked its records too
    _mark_seen(session, _seen(session) | set(ids))
    session.flush()
    return RunSummary(len(ids), plan.fresh, merged, len(result.groups), queued,
                      len(open_pairs(session)), related, len(related_pairs(session)))


DEDUP_LOCK = 160016  # PostgreSQL advisory lock key: one dedup run writes at a time


def _lock_dedup(session: Session) -> None:
    """Serialise concurrent runs' writes (SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(text(f"SELECT pg_advisory_xact_lock({DEDUP_LOCK})"))


def _with_decisions(session: Session, ids: list[int]) -> set[int]:
    """Records that carry screening decisions (a merge must not lose them)."""
    d = models.ScreeningDecision
    return set(session.exec(select(d.record_id).distinct()).all()) & set(ids)


def _store_merges(session: Session, cache: dict[tuple[int, int], models.DedupPair],
                  ids: list[int], result: DedupResult, decided: set[int]) -> int:
    """Write the automatic merges, re-checked inside this transaction.

    A member another run merged meanwhile is skipped (no merge is written twice);
    a group whose kept record has no decisions while one member has is kept by that
    member (decisions stay with the survivor); a group where several members carry
    decisions goes to a person (queued as possible pairs) instead of being merged.
    """
    gone = merged_into(session)
    merged = 0
    for group in result.groups:
        joined_by = {}
        for link in group.links:
            joined_by.setdefault(link.a, link)
            joined_by.setdefault(link.b, link)
        with_votes = [m for m in group.members if ids[m] in decided]
        if len(with_votes) > 1:
            for link in group.links:
                _pair(session, cache, ids[link.a], ids[link.b], "possible", link.score,
                      f"{link.reason}; both records carry screening decisions: a person decides")
            continue
        kept = with_votes[0] if with_votes else group.kept
        if ids[kept] in gone:
            continue
        for member in group.members:
            if member == kept or ids[member] in gone:
                continue
            link = joined_by[member]
            pair, _ = _pair(session, cache, ids[link.a], ids[link.b], "certain", link.score,
                            link.reason)
            session.add(models.DedupDecision(
                pair_id=pair.id, kept_record_id=ids[kept], merged_record_id=ids[member],
                action="merge", method="auto", score=link.score, reason=link.reason))
            gone[ids[member]] = ids[kept]
            merged += 1
    return merged


def open_pairs(session: Session) -> list[QueuedPair]:
    """:func:`~reviewflow.store.dedup_state.read_queued_pairs` in the session's transaction."""
    return read_queued_pairs(session_reader(session))


def undo_call(pair_id: int, reviewer_id: int | None = None, *,
              session: Session) -> str | None:
    """Take back the latest manual call on a pair (the queue's ``u``); None if there is none.

    A merge is undone with ``unmerge`` naming the same records, a distinct with
    ``reopen``; either way the pair is back in the queue.
    """
    d = models.DedupDecision
    last = session.exec(select(d).where(d.pair_id == pair_id, d.method == "manual")
                        .order_by(d.id.desc())).first()  # type: ignore[union-attr]
    if last is None or last.action not in ("merge", "distinct"):
        return None
    session.add(models.DedupDecision(
        pair_id=pair_id, kept_record_id=last.kept_record_id,
        merged_record_id=last.merged_record_id,
        action="unmerge" if last.action == "merge" else "reopen",
        method="manual", reviewer_id=reviewer_id, score=last.score,
        reason=f"undo of decision {last.id}"))
    session.flush()
    return last.action


def resolve(pair_id: int, resolution: str, reviewer_id: int | None = None,
            keep: int | None = None, *, session: Session) -> str:
    """Record a person's verdict on a queued pair; returns a one-line message.

    ``keep`` names which of the pair's (current) records survives a merge (the
    caller picks the one whose screening went furthest); default: the lower id.
    ``distinct`` after ``duplicate`` really splits the two (an ``unmerge`` first).
    """
    if resolution not in RESOLUTIONS:
        raise ReviewflowError(f"unknown resolution {resolution!r}; use duplicate or distinct")
    s = session
    pair = s.get(models.DedupPair, pair_id)
    if pair is None:
        raise ReviewflowError(f"no dedup pair {pair_id}")
    gone = merged_into(s)
    a = gone.get(pair.record_a_id, pair.record_a_id)
    b = gone.get(pair.record_b_id, pair.record_b_id)
    if resolution == "duplicate":
        if a == b:
            return f"pair {pair_id}: records already in one group"
        if keep == b:
            a, b = b, a
        s.add(models.DedupDecision(pair_id=pair_id, kept_record_id=a, merged_record_id=b,
                                   action="merge", method="manual", reviewer_id=reviewer_id,
                                   score=pair.score, reason="confirmed by a person"))
        s.flush()
        return f"pair {pair_id}: record {b} merged into record {a}"
    split = ""
    if a == b:
        split = _split(s, pair, gone, reviewer_id)
    s.add(models.DedupDecision(pair_id=pair_id, kept_record_id=pair.record_a_id,
                               merged_record_id=pair.record_b_id, action="distinct",
                               method="manual", reviewer_id=reviewer_id, score=pair.score,
                               reason="judged distinct by a person"))
    s.flush()
    return (f"pair {pair_id}: records {pair.record_a_id} and {pair.record_b_id} kept apart"
            + split)


def _split(session: Session, pair: models.DedupPair, gone: dict[int, int],
           reviewer_id: int | None) -> str:
    """Undo the merge that joined the pair's two records (they are in one group now)."""
    x, y = pair.record_a_id, pair.record_b_id
    direct = y if gone.get(y) == x or (y in gone and gone[y] == gone.get(x)) else x
    if direct not in gone:
        raise ReviewflowError(f"records {x} and {y} are joined through another record; "
                              f"take one out with 'reviewflow dedup --undo RECORD' first")
    session.add(models.DedupDecision(pair_id=pair.id, kept_record_id=gone[direct],
                                     merged_record_id=direct, action="unmerge",
                                     method="manual", reviewer_id=reviewer_id,
                                     reason="split: judged distinct by a person"))
    return f" (record {direct} taken back out of record {gone[direct]}'s group)"


def undo(record_id: int, reviewer_id: int | None = None, *, session: Session) -> str:
    """Take *record_id* back out of the group it was merged into."""
    d = models.DedupDecision
    last = session.exec(select(d).where(d.merged_record_id == record_id)
                        .where(d.action.in_(("merge", "unmerge")))  # type: ignore[attr-defined]
                        .order_by(d.id.desc())).first()  # type: ignore[union-attr]
    if last is None or last.action != "merge":
        raise ReviewflowError(f"record {record_id} is not merged into another record "
                              "(undo names the record that was merged away)")
    for action in ("unmerge", "distinct"):
        session.add(models.DedupDecision(pair_id=last.pair_id, kept_record_id=last.kept_record_id,
                                         merged_record_id=record_id, action=action,
                                         method="manual", reviewer_id=reviewer_id,
                                         reason=f"undo of decision {last.id}"))
    session.flush()
    return f"record {record_id} taken out of record {last.kept_record_id}'s group"


def merged_view(session: Session, record_id: int) -> Record:
    """The record as the review sees it: the survivor's group with the best fields of all.

    Computed on demand instead of overwriting the stored row, so undoing a merge
    never has to restore anything.
    """
    gone = merged_into(session)
    kept = gone.get(record_id, record_id)
    ids = [kept] + sorted(m for m, k in gone.items() if k == kept)
    rows = [session.get(models.RecordRow, i) for i in ids]
    if any(r is None for r in rows):
        raise ReviewflowError(f"no record {record_id}")
    records = [to_record(r) for r in rows if r is not None]
    return merged_record(list(range(len(records))), 0, records)
