"""One reviewer's pass through one stage: the in-memory queue behind a keypress.

Built once per session from a handful of column queries; afterwards every
keypress costs one indexed fetch of a record and one small write, never a scan
of the record table (the TUI target is under 30 ms from key to next record with
100,000 records). Already-decided records sit before the remaining ones, so
"previous" walks back through them; the remaining ones come in the order a
:data:`QueueOrder` gives (record id by default; a ranking model can plug in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import or_
from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.review_state import load_review_state
from reviewflow.screening.blinding import RecordCard, Viewer, record_card
from reviewflow.screening.decisions import record_decision, retract_decision
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import FULL_TEXT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.dedup_state import related_index

QueueOrder = Callable[[Sequence[int]], list[int]]
"""Gives the order in which the remaining (undecided) record ids are screened."""


def id_order(ids: Sequence[int]) -> list[int]:
    """The default order: as imported (record id)."""
    return sorted(ids)


class ScreeningQueue:
    """The records one reviewer screens at one stage, with a cursor and an undo stack."""

    def __init__(self, store: Store, viewer: Viewer, stage: str, settings: ScreeningSettings,
                 order: QueueOrder = id_order) -> None:
        self.store, self.viewer, self.stage, self.settings = store, viewer, stage, settings
        with store.session() as s:
            state = load_review_state(s)
            self._related = related_index(s)  # notices, abstracts, registrations: few
        self._people, self._policy = state.people, state.policy
        eligible = state.stage(stage).eligible
        self.mine: dict[int, str] = state.stage(stage).decisions_of(viewer.reviewer_id)
        decided = sorted(self.mine)
        self.ids: list[int] = decided + list(order([i for i in eligible if i not in self.mine]))
        self._positions: dict[int, int] | None = None  # built on first search or jump
        self.pos = len(decided) if len(decided) < len(self.ids) else 0
        self._undo: list[int] = []

    def reorder_remaining(self, ranked: Sequence[int]) -> None:
        """Put the undecided records after the cursor in ``ranked``'s order.

        The record on screen and everything before it stay where they are, so a
        new ranking never swaps the record the reviewer is reading; ids missing
        from ``ranked`` keep their place after the ranked ones. One pass over the
        ids: meant to run between records, not on every keypress.
        """
        head, tail = self.ids[: self.pos + 1], self.ids[self.pos + 1 :]
        mine = self.mine
        done = [i for i in tail if i in mine]
        open_ids = {i for i in tail if i not in mine}
        open_ranked = [i for i in ranked if i in open_ids]
        rest: list[int] = []
        if len(open_ranked) < len(open_ids):
            placed = set(open_ranked)
            rest = [i for i in tail if i in open_ids and i not in placed]
        self.ids = head + done + open_ranked + rest
        self._positions = None

    def eligible_now(self) -> list[int]:
        """The stage's eligible ids as the store holds them now (read only: fine in a worker)."""
        with self.store.session() as s:
            return list(load_review_state(s).stage(self.stage).eligible)

    def sync_eligible(self, eligible: Sequence[int]) -> tuple[int, int]:
        """Take in records that became eligible since the queue was built; drop those that left.

        Another terminal keeps changing what this stage holds: the other reviewer's
        decision (or a resolution) moves a record on to full text, an import and
        dedup add titles. New ids join the end of the queue (the next refit ranks
        them). An undecided record that is no longer eligible leaves it unless it
        is on screen; one this reviewer decided stays, so their own trail through
        the queue is intact. Returns (added, dropped).
        """
        now = set(eligible)
        known = set(self.ids)
        current = self.current_id
        added = sorted(i for i in now if i not in known)
        gone = {i for i in self.ids if i not in now and i not in self.mine and i != current}
        if not added and not gone:
            return 0, 0
        self.ids = [i for i in self.ids if i not in gone] + added
        self._positions = None
        self.pos = self._pos_of[current] if current is not None else 0
        return len(added), len(gone)

    @property
    def _pos_of(self) -> dict[int, int]:
        if self._positions is None:
            self._positions = {rid: pos for pos, rid in enumerate(self.ids)}
        return self._positions

    # -- where we are --------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def decided(self) -> int:
        return len(self.mine)

    @property
    def left(self) -> int:
        return self.total - self.decided

    @property
    def current_id(self) -> int | None:
        return self.ids[self.pos] if self.ids else None

    def card(self) -> RecordCard | None:
        """The current record as this viewer may see it (one indexed fetch)."""
        rid = self.current_id
        if rid is None:
            return None
        with self.store.session() as s:
            return record_card(s, rid, self.stage, self.viewer, self._people, self._related,
                               self._policy)

    # -- moving --------------------------------------------------------------
    def move(self, delta: int) -> None:
        if self.ids:
            self.pos = max(0, min(len(self.ids) - 1, self.pos + delta))

    def jump_to(self, record_id: int) -> bool:
        pos = self._pos_of.get(record_id)
        if pos is None:
            return False
        self.pos = pos
        return True

    def next_undecided(self) -> None:
        """Advance to the next record without a decision (wrapping); stay if none is left."""
        n = len(self.ids)
        for step in range(1, n + 1):
            pos = (self.pos + step) % n
            if self.ids[pos] not in self.mine:
                self.pos = pos
                return

    def search(self, text: str) -> int | None:
        """Jump to the next record (after the cursor) whose title, English title (of a Chinese
        record) or abstract contains text."""
        text = text.strip()
        if not text or not self.ids:
            return None
        r = models.RecordRow
        pattern = f"%{text}%"
        with self.store.session() as s:
            hits = s.exec(select(r.id).where(or_(
                r.title.ilike(pattern), r.translated_title.ilike(pattern),  # type: ignore[union-attr]
                r.abstract.ilike(pattern)))).all()  # type: ignore[union-attr]
        positions = sorted(self._pos_of[h] for h in hits if h in self._pos_of)
        if not positions:
            return None
        after = [p for p in positions if p > self.pos]
        self.pos = after[0] if after else positions[0]
        return self.ids[self.pos]

    # -- deciding ------------------------------------------------------------
    def decide(self, decision: str, reason: str | None = None, note: str | None = None) -> None:
        """Store a decision on the current record (own transaction) and move on."""
        rid = self.current_id
        if rid is None:
            raise ReviewflowError("nothing to screen at this stage")
        if self.stage == FULL_TEXT and decision == "exclude":
            if not reason:
                raise ReviewflowError("a full-text exclusion needs a reason")
            reason = self.settings.match_reason(reason)
        record_decision(self.store, record_id=rid, stage=self.stage,
                        reviewer_id=self.viewer.reviewer_id, decision=decision,
                        reason=reason, note=note, people=self._people, policy=self._policy)
        self.mine[rid] = decision
        self._undo.append(rid)
        self.next_undecided()

    def undo(self) -> int | None:
        """Retract the last decision of this session (else the current record's) and show it."""
        rid = self._undo[-1] if self._undo else self.current_id
        if rid is None or rid not in self.mine:
            if self._undo:
                self._undo.pop()
            return None
        retract_decision(self.store, record_id=rid, stage=self.stage,
                         reviewer_id=self.viewer.reviewer_id, people=self._people,
                         policy=self._policy)  # refused once revealed: the stack stays
        if self._undo:
            self._undo.pop()
        del self.mine[rid]
        self.jump_to(rid)
        return rid
