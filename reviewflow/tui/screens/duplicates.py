"""Duplicate review: candidate pairs side by side, one keypress per call.

``d`` merges (record B into A, a manual merge event), ``n`` marks the pair
distinct, ``s`` skips it for this session, ``u`` undoes this session's last
call (an ``unmerge``/``reopen`` event, so nothing is ever deleted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from reviewflow.screening.dedup_review import decide_pair, pair_view, undo_pair, waiting_pair_ids
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.widgets.keybar import KeyBar
from reviewflow.tui.widgets.pair_view import pair_table
from reviewflow.wording import plural

if TYPE_CHECKING:
    from reviewflow.tui.app import ReviewflowApp

KEYS = [("d", "duplicate: merge B into A"), ("n", "not a duplicate"), ("s", "skip for now"),
        ("u", "undo the last call"), ("?", "this key map"), ("Esc", "back to the dashboard"),
        ("q / Ctrl+C", "quit")]
BAR = [
    ("d", "duplicate"), ("n", "not duplicate"), ("s", "skip"), ("u", "undo"), ("?", "keys"),
    ("Esc", "back"), ("q", "quit"),
]


class DuplicatesScreen(Screen[None]):
    BINDINGS = [
        Binding("d", "call('merge')", "Duplicate"),
        Binding("n", "call('distinct')", "Not duplicate"),
        Binding("s", "skip", "Skip"),
        Binding("u", "undo", "Undo"),
        Binding("question_mark", "help", "Keys"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[int] = []
        self.done: list[int] = []  # this session's calls, for undo

    @property
    def rf(self) -> ReviewflowApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label("", id="where", markup=False)
        with VerticalScroll(id="pair"):
            yield Static("", id="pair-table", markup=False)
        yield KeyBar(BAR)

    def on_mount(self) -> None:
        with self.rf.store.session() as s:
            self.queue = waiting_pair_ids(s)
        self.show()

    def show(self) -> None:
        where = self.query_one("#where", Label)
        table = self.query_one("#pair-table", Static)
        where.update(f"Duplicate review · {plural(len(self.queue), 'pair')} waiting · "
                     f"{len(self.done)} decided this session")
        if not self.queue:
            table.update("No duplicate pairs waiting.")
            return
        with self.rf.store.session() as s:
            table.update(pair_table(pair_view(s, self.queue[0])))

    def action_call(self, action: str) -> None:
        if not self.queue:
            return
        pair = self.queue.pop(0)
        decide_pair(self.rf.store, pair, action, self.rf.viewer.reviewer_id)
        self.done.append(pair)
        self.notify(f"Pair {pair}: {'duplicate (merged)' if action == 'merge' else 'distinct'}")
        self.show()

    def action_skip(self) -> None:
        if self.queue:
            self.queue.append(self.queue.pop(0))
            self.show()

    def action_undo(self) -> None:
        if not self.done:
            self.notify("Nothing to undo.", severity="warning")
            return
        pair = self.done.pop()
        undone = undo_pair(self.rf.store, pair, self.rf.viewer.reviewer_id)
        self.queue.insert(0, pair)
        self.notify(f"Pair {pair}: {undone} undone")
        self.show()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Duplicate review", KEYS))

    def action_back(self) -> None:
        self.dismiss(None)
