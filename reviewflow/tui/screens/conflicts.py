"""Conflicts: both decisions and notes side by side, resolved by consensus or the arbiter.

The method follows the person: an arbiter's resolution is recorded as
``arbiter``, anyone else's as ``consensus`` (agreed in discussion).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from reviewflow.errors import ReviewflowError
from reviewflow.screening.blinding import record_card
from reviewflow.screening.conflicts import Conflict, list_conflicts, resolve_conflict
from reviewflow.screening.progress import change_marker
from reviewflow.stages import FULL_TEXT, LABELS
from reviewflow.store.dedup_state import related_index
from reviewflow.tui.screens.confirm import ConfirmPrompt
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.screens.reason_picker import ReasonPicker
from reviewflow.tui.widgets.clip import clip
from reviewflow.tui.widgets.fields import ProseField
from reviewflow.tui.widgets.keybar import KeyBar
from reviewflow.tui.widgets.record_view import card_body, card_header, vote_text

SHORT = {"title_abstract": "TA", "full_text": "FT"}

if TYPE_CHECKING:
    from reviewflow.tui.app import ReviewflowApp

KEYS = [("↑ ↓", "choose a conflict"), ("i", "resolve: include"),
        ("e", "resolve: exclude (full text: pick a reason)"), ("m", "resolve: maybe"),
        ("r", "resolve: not retrievable (full text)"), ("o", "write a note for the resolution"),
        ("?", "this key map"), ("Esc", "back to the dashboard"), ("q / Ctrl+C", "quit")]
BAR = [
    ("↑↓", "choose"), ("i", "include"), ("e", "exclude"), ("m", "maybe"), ("o", "note"),
    ("?", "keys"), ("Esc", "back"), ("q", "quit"),
]


class ConflictsScreen(Screen[None]):
    BINDINGS = [
        Binding("i", "resolve('include')", "Include"),
        Binding("e", "exclude", "Exclude"),
        Binding("m", "resolve('maybe')", "Maybe"),
        Binding("r", "resolve('not_retrieved')", "Not retrievable", show=False),
        Binding("o", "note", "Note"),
        Binding("question_mark", "help", "Keys"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[Conflict] = []
        self._marker: tuple[int, ...] | None = None

    @property
    def rf(self) -> ReviewflowApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        method = "arbiter" if self.rf.viewer.role == "arbiter" else "consensus"
        yield Label(f"Conflicts · resolving as {self.rf.viewer.name} ({method})", id="where",
                    markup=False)
        with Horizontal():
            yield OptionList(id="conflict-list", markup=False)
            with Vertical(id="conflict-detail"):
                with Horizontal(id="votes"):
                    yield Static("", id="vote-a", classes="vote", markup=False)
                    yield Static("", id="vote-b", classes="vote", markup=False)
                with VerticalScroll(id="conflict-record"):
                    yield Static("", id="conflict-text", markup=False)
        yield ProseField(placeholder="note for the resolution (o to write, Enter: back)",
                         id="note")
        yield KeyBar(BAR)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#conflict-list").focus()
        if self.rf.poll_seconds > 0:
            self.set_interval(self.rf.poll_seconds, self.poll)

    def poll(self) -> None:
        """Pick up conflicts another terminal created or resolved, between dialogs only.

        While a dialog is open ("Resolve record 3 ...?", a reason picker, help) the
        list under it must not change: the dialog stays, and its answer applies to
        the conflict it names. The list catches up when the dialog closes.
        """
        if self.app.screen is not self:
            return
        with self.rf.store.session() as s:
            marker = change_marker(s)
        if marker != self._marker:
            self.reload(self.query_one("#conflict-list", OptionList).highlighted or 0)

    def reload(self, keep: int = 0) -> None:
        with self.rf.store.session() as s:
            self._marker = change_marker(s)
            self.conflicts = list_conflicts(s, viewer=self.rf.viewer)
            self.related = related_index(s)  # once per list, not per highlighted card
        ol = self.query_one("#conflict-list", OptionList)
        ol.clear_options()
        ol.add_options([Option(Text(f"#{c.status.record_id} {SHORT[c.status.stage]}  "
                                     f"{clip(c.title, 60)}"))
                        for c in self.conflicts])
        if self.conflicts:
            ol.highlighted = min(keep, len(self.conflicts) - 1)
        self.show(ol.highlighted)

    @property
    def current(self) -> Conflict | None:
        index = self.query_one("#conflict-list", OptionList).highlighted
        return self.conflicts[index] if index is not None and self.conflicts else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show(event.option_index)

    def show(self, index: int | None) -> None:
        a, b = self.query_one("#vote-a", Static), self.query_one("#vote-b", Static)
        text = self.query_one("#conflict-text", Static)
        if index is None or not self.conflicts:
            a.update("No conflicts waiting.")
            b.update("")
            text.update("")
            return
        c = self.conflicts[index]
        votes = list(c.status.votes)
        for widget, vote in ((a, votes[0] if votes else None),
                             (b, votes[1] if len(votes) > 1 else None)):
            widget.update(Text(vote_text(vote).replace(": ", "\n", 1)) if vote else "")
        with self.rf.store.session() as s:
            card = record_card(s, c.status.record_id, c.status.stage, self.rf.viewer,
                               related=self.related)
        out = Text(f"{LABELS[c.status.stage]} conflict\n", style="bold reverse")
        out.append_text(card_header(card, self.rf.settings))
        out.append("\n\n")
        out.append_text(card_body(card, self.rf.settings))
        text.update(out)

    def action_resolve(self, decision: str, reason: str | None = None) -> None:
        c = self.current
        if c is None:
            return
        method = "arbiter" if self.rf.reviewer_row().role == "arbiter" else "consensus"
        what = decision.replace("_", " ") + (f" ({reason})" if reason else "")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._resolve(c, decision, reason)

        self.app.push_screen(ConfirmPrompt(
            f"Resolve record {c.status.record_id} as {what}, by {method}?"), confirmed)

    def _resolve(self, c: Conflict, decision: str, reason: str | None) -> None:
        me = self.rf.reviewer_row()
        method = "arbiter" if me.role == "arbiter" else "consensus"
        note = self.query_one("#note", Input).value.strip() or None
        keep = self.query_one("#conflict-list", OptionList).highlighted or 0
        try:
            with self.rf.store.write() as s:
                resolve_conflict(session=s, settings=self.rf.settings,
                                 record_id=c.status.record_id, stage=c.status.stage,
                                 decision=decision, resolver=me, method=method, reason=reason,
                                 note=note)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"Record {c.status.record_id}: {decision} ({method})")
        self.query_one("#note", Input).value = ""
        self.reload(keep)

    def action_exclude(self) -> None:
        c = self.current
        if c is None or c.status.stage != FULL_TEXT:
            self.action_resolve("exclude")
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.action_resolve("exclude", reason)

        self.app.push_screen(ReasonPicker(self.rf.settings.exclusion_reasons), chosen)

    def action_note(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#conflict-list").focus()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Conflicts", KEYS))

    def action_back(self) -> None:
        if self.focused is self.query_one("#note"):
            self.query_one("#conflict-list").focus()
            return
        self.dismiss(None)

    def unsaved_input(self) -> str | None:
        note = self.query_one("#note", Input).value.strip()
        return "the note typed for the resolution" if note else None
