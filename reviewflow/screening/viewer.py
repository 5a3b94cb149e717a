"""Who is looking at the review, and whose decision counts they may see.

Kept apart from :mod:`reviewflow.screening.blinding` (which reads records through
the ORM) so the reading commands decide what to show without loading the store
libraries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reviewflow.review_state.votes import ARBITER, RecordStatus


@dataclass(frozen=True)
class Viewer:
    """Who is looking: their reviewer id, name and role, and the review's blind flag."""

    reviewer_id: int
    name: str
    role: str = "reviewer"
    blind: bool = True

    @property
    def sees_all(self) -> bool:
        return self.role == ARBITER or not self.blind


def may_see(status: RecordStatus, viewer: Viewer) -> bool:
    """May ``viewer`` see the other votes and the resolution on this record at this stage?

    Yes for the arbiter and when blinding is off; otherwise once the viewer has
    decided the record themselves (and, having seen, for good: a revealed vote is locked).
    """
    return (viewer.sees_all or viewer.reviewer_id in status.locked
            or any(v.reviewer_id == viewer.reviewer_id for v in status.votes))


def shows_breakdown(viewer: Viewer | None, blind: bool, reviewer_name: str) -> bool:
    """May this viewer see how ``reviewer_name`` decided (include/exclude counts)?

    While blind, counts can reveal calls (one decided record and one include),
    so only one's own breakdown shows, and everything to the arbiter; an
    unidentified viewer (``None``) sees how many each person decided, nothing more.
    """
    if not blind:
        return True
    return viewer is not None and (viewer.sees_all or viewer.name == reviewer_name)


def near_twin(name: str, names: Iterable[str]) -> str | None:
    """An existing name equal to ``name`` but for case and spacing ("Ann" for "ann "):
    names are matched exactly, so callers refuse such a near-twin instead of
    counting one person's decisions as two people's."""
    key = " ".join(name.split()).casefold()
    return next((n for n in names if " ".join(n.split()).casefold() == key), None)
