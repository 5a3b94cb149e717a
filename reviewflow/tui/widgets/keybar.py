"""A one-line key hint bar: a single cheap widget instead of Textual's Footer.

The Footer builds one widget per binding and restyles them all on every layout;
with a keypress budget of 30 ms that cost showed up in profiles, and a plain
line of text tells the reviewer the same thing.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 2;  /* an 80-column terminal wraps the keys rather than losing them */
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        text = Text(" ")
        for key, what in keys:
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {what} ")
        super().__init__(text)
