"""Screening one record at a time: one keypress, one decision, next record.

The queue of record ids is built once (:class:`ScreeningQueue`); each keypress
writes one decision and fetches one record by id, so it stays fast with
100,000 records. Keys act on the record shown; the note field (``o``) belongs
to the next decision on that record.

"Most relevant first" never touches that path: a decision only checks (in
constant time) whether a refit is due; the refit runs in a thread worker and
its order is applied to the records *after* the one on screen, between
keypresses (:meth:`ScreeningQueue.reorder_remaining`).
"""

from __future__ import annotations

import time

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Label, ProgressBar, Static

from reviewflow.errors import ReviewflowError
from reviewflow.screening.prioritise import Prioritiser, Priority
from reviewflow.screening.queue import ScreeningQueue
from reviewflow.screening.ranking_process import ProcessPrioritiser
from reviewflow.stages import FULL_TEXT, LABELS
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.screens.reason_picker import ReasonPicker
from reviewflow.tui.screens.search_prompt import SearchPrompt
from reviewflow.tui.widgets.fields import ProseField
from reviewflow.tui.widgets.keybar import KeyBar
from reviewflow.tui.widgets.record_pane import RecordPane
from reviewflow.tui.widgets.record_view import card_body, card_header, card_status

KEYS = [
    ("i", "include"), ("e", "exclude (full text: pick a reason)"), ("m", "maybe (hold)"),
    ("r", "not retrievable (full text only)"), ("u", "undo the last decision"),
    ("n / →", "next record"), ("p / ←", "previous record"),
    ("↑ ↓ PgUp PgDn Space", "scroll the record"),
    ("/", "search title and abstract"), ("o", "write a note (Enter: back)"),
    ("s", "order: most relevant first / file"),
    ("?", "this key map"), ("Esc", "back to the dashboard"), ("q / Ctrl+C", "quit"),
]
BAR = [
    ("i", "include"), ("e", "exclude"), ("m", "maybe"), ("u", "undo"), ("n/p", "next/prev"),
    ("/", "search"), ("o", "note"), ("s", "sort"), ("?", "keys"), ("Esc", "back"), ("q", "quit"),
]
RELEVANCE, FILE = "relevance", "file"
IDLE_BEFORE_REORDER_S = 0.25  # a new order waits until the reviewer pauses on a record
SYNC_EVERY_S = 20.0  # how often to look for records other terminals moved into this stage


class ScreeningScreen(Screen[None]):
    BINDINGS = [
        Binding("i", "decide('include')", "Include"),
        Binding("e", "exclude", "Exclude"),
        Binding("m", "decide('maybe')", "Maybe"),
        Binding("r", "not_retrieved", "Not retrievable", show=False),
        Binding("u", "undo", "Undo"),
        Binding("n,right", "move(1)", "Next"),
        Binding("p,left", "move(-1)", "Prev"),
        Binding("slash", "search", "Search"),
        Binding("down", "scroll(1)", "Scroll down", show=False),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
        Binding("pagedown,space", "scroll(10)", "Page down", show=False),
        Binding("pageup", "scroll(-10)", "Page up", show=False),
        Binding("o", "note", "Note"),
        Binding("s", "toggle_order", "Sort"),
        Binding("question_mark", "help", "Keys"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, queue: ScreeningQueue,
                 prioritiser: Prioritiser | ProcessPrioritiser | None = None,
                 mode: str = RELEVANCE) -> None:
        super().__init__()
        self.queue = queue
        self.settings = queue.settings
        self.prioritiser = prioritiser
        self.mode = mode if prioritiser is not None else FILE
        self.priority: Priority | None = None
        self.refitting = False
        self.refits = 0  # refits applied (the bench reports it)
        self.last_key = 0.0  # monotonic time of the last decision or move
        self._order_shown: str | None = None
        self.note_shown = ""  # the note as stored for the record on screen

    def compose(self) -> ComposeResult:
        q = self.queue
        blind = "blind" if q.viewer.blind else "unblinded"
        with Horizontal(id="topbar"):
            yield Label(f"{LABELS[q.stage]} · {q.viewer.name} ({q.viewer.role}, {blind})",
                        id="where", markup=False)
            yield Label("", id="order")
            yield Label("", id="left")
        yield ProgressBar(total=max(q.total, 1), show_eta=False, id="progress")
        yield RecordPane(id="record")
        yield Static("", id="status", markup=False)
        yield ProseField(placeholder="note: press o to write one; it is saved with your next "
                         "decision",
                    id="note")
        yield KeyBar(BAR)

    def on_mount(self) -> None:
        self.query_one("#record").focus()
        self.show_current()
        self.show_order()
        if self.mode == RELEVANCE:
            self.start_refit()
        self.set_interval(SYNC_EVERY_S, self.start_sync)

    # -- records arriving from other terminals ----------------------------------
    def start_sync(self) -> None:
        """Re-read which records this stage holds, off the UI thread."""
        self.run_worker(self._sync_in_thread, thread=True, group="eligible", exclusive=True)

    def _sync_in_thread(self) -> None:
        try:
            eligible = self.queue.eligible_now()
        except SQLAlchemyError:  # a busy database: the next tick tries again
            return
        self.app.call_from_thread(self.apply_eligible, eligible)

    def apply_eligible(self, eligible: list[int]) -> None:
        """Merge the stage's current records into the queue between keypresses."""
        if not self.is_attached:
            return
        q = self.queue
        was_done = q.left == 0
        added, dropped = q.sync_eligible(eligible)
        if not (added or dropped):
            return
        if was_done and q.left:
            q.next_undecided()
        self.query_one("#progress", ProgressBar).update(total=max(q.total, 1))
        self.show_current()
        if added:
            noun = "record" if added == 1 else "records"
            self.notify(f"{added} new {noun} at this stage (decided elsewhere or imported).")
        if added and self.mode == RELEVANCE:
            self.start_refit()  # rank the newcomers among the rest

    # -- drawing -------------------------------------------------------------
    def show_current(self) -> None:
        """Draw the current record: one fetch by id, then only sizes that can change re-layout."""
        q = self.queue
        card = q.card()
        with self.app.batch_update():
            self.query_one("#progress", ProgressBar).update(progress=q.decided)
            self.query_one("#left", Label).update(f"{q.left} left of {q.total}", layout=False)
            record = self.query_one("#record", RecordPane)
            status = self.query_one("#status", Static)
            note = self.query_one("#note", Input)
            if card is None:
                record.show(Text("Nothing to screen at this stage yet."))
                status.update("", layout=False)
                return
            text = card_header(card, self.settings)
            text.append("\n\n")
            text.append_text(card_body(card, self.settings))
            record.show(text)  # repaints only itself: no screen-wide re-layout per keypress
            status.update(card_status(card), layout=False)
            note.value = self.note_shown = (card.mine.note or "") if card.mine else ""

    # -- relevance order -----------------------------------------------------
    def order_text(self) -> str:
        if self.mode == FILE:
            return "order: file" if self.prioritiser else ""
        if self.priority is not None and self.priority.active:
            return "order: most relevant first"
        if self.refitting:
            return "order: file (ranking...)"
        return "order: file (ranks after 1 include + 1 exclude)"

    def show_order(self) -> None:
        text = self.order_text()
        if text != self._order_shown:  # a relayout only when the words change
            self._order_shown = text
            self.query_one("#order", Label).update(text)

    def _enough_hint(self) -> bool:
        if self.priority is not None and self.priority.active:
            return True
        values = self.queue.mine.values()
        return any(v == "include" for v in values) and any(v == "exclude" for v in values)

    def maybe_refit(self) -> None:
        """After a decision: start a background refit if one is due (constant time)."""
        if (self.mode == RELEVANCE and not self.refitting and self.prioritiser is not None
                and self.prioritiser.due(self.queue.decided, self._enough_hint())):
            self.start_refit()

    def start_refit(self) -> None:
        if self.prioritiser is None or self.refitting:
            return
        self.refitting = True
        self.show_order()
        self.run_worker(self._refit_in_thread, thread=True, group="ranking")

    def _refit_in_thread(self) -> None:
        assert self.prioritiser is not None
        try:
            priority = self.prioritiser.refresh()
        except Exception as exc:  # noqa: BLE001 - a failed refit must not stop screening
            self.app.call_from_thread(self._refit_failed, exc)
            return
        self.app.call_from_thread(self.apply_priority, priority)

    def _refit_failed(self, exc: Exception) -> None:
        self.refitting = False
        self.notify(f"Ranking failed, file order kept: {type(exc).__name__}: {exc}"[:200],
                    severity="warning")
        self.show_order()

    def apply_priority(self, priority: Priority) -> None:
        """On the UI thread, between keypresses: reorder what follows the record on screen.

        Reordering 100,000 ids takes tens of milliseconds, so it waits until the
        reviewer has paused on a record (they read for seconds; a keypress in a
        fast run is never held up by it).
        """
        idle = time.monotonic() - self.last_key
        if not self.is_attached:  # the reviewer left; a reopened screen refits anew
            self.refitting = False
            return
        if idle < IDLE_BEFORE_REORDER_S:
            self.set_timer(IDLE_BEFORE_REORDER_S - idle + 0.01,
                           lambda: self.apply_priority(priority))
            return
        self.refitting = False
        self.refits += 1
        self.priority = priority
        if self.mode == RELEVANCE and priority.order is not None:
            self.queue.reorder_remaining(priority.order)
        if self.is_attached:
            self.show_order()
            self.maybe_refit()  # decisions made meanwhile may call for another

    def action_toggle_order(self) -> None:
        if self.prioritiser is None:
            self.notify("Relevance order is off for this session.", severity="warning")
            return
        if self.mode == RELEVANCE:
            self.mode = FILE
            self.queue.reorder_remaining(sorted(self.queue.ids))
        else:
            self.mode = RELEVANCE
            if self.priority is not None and self.priority.order is not None:
                self.queue.reorder_remaining(self.priority.order)
                self.maybe_refit()
            else:
                self.start_refit()
        self.show_order()

    def _run(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        self.last_key = time.monotonic()
        try:
            fn(*args)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="error")
            return
        except SQLAlchemyError as exc:  # e.g. the database stayed locked: say so, keep going
            self.notify(f"NOT saved, try again: {type(exc).__name__}: {exc}"[:300],
                        severity="error", timeout=10)
            return
        self.show_current()
        self.maybe_refit()
        if self.queue.left == 0 and self.queue.total:
            self.notify("All records at this stage are decided. Esc: dashboard.")
            self.start_sync()  # others may have moved records on meanwhile

    # -- actions -------------------------------------------------------------
    def _decide(self, decision: str, reason: str | None = None) -> None:
        note = self.query_one("#note", Input).value.strip() or None
        self._run(self.queue.decide, decision, reason, note)

    def action_decide(self, decision: str) -> None:
        self._decide(decision)

    def action_exclude(self) -> None:
        if self.queue.stage != FULL_TEXT:
            self._decide("exclude")
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self._decide("exclude", reason)

        self.app.push_screen(ReasonPicker(self.settings.exclusion_reasons), chosen)

    def action_not_retrieved(self) -> None:
        if self.queue.stage != FULL_TEXT:
            self.notify("'Not retrievable' is for full-text reports.", severity="warning")
            return
        self._decide("not_retrieved")

    def action_undo(self) -> None:
        try:
            rid = self.queue.undo()
        except ReviewflowError as exc:  # the vote was revealed: locked
            self.notify(str(exc), severity="error", timeout=10)
            return
        if rid is None:
            self.notify("Nothing to undo.", severity="warning")
        else:
            self.notify(f"Undone: record {rid} has no decision from you now.")
        self.show_current()

    def action_move(self, delta: int) -> None:
        self.last_key = time.monotonic()
        self.queue.move(delta)
        self.show_current()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#record", RecordPane).scroll_lines(lines)

    def action_search(self) -> None:
        def found(text: str | None) -> None:
            if text and self.queue.search(text) is None:
                self.notify(f"No record at this stage contains {text!r}.", severity="warning")
            self.show_current()

        self.app.push_screen(SearchPrompt(), found)

    def action_note(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#record").focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(f"{LABELS[self.queue.stage]} screening", KEYS))

    def action_back(self) -> None:
        if self.focused is self.query_one("#note"):
            self.query_one("#record").focus()
            return
        self.dismiss(None)

    def unsaved_input(self) -> str | None:
        """A note typed but not yet saved (it is saved with the next decision)."""
        note = self.query_one("#note", Input).value.strip()
        return "the note typed for this record" if note != self.note_shown.strip() else None
