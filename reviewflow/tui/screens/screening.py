"""Screening one record at a time: one keypress, one decision, next record.

The queue of record ids is built once (:class:`ScreeningQueue`); each keypress
writes one decision and fetches one record by id, so it stays fast with
100,000 records. Keys act on the record shown; the note field (``o``) belongs
to the next decision on that record.
"""

from __future__ import annotations

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Label, ProgressBar, Static

from reviewflow.errors import ReviewflowError
from reviewflow.screening.queue import ScreeningQueue
from reviewflow.stages import FULL_TEXT, LABELS
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.screens.reason_picker import ReasonPicker
from reviewflow.tui.screens.search_prompt import SearchPrompt
from reviewflow.tui.widgets.keybar import KeyBar
from reviewflow.tui.widgets.record_pane import RecordPane
from reviewflow.tui.widgets.record_view import card_body, card_header, card_status

KEYS = [
    ("i", "include"), ("e", "exclude (full text: pick a reason)"), ("m", "maybe (hold)"),
    ("r", "not retrievable (full text only)"), ("u", "undo the last decision"),
    ("n / →", "next record"), ("p / ←", "previous record"),
    ("↑ ↓ PgUp PgDn Space", "scroll the record"),
    ("/", "search title and abstract"), ("o", "write a note (Enter: back)"),
    ("?", "this key map"), ("Esc", "back to the dashboard"),
]
BAR = [
    ("i", "include"), ("e", "exclude"), ("m", "maybe"), ("u", "undo"), ("n/p", "next/prev"),
    ("/", "search"), ("o", "note"), ("?", "keys"), ("Esc", "back"),
]


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
        Binding("question_mark", "help", "Keys"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, queue: ScreeningQueue) -> None:
        super().__init__()
        self.queue = queue
        self.settings = queue.settings

    def compose(self) -> ComposeResult:
        q = self.queue
        blind = "blind" if q.viewer.blind else "unblinded"
        with Horizontal(id="topbar"):
            yield Label(f"{LABELS[q.stage]} · {q.viewer.name} ({q.viewer.role}, {blind})",
                        id="where")
            yield Label("", id="left")
        yield ProgressBar(total=max(q.total, 1), show_eta=False, id="progress")
        yield RecordPane(id="record")
        yield Static("", id="status")
        yield Input(placeholder="note: press o to write one; it is saved with your next decision",
                    id="note")
        yield KeyBar(BAR)

    def on_mount(self) -> None:
        self.query_one("#record").focus()
        self.show_current()

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
            note.value = (card.mine.note or "") if card.mine else ""

    def _run(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
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
        if self.queue.left == 0 and self.queue.total:
            self.notify("All records at this stage are decided. Esc: dashboard.")

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
        rid = self.queue.undo()
        if rid is None:
            self.notify("Nothing to undo.", severity="warning")
        else:
            self.notify(f"Undone: record {rid} has no decision from you now.")
        self.show_current()

    def action_move(self, delta: int) -> None:
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
