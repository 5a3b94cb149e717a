"""Screening one record at a time: one keypress, one decision, next record.

The queue of record ids is built once (:class:`ScreeningQueue`); each keypress
writes one decision and fetches one record by id, so it stays fast with
100,000 records. Keys act on the record shown; the note field (``o``) belongs
to the next decision on that record.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ProgressBar, Static

from reviewflow.errors import ReviewflowError
from reviewflow.screening.queue import ScreeningQueue
from reviewflow.stages import FULL_TEXT, LABELS
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.screens.reason_picker import ReasonPicker
from reviewflow.tui.screens.search_prompt import SearchPrompt
from reviewflow.tui.widgets.record_view import card_body, card_header, card_status

KEYS = [
    ("i", "include"), ("e", "exclude (full text: pick a reason)"), ("m", "maybe (hold)"),
    ("r", "not retrievable (full text only)"), ("u", "undo the last decision"),
    ("n / →", "next record"), ("p / ←", "previous record"), ("↑ ↓ PgUp PgDn", "scroll abstract"),
    ("/", "search title and abstract"), ("o", "write a note (Enter: back)"),
    ("?", "this key map"), ("Esc", "back to the dashboard"),
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
            yield Label(f"{LABELS[q.stage]} screening · {q.viewer.name} ({q.viewer.role}, "
                        f"{blind})", id="where")
            yield ProgressBar(total=max(q.total, 1), show_eta=False, id="progress")
            yield Label("", id="left")
        with VerticalScroll(id="record"):
            yield Static("", id="header")
            yield Static("", id="abstract")
        yield Static("", id="status")
        yield Input(placeholder="note: press o to write one; it is saved with your next decision",
                    id="note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#record").focus()
        self.show_current()

    # -- drawing -------------------------------------------------------------
    def show_current(self) -> None:
        q = self.queue
        card = q.card()
        self.query_one("#progress", ProgressBar).update(progress=q.decided)
        self.query_one("#left", Label).update(f"{q.left} left of {q.total}")
        note = self.query_one("#note", Input)
        if card is None:
            self.query_one("#header", Static).update("Nothing to screen at this stage yet.")
            self.query_one("#abstract", Static).update("")
            self.query_one("#status", Static).update("")
            return
        self.query_one("#header", Static).update(card_header(card, self.settings))
        self.query_one("#abstract", Static).update(card_body(card, self.settings))
        self.query_one("#status", Static).update(card_status(card))
        note.value = (card.mine.note or "") if card.mine else ""
        self.query_one("#record", VerticalScroll).scroll_home(animate=False)

    def _run(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        try:
            fn(*args)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="error")
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
