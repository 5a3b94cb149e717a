"""The conflicts a viewer may see, read through the store's read seam (no ORM).

``reviewflow conflicts`` lists them without loading SQLAlchemy on SQLite; the
dashboard and the demo read the same list through a session
(:func:`reviewflow.screening.conflicts.list_conflicts`).
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.model import ReviewState
from reviewflow.review_state.votes import RecordStatus
from reviewflow.screening.viewer import Viewer, may_see
from reviewflow.stages import STAGES
from reviewflow.store.reader import Reader
from reviewflow.store.record_headings import read_record_headings


@dataclass(frozen=True)
class Conflict:
    """A record the reviewers disagree on, with its title for display."""

    status: RecordStatus
    title: str

    @property
    def resolved(self) -> bool:
        return self.status.resolution is not None


def read_conflicts(reader: Reader, stage: str | None = None, include_resolved: bool = False,
                   viewer: Viewer | None = None, state: ReviewState | None = None,
                   ) -> list[Conflict]:
    """Conflicts (between independent votes) at one stage (or all), unresolved first.

    Given a blinded ``viewer``, only conflicts on records they decided themselves
    are listed (a third screener must not see two colleagues' calls first).
    ``state``: the read model already loaded from the same reader.
    """
    state = state or read_review_state(reader)
    found = [status for st in ([stage] if stage else list(STAGES))
             for status in state.stage(st).conflicts(include_resolved)
             if viewer is None or may_see(status, viewer)]
    titles = _titles(reader, [s.record_id for s in found])
    found.sort(key=lambda s: (s.resolution is not None, STAGES.index(s.stage), s.record_id))
    return [Conflict(s, titles.get(s.record_id) or "(no title)") for s in found]


def _titles(reader: Reader, ids: list[int]) -> dict[int, str | None]:
    """Each record's title line: original language, then English, then the language."""
    return {rid: h.line() if (h.title or h.translated_title) else None
            for rid, h in read_record_headings(reader, ids).items()}
