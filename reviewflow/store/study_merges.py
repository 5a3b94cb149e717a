"""The current study merges, replayed from the append-only ``study_merge`` events.

A study merged into another keeps its rows (reports, extraction values, risk of
bias) under its own id; every reader maps them through :func:`study_merge_map`,
so the merged study is counted once and an unmerge restores both exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from reviewflow.store.reader import Reader, session_reader

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewflow.store.writer import Writer

MERGE, UNMERGE = "merge", "unmerge"
STUDY_MERGE_LOCK = 160018  # PostgreSQL advisory lock key (dedup runs use 160016)


def study_merge_map(session: Session) -> dict[int, int]:
    """Absorbed study -> the study it now belongs to, read in the session's transaction."""
    return read_study_merge_map(session_reader(session))


def read_study_merge_map(reader: Reader) -> dict[int, int]:
    """Absorbed study -> the study it now belongs to (chains followed to the end)."""
    direct: dict[int, int] = {}
    for study, into, action in reader.rows(
            "SELECT study_id, into_id, action FROM study_merge ORDER BY id"):
        if action != MERGE:
            direct.pop(study, None)
        elif final_study(direct, into) != study:  # two racing merges never make a cycle
            direct[study] = into
    return {study: final_study(direct, study) for study in direct}


def lock_study_merges(session: Session) -> None:
    """:func:`lock_merges` in a session."""
    from reviewflow.store.writer import session_writer

    lock_merges(session_writer(session))


def lock_merges(writer: Writer) -> None:
    """Serialise merges on PostgreSQL (SQLite's BEGIN IMMEDIATE already does), so a
    merge's check for hidden values and its event see the same studies."""
    if not writer.sqlite:
        writer.reader.rows(f"SELECT pg_advisory_xact_lock({STUDY_MERGE_LOCK})")


def final_study(merges: Mapping[int, int], study_id: int) -> int:
    """Where ``study_id``'s rows belong now (itself when never merged)."""
    seen = {study_id}
    while study_id in merges and merges[study_id] not in seen:
        study_id = merges[study_id]
        seen.add(study_id)
    return study_id


def members(merges: Mapping[int, int], study_id: int) -> frozenset[int]:
    """The final study of ``study_id`` and every study merged into it."""
    final = final_study(merges, study_id)
    return frozenset({final} | {s for s, into in merges.items() if into == final})


def regroup(merges: Mapping[int, int], rows: Iterable[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Rows whose first column is a study id, with that id mapped to its final study."""
    if not merges:
        return list(rows)
    return [(merges.get(row[0], row[0]), *row[1:]) for row in rows]
