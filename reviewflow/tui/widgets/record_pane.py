"""The record's text in a fixed-size pane that scrolls by lines.

A Static in a scroll container changes its height with every record, and each
height change makes Textual re-lay-out and repaint the whole screen (about a
third of a keypress's cost in profiles). This pane keeps its size: a new record
only re-wraps its own text and repaints its own lines.
"""

from __future__ import annotations

from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from reviewflow.wording import plural


class RecordPane(Widget):
    DEFAULT_CSS = """
    RecordPane {
        height: 1fr;
        padding: 1 2;
    }
    """

    can_focus = True

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self._text = Text()
        self._lines: list[Strip] | None = None
        self._width = -1
        self.offset_y = 0

    def show(self, text: Text) -> None:
        self._text = text
        self._lines = None
        self.offset_y = 0
        self.refresh()

    @property
    def text(self) -> Text:
        return self._text

    def _wrapped(self) -> list[Strip]:
        width = max(1, self.content_size.width)
        if self._lines is None or width != self._width:
            console = self.app.console
            options = console.options.update_width(width)
            self._lines = [Strip(line) for line in
                           console.render_lines(self._text, options, pad=False)]
            self._width = width
        return self._lines

    def scroll_lines(self, delta: int) -> None:
        lines = self._wrapped()
        top = max(0, len(lines) - self.content_size.height)
        self.offset_y = max(0, min(top, self.offset_y + delta))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        lines = self._wrapped()
        height = self.content_size.height
        index = y + self.offset_y
        more = len(lines) - self.offset_y - height
        if y == height - 1 and more > 0:
            return Strip([*Text(f"… {plural(more + 1, 'more line')}: ↓ / PgDn", style="dim reverse")
                          .render(self.app.console)])
        if index < len(lines):
            return lines[index]
        return Strip.blank(self.content_size.width)
