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

from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.db import Store

SECTION, KEY = "ranking", "known_relevant"


def known_relevant(store: Store) -> set[int]:
    """Record ids marked as known relevant (empty when none)."""
    data = json.loads(store.review().settings_json or "{}")
    return {int(i) for i in data.get(SECTION, {}).get(KEY, [])}


def mark_known_relevant(record_ids: Iterable[int], remove: bool = False, *,
                        session: Session) -> set[int]:
    """Add (or remove) seeds in the caller's transaction; returns the seeds now stored.

    Unknown record ids are a user error, so a typo does not silently seed nothing.
    """
    wanted = {int(i) for i in record_ids}
    if not remove:
        r = models.RecordRow
        found = set(session.exec(select(r.id).where(r.id.in_(wanted))).all())  # type: ignore[union-attr]
        missing = sorted(wanted - found)
        if missing:
            raise ReviewflowError(
                f"no record with id {', '.join(map(str, missing))} in this review")
    review = session.exec(select(models.Review)).one()
    data = json.loads(review.settings_json or "{}")
    section = data.setdefault(SECTION, {})
    current = {int(i) for i in section.get(KEY, [])}
    current = current - wanted if remove else current | wanted
    section[KEY] = sorted(current)
    review.settings_json = json.dumps(data, ensure_ascii=False)
    session.add(review)
    session.flush()
    return current
