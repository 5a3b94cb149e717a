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

Writes go through the write seam (a :class:`~reviewflow.store.writer.Writer`), reads
through the read seam's loaders (:mod:`reviewflow.store.dedup_state`,
:mod:`reviewflow.store.stored_records`), so ``reviewflow dedup`` writes a SQLite review
without loading the ORM; the session-taking names are thin wrappers for the TUI and
the demo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.records import Record
from reviewflow.store.dedup_state import (
    QueuedPair,
    read_merge_map,
    read_queued_pairs,
    read_related_pairs,
)
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.stored_records import read_records
from reviewflow.store.writer import Writer, session_writer
from reviewflow.wording import plural

if TYPE_CHECKING:  # numpy and the matcher load only when a run matches; the ORM never
    from sqlmodel import Session

    from reviewflow.dedup import DedupResult

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


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _person_distinct(reader: Reader) -> set[tuple[int, int]]:
    return {_ordered(a, b) for a, b in reader.rows(
        "SELECT kept_record_id, merged_record_id FROM dedup_decision "
        "WHERE action = 'distinct'")}


Pairs = dict[tuple[int, int], int]  # (lower record id, higher) -> stored pair id


def _stored_pairs(reader: Reader) -> Pairs:
    return {(a, b): pid for pid, a, b in reader.rows(
        "SELECT id, record_a_id, record_b_id FROM dedup_pair")}


def _pair(writer: Writer, cache: Pairs, a: int, b: int, outcome: str, score: float,
          reason: str) -> tuple[int, bool]:
    """The stored pair for records a, b (created when new; True when created)."""
    key = _ordered(a, b)
    if key in cache:
        return cache[key], False
    cache[key] = writer.insert("dedup_pair", record_a_id=key[0], record_b_id=key[1],
                               score=score, outcome=outcome, reason=reason)
    return cache[key], True


SEEN_KEY = "dedup_seen"


def _seen(reader: Reader) -> set[int]:
    """Ids of the records earlier runs judged (stored as ``[[first, last], ...]`` ranges)."""
    value = reader.scalar("SELECT value FROM store_meta WHERE key = ?", (SEEN_KEY,))
    if value is None:
        return set()
    return {i for first, last in json.loads(value) for i in range(first, last + 1)}


def _ranges(ids: set[int]) -> list[list[int]]:
    """Sorted ids as inclusive ranges: imports number their records consecutively."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _mark_seen(writer: Writer, ids: set[int]) -> None:
    value = json.dumps(_ranges(ids), separators=(",", ":"))
    if not writer.execute("UPDATE store_meta SET value = ? WHERE key = ?", (value, SEEN_KEY)):
        writer.execute("INSERT INTO store_meta (key, value) VALUES (?, ?)", (SEEN_KEY, value))


@dataclass(frozen=True)
class DedupPlan:
    """What a run found, computed from a read session so the (slow) matching never holds
    the write lock; :func:`store_run` writes it. ``result`` is None when nothing is new."""

    ids: tuple[int, ...]  # active record ids, in the order ``result`` indexes them
    fresh: int  # how many of them no earlier run judged
    result: DedupResult | None


def plan_run(*, session: Session) -> DedupPlan:
    """:func:`find_run` in a session (the demo, tests)."""
    return find_run(session_reader(session))


def find_run(reader: Reader) -> DedupPlan:
    """Deduplicate the active records no earlier run has seen (against everything active);
    see the module docstring. Reads only."""
    gone = read_merge_map(reader).kept_of
    seen = _seen(reader)
    rows = [(rid, record) for rid, record in read_records(reader) if rid not in gone]
    ids = [rid for rid, _ in rows]
    fresh = {k for k, rid in enumerate(ids) if rid not in seen}
    if not fresh:
        return DedupPlan(tuple(ids), 0, None)
    from reviewflow.dedup import deduplicate

    index = {rid: k for k, rid in enumerate(ids)}
    known = {_ordered(index[a], index[b]) for a, b in _person_distinct(reader)
             if a in index and b in index}
    result = deduplicate([record for _, record in rows], known_distinct=known,
                         fresh=None if len(fresh) == len(ids) else fresh)
    return DedupPlan(tuple(ids), len(fresh), result)


def store_run(*, session: Session, plan: DedupPlan) -> RunSummary:
    """:func:`write_run` in a session (the demo, tests)."""
    return write_run(writer=session_writer(session), plan=plan)


def write_run(*, writer: Writer, plan: DedupPlan) -> RunSummary:
    """Merge the certain and queue the possible of ``plan``, in the caller's write
    transaction; merges are re-checked here, so a run that finished meanwhile is kept."""
    ids, result = list(plan.ids), plan.result
    reader = writer.reader
    if result is None:
        return RunSummary(len(ids), 0, 0, 0, 0, len(read_queued_pairs(reader)), 0,
                          len(read_related_pairs(reader)))
    _lock_dedup(writer)
    cache = _stored_pairs(reader)
    merged = _store_merges(writer, cache, ids, result, _with_decisions(reader, ids))
    queued = sum(_pair(writer, cache, ids[p.a], ids[p.b], "possible", p.score, p.reason)[1]
                 for p in result.queued)
    related = sum(_pair(writer, cache, ids[p.a], ids[p.b], "related", p.score, p.reason)[1]
                  for p in result.related)
    # re-read in this transaction: a run that finished meanwhile marked its records too
    _mark_seen(writer, _seen(reader) | set(ids))
    return RunSummary(len(ids), plan.fresh, merged, len(result.groups), queued,
                      len(read_queued_pairs(reader)), related, len(read_related_pairs(reader)))


DEDUP_LOCK = 160016  # PostgreSQL advisory lock key: one dedup run writes at a time


def _lock_dedup(writer: Writer) -> None:
    """Serialise concurrent runs' writes (SQLite's BEGIN IMMEDIATE already does)."""
    if not writer.sqlite:
        writer.reader.rows("SELECT pg_advisory_xact_lock(?)", (DEDUP_LOCK,))


def _with_decisions(reader: Reader, ids: list[int]) -> set[int]:
    """Records that carry screening decisions (a merge must not lose them)."""
    return {rid for (rid,) in reader.rows("SELECT DISTINCT record_id FROM screening_decision")
            } & set(ids)


def _store_merges(writer: Writer, cache: Pairs, ids: list[int], result: DedupResult,
                  decided: set[int]) -> int:
    """Write the automatic merges, re-checked inside this transaction.

    A member another run merged meanwhile is skipped (no merge is written twice);
    a group whose kept record has no decisions while one member has is kept by that
    member (decisions stay with the survivor); a group where several members carry
    decisions goes to a person (queued as possible pairs) instead of being merged.
    """
    gone = dict(read_merge_map(writer.reader).kept_of)
    merged = 0
    for group in result.groups:
        joined_by = {}
        for link in group.links:
            joined_by.setdefault(link.a, link)
            joined_by.setdefault(link.b, link)
        with_votes = [m for m in group.members if ids[m] in decided]
        if len(with_votes) > 1:
            for link in group.links:
                _pair(writer, cache, ids[link.a], ids[link.b], "possible", link.score,
                      f"{link.reason}; both records carry screening decisions: a person decides")
            continue
        kept = with_votes[0] if with_votes else group.kept
        if ids[kept] in gone:
            continue
        for member in group.members:
            if member == kept or ids[member] in gone:
                continue
            link = joined_by[member]
            pair_id, _ = _pair(writer, cache, ids[link.a], ids[link.b], "certain", link.score,
                               link.reason)
            writer.insert("dedup_decision", pair_id=pair_id, kept_record_id=ids[kept],
                          merged_record_id=ids[member], action="merge", method="auto",
                          score=link.score, reason=link.reason)
            gone[ids[member]] = ids[kept]
            merged += 1
    return merged


def open_pairs(session: Session) -> list[QueuedPair]:
    """:func:`~reviewflow.store.dedup_state.read_queued_pairs` in the session's transaction."""
    return read_queued_pairs(session_reader(session))


def undo_call(pair_id: int, reviewer_id: int | None = None, *,
              session: Session) -> str | None:
    """:func:`write_undo_call` in a session (the TUI's duplicate screen)."""
    return write_undo_call(writer=session_writer(session), pair_id=pair_id,
                           reviewer_id=reviewer_id)


def write_undo_call(*, writer: Writer, pair_id: int, reviewer_id: int | None = None
                    ) -> str | None:
    """Take back the latest manual call on a pair (the queue's ``u``); None if there is none.

    A merge is undone with ``unmerge`` naming the same records, a distinct with
    ``reopen``; either way the pair is back in the queue.
    """
    found = writer.reader.rows(
        "SELECT id, kept_record_id, merged_record_id, action, score FROM dedup_decision "
        "WHERE pair_id = ? AND method = 'manual' ORDER BY id DESC LIMIT 1", (pair_id,))
    if not found or found[0][3] not in ("merge", "distinct"):
        return None
    last_id, kept, merged, action, score = found[0]
    writer.insert("dedup_decision", pair_id=pair_id, kept_record_id=kept,
                  merged_record_id=merged, action="unmerge" if action == "merge" else "reopen",
                  method="manual", reviewer_id=reviewer_id, score=score,
                  reason=f"undo of decision {last_id}")
    return str(action)


@dataclass(frozen=True)
class StoredPair:
    """A stored dedup pair, as a person's call reads it."""

    id: int
    record_a_id: int
    record_b_id: int
    score: float
    outcome: str
    reason: str | None


def read_pair(reader: Reader, pair_id: int) -> StoredPair | None:
    found = reader.rows("SELECT id, record_a_id, record_b_id, score, outcome, reason "
                        "FROM dedup_pair WHERE id = ?", (pair_id,))
    return StoredPair(*found[0]) if found else None


def resolve(pair_id: int, resolution: str, reviewer_id: int | None = None,
            keep: int | None = None, *, session: Session) -> str:
    """:func:`write_resolution` in a session (the demo, the TUI)."""
    return write_resolution(writer=session_writer(session), pair_id=pair_id,
                            resolution=resolution, reviewer_id=reviewer_id, keep=keep)


def write_resolution(*, writer: Writer, pair_id: int, resolution: str,
                     reviewer_id: int | None = None, keep: int | None = None) -> str:
    """Record a person's verdict on a queued pair; returns a one-line message.

    ``keep`` names which of the pair's (current) records survives a merge (the
    caller picks the one whose screening went furthest); default: the lower id.
    ``distinct`` after ``duplicate`` really splits the two (an ``unmerge`` first).
    """
    if resolution not in RESOLUTIONS:
        raise ReviewflowError(f"unknown resolution {resolution!r}; use duplicate or distinct")
    pair = read_pair(writer.reader, pair_id)
    if pair is None:
        raise ReviewflowError(f"no dedup pair {pair_id}")
    gone = dict(read_merge_map(writer.reader).kept_of)
    a = gone.get(pair.record_a_id, pair.record_a_id)
    b = gone.get(pair.record_b_id, pair.record_b_id)
    if resolution == "duplicate":
        if a == b:
            return f"pair {pair_id}: records already in one group"
        if keep == b:
            a, b = b, a
        writer.insert("dedup_decision", pair_id=pair_id, kept_record_id=a, merged_record_id=b,
                      action="merge", method="manual", reviewer_id=reviewer_id,
                      score=pair.score, reason="confirmed by a person")
        return f"pair {pair_id}: record {b} merged into record {a}"
    split = ""
    if a == b:
        split = _split(writer, pair, gone, reviewer_id)
    writer.insert("dedup_decision", pair_id=pair_id, kept_record_id=pair.record_a_id,
                  merged_record_id=pair.record_b_id, action="distinct", method="manual",
                  reviewer_id=reviewer_id, score=pair.score,
                  reason="judged distinct by a person")
    return (f"pair {pair_id}: records {pair.record_a_id} and {pair.record_b_id} kept apart"
            + split)


def _split(writer: Writer, pair: StoredPair, gone: dict[int, int],
           reviewer_id: int | None) -> str:
    """Undo the merge that joined the pair's two records (they are in one group now)."""
    x, y = pair.record_a_id, pair.record_b_id
    direct = y if gone.get(y) == x or (y in gone and gone[y] == gone.get(x)) else x
    if direct not in gone:
        raise ReviewflowError(f"records {x} and {y} are joined through another record; "
                              f"take one out with 'reviewflow dedup --undo RECORD' first")
    writer.insert("dedup_decision", pair_id=pair.id, kept_record_id=gone[direct],
                  merged_record_id=direct, action="unmerge", method="manual",
                  reviewer_id=reviewer_id, reason="split: judged distinct by a person")
    return f" (record {direct} taken back out of record {gone[direct]}'s group)"


def undo(record_id: int, reviewer_id: int | None = None, *, session: Session) -> str:
    """:func:`write_undo` in a session (tests)."""
    return write_undo(writer=session_writer(session), record_id=record_id,
                      reviewer_id=reviewer_id)


def write_undo(*, writer: Writer, record_id: int, reviewer_id: int | None = None) -> str:
    """Take *record_id* back out of the group it was merged into."""
    found = writer.reader.rows(
        "SELECT id, pair_id, kept_record_id, action FROM dedup_decision "
        "WHERE merged_record_id = ? AND action IN ('merge', 'unmerge') "
        "ORDER BY id DESC LIMIT 1", (record_id,))
    if not found or found[0][3] != "merge":
        raise ReviewflowError(f"record {record_id} is not merged into another record "
                              "(undo names the record that was merged away)")
    last_id, pair_id, kept, _ = found[0]
    for action in ("unmerge", "distinct"):
        writer.insert("dedup_decision", pair_id=pair_id, kept_record_id=kept,
                      merged_record_id=record_id, action=action, method="manual",
                      reviewer_id=reviewer_id, reason=f"undo of decision {last_id}")
    return f"record {record_id} taken out of record {kept}'s group"


def merged_view(session: Session, record_id: int) -> Record:
    """The record as the review sees it: the survivor's group with the best fields of all.

    Computed on demand instead of overwriting the stored row, so undoing a merge
    never has to restore anything.
    """
    from reviewflow.dedup.merge import merged_record

    reader = session_reader(session)
    gone = read_merge_map(reader).kept_of
    kept = gone.get(record_id, record_id)
    ids = [kept] + sorted(m for m, k in gone.items() if k == kept)
    found = dict(read_records(reader, ids))
    if any(i not in found for i in ids):
        raise ReviewflowError(f"no record {record_id}")
    records = [found[i] for i in ids]
    return merged_record(list(range(len(records))), 0, records)
