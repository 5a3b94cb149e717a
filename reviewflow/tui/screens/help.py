"""Modal: the key map of the screen it was opened from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss_help", "Close")]

    def __init__(self, title: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in self.keys) + 2
        lines = "\n".join(f"{k:<{width}}{what}" for k, what in self.keys)
        with Vertical(id="help"):
            yield Label(f"[b]{self.title_text}: keys[/b]  (Esc to close)")
            yield Static(lines)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
