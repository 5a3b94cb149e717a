"""Full-text screening: the record on the left, its PDF's text page by page on the right.

The same one-keypress screening as :class:`ScreeningScreen`, plus the article:
``/`` searches the full text (the records, when the record has no PDF), ``[`` /
``]`` turn pages, ``j`` / ``k`` scroll the page, ``o`` opens the PDF in the
system viewer, and the note moves to ``w``. Including or excluding a record
with no PDF attached asks first: full-text eligibility is judged on the article.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar, Static

from reviewflow.fulltext.view import FullTextView, fulltext_view
from reviewflow.linking.service import same_study_suggestions
from reviewflow.stages import LABELS
from reviewflow.tui.screens.confirm import ConfirmPrompt
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.screens.screening import ScreeningScreen
from reviewflow.tui.widgets.fields import ProseField
from reviewflow.tui.widgets.fulltext_pane import FullTextPane
from reviewflow.tui.widgets.keybar import KeyBar
from reviewflow.tui.widgets.record_pane import RecordPane
from reviewflow.tui.widgets.record_view import card_body, card_header

KEYS = [
    ("i", "include"), ("e", "exclude (pick a reason)"), ("m", "maybe (hold)"),
    ("r", "not retrievable"), ("u", "undo the last decision"),
    ("n / →", "next record"), ("p / ←", "previous record"),
    ("↑ ↓ PgUp PgDn Space", "scroll the record"),
    ("] / [", "next / previous page of the full text"), ("j / k", "scroll the page"),
    ("/", "search the full text (again: next page with it)"),
    ("o", "open the PDF in the system viewer"), ("w", "write a note (Enter: back)"),
    ("s", "order: most relevant first / file"), ("?", "this key map"),
    ("Esc", "back to the dashboard"), ("q / Ctrl+C", "quit"),
]
BAR = [
    ("i", "include"), ("e", "exclude"), ("r", "not retr."), ("u", "undo"), ("n/p", "record"),
    ("[/]", "page"), ("/", "search"), ("o", "open PDF"), ("w", "note"), ("?", "keys"),
    ("Esc", "back"), ("q", "quit"),
]
NEEDS_PDF = ("include", "exclude")


class FullTextScreen(ScreeningScreen):
    DEFAULT_CSS = """
    FullTextScreen #panes { height: 1fr; }
    FullTextScreen #record { width: 2fr; }
    FullTextScreen #fulltext { width: 3fr; }
    """
    BINDINGS = [
        Binding("o", "open_pdf", "Open PDF"),
        Binding("w", "note", "Note"),
        Binding("right_square_bracket", "turn(1)", "Next page", show=False),
        Binding("left_square_bracket", "turn(-1)", "Previous page", show=False),
        Binding("j", "scroll_text(3)", "Scroll text down", show=False),
        Binding("k", "scroll_text(-3)", "Scroll text up", show=False),
    ]

    def __init__(self, *args, fulltext_folder: Path | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fulltext_folder = fulltext_folder
        self.view: FullTextView | None = None
        self.same_study: dict[int, list[str]] = {}

    def compose(self) -> ComposeResult:
        q = self.queue
        blind = "blind" if q.viewer.blind else "unblinded"
        with Horizontal(id="topbar"):
            yield Label(f"{LABELS[q.stage]} · {q.viewer.name} ({q.viewer.role}, {blind})",
                        id="where")
            yield Label("", id="order")
            yield Label("", id="left")
        yield ProgressBar(total=max(q.total, 1), show_eta=False, id="progress")
        with Horizontal(id="panes"):
            yield RecordPane(id="record")
            yield FullTextPane(self.settings, id="fulltext")
        yield Static("", id="status")
        yield ProseField(placeholder="note: press w to write one; it is saved with your next "
                         "decision", id="note")
        yield KeyBar(BAR)

    def on_mount(self) -> None:
        super().on_mount()
        self.run_worker(self._load_same_study, thread=True, group="same-study")

    def _load_same_study(self) -> None:
        """Reports at this stage that may be one trial in two languages (a person links them
        with 'reviewflow same-study --link A B')."""
        with self.queue.store.session() as s:
            found = same_study_suggestions(s, self.queue.ids)
        related: dict[int, list[str]] = {}
        for sug in found:
            why = sug.evidence()
            related.setdefault(sug.a, []).append(f"record {sug.b} ({why})")
            related.setdefault(sug.b, []).append(f"record {sug.a} ({why})")
        self.app.call_from_thread(self._show_same_study, related)

    def _show_same_study(self, related: dict[int, list[str]]) -> None:
        self.same_study = related
        if self.is_attached:
            self.show_current()

    def show_current(self) -> None:
        super().show_current()
        rid = self.queue.current_id
        card = self.queue.card() if rid in self.same_study else None
        if card is not None:  # redraw with the suggestion under the header, where it is seen
            text = card_header(card, self.settings)
            for other in self.same_study[card.record_id]:
                text.append(f"\nrelated: same study? {other}", style="bold magenta")
            text.append("\n\n")
            text.append_text(card_body(card, self.settings))
            self.query_one("#record", RecordPane).show(text)
        pane = self.query_one("#fulltext", FullTextPane)
        if rid is None:
            self.view = None
            pane.show_view(None, "")
            return
        if self.view is not None and self.view.record_id == rid:
            return  # same record after a decision: keep the page and the search
        with self.queue.store.session() as s:
            self.view = fulltext_view(s, [rid], self.fulltext_folder)
        pane.show_view(self.view, f"No PDF attached to record {rid}: "
                                  f"'reviewflow fulltext add {rid} FILE', or r if it cannot "
                                  "be retrieved.")

    def _decide(self, decision: str, reason: str | None = None) -> None:
        if decision not in NEEDS_PDF or self.view is not None:
            super()._decide(decision, reason)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                super(FullTextScreen, self)._decide(decision, reason)

        rid = self.queue.current_id
        self.app.push_screen(ConfirmPrompt(f"Record {rid} has no PDF attached. "
                                           f"Record '{decision}' at full text anyway?"), answered)

    @property
    def pane(self) -> FullTextPane:
        return self.query_one("#fulltext", FullTextPane)

    def action_turn(self, delta: int) -> None:
        self.pane.turn(delta)

    def action_scroll_text(self, lines: int) -> None:
        self.pane.scroll_lines(lines)

    def action_search(self) -> None:
        if self.view is None:
            super().action_search()  # no PDF: search the records, as on the abstract screen
        else:
            self.pane.action_search()

    def action_open_pdf(self) -> None:
        if self.view is None:
            self.notify("No PDF attached to this record.", severity="warning")
        else:
            self.pane.action_open_pdf()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Full-text screening", KEYS))
