"""Modal: confirm a weighty action with y (anything else cancels).

Resolving a conflict overrules a reviewer, so it takes two keys: a stray letter
typed into the wrong terminal pane must not settle anything.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmPrompt(ModalScreen[bool]):
    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.asks_to_quit = False  # the app's "Quit and lose ...?" (Ctrl+C again: quit)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question)
            yield Label("[b]y[/b] / Enter: yes    any other key: cancel")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self.dismiss(event.key in ("y", "enter"))
