"""Records the team already knows belong in the review ("known relevant" seeds).

A team usually starts with a few trials it knows must be found (from a previous
review, a key paper). Marked as seeds they train every reviewer's ranking as
relevant examples from the first record on. They are shared team knowledge
agreed before screening, not one reviewer's open decision, so using them for
everyone does not break blinding. They live in ``Review.settings_json`` under
``"ranking"`` (no schema change), next to the screening settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.screening.settings import review_json
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewflow.store.db import Store

SECTION, KEY = "ranking", "known_relevant"


def known_relevant(store: Store) -> set[int]:
    """Record ids marked as known relevant (empty when none)."""
    data = json.loads(store.review().settings_json or "{}")
    return {int(i) for i in data.get(SECTION, {}).get(KEY, [])}


def write_known_relevant(record_ids: Iterable[int], remove: bool = False, *,
                         writer: Writer) -> set[int]:
    """Add (or remove) seeds in the caller's transaction; returns the seeds now stored.

    Unknown record ids are a user error, so a typo does not silently seed nothing.
    """
    wanted = {int(i) for i in record_ids}
    reader = writer.reader
    if not remove:
        found = {rid for chunk in _chunks(sorted(wanted)) for (rid,) in reader.rows(
            f"SELECT id FROM record WHERE id IN ({', '.join('?' for _ in chunk)})", chunk)}
        missing = sorted(wanted - found)
        if missing:
            raise ReviewflowError(
                f"no record with id {', '.join(map(str, missing))} in this review")
    review_id, data = review_json(reader)
    section = data.setdefault(SECTION, {})
    current = {int(i) for i in section.get(KEY, [])}
    current = current - wanted if remove else current | wanted
    section[KEY] = sorted(current)
    writer.execute("UPDATE review SET settings_json = ? WHERE id = ?",
                   (json.dumps(data, ensure_ascii=False), review_id))
    return current


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def mark_known_relevant(record_ids: Iterable[int], remove: bool = False, *,
                        session: Session) -> set[int]:
    """:func:`write_known_relevant` in a session."""
    return write_known_relevant(record_ids, remove, writer=session_writer(session))
