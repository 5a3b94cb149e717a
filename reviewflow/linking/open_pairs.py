"""The open same-study suggestions of a review, read through the read seam (no ORM).

``reviewflow same-study`` lists them and the full-text screen shows them; both
read here (SQL held once, over a :class:`~reviewflow.store.reader.Reader`), so
listing them answers without importing SQLAlchemy (issue 22). A suggestion is
open when no person has decided the pair and the two reports are not already in
one study; the rules that find pairs are :mod:`reviewflow.linking.suggest`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reviewflow.extraction.reconcile import read_consensus_values, read_reviewer_values
from reviewflow.linking.suggest import (
    LinkRecord,
    Suggestion,
    arm_sizes,
    sequence_key,
    suggest_links,
)
from reviewflow.store.dedup_state import read_active_record_ids
from reviewflow.store.reader import Reader
from reviewflow.store.study_merges import read_study_merge_map


@dataclass(frozen=True)
class OpenPairs:
    """The open suggestions, and the reports they name (as the rules read them)."""

    suggestions: tuple[Suggestion, ...]
    records: Mapping[int, LinkRecord]


def read_study_of(reader: Reader) -> dict[int, int]:
    """record -> its study (a merged study's reports belong to the study it joined)."""
    merges = read_study_merge_map(reader)
    return {rid: merges.get(sid, sid)
            for rid, sid in reader.rows("SELECT record_id, study_id FROM study_record")}


def _arm_sizes(reader: Reader, study: Mapping[int, int]) -> dict[int, tuple[int, ...]]:
    """record -> its study's extracted arm sizes (every reviewer's and consensus values)."""
    per_study: dict[int, list[tuple[str, str | None]]] = {}
    for (sid, _rid, path), value in read_reviewer_values(reader).items():
        per_study.setdefault(sid, []).append((path, value))
    for (sid, path), value in read_consensus_values(reader).items():
        per_study.setdefault(sid, []).append((path, value))
    sizes = {sid: arm_sizes(values) for sid, values in per_study.items()}
    return {rid: sizes.get(sid, ()) for rid, sid in study.items()}


def _records(reader: Reader, ids: set[int], study: Mapping[int, int]) -> list[LinkRecord]:
    rows = reader.rows("SELECT id, title, translated_title, authors_json, year, abstract, "
                       "keywords_json, language FROM record")
    arms = _arm_sizes(reader, study) if study else {}
    return [LinkRecord(rid, t, tt, tuple(json.loads(a or "[]")), y, ab,
                       tuple(json.loads(k or "[]")), lang, arms.get(rid, ()))
            for rid, t, tt, a, y, ab, k, lang in rows if rid in ids]


def _decided(reader: Reader) -> frozenset[tuple[int, int]]:
    return frozenset(sequence_key(pair) for pair in  # type: ignore[arg-type]
                     reader.rows("SELECT record_a_id, record_b_id FROM study_link_decision"))


def read_open_pairs(reader: Reader, among: Iterable[int] | None = None) -> OpenPairs:
    """Open suggestions: not decided by a person, not already in one study.

    ``among`` limits them to pairs of those records (e.g. the reports at full text).
    """
    active = set(read_active_record_ids(reader))
    if among is not None:
        active &= set(among)
    study = read_study_of(reader)
    records = _records(reader, active, study)
    members: dict[int, list[int]] = {}
    for rid, sid in study.items():
        members.setdefault(sid, []).append(rid)
    together = frozenset(sequence_key((x, y)) for group in members.values()
                         for x in group for y in group if x < y)
    found = suggest_links(records, _decided(reader) | together)
    return OpenPairs(tuple(found), {r.record_id: r for r in records})
