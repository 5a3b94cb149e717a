"""The full text beside the record: one page at a time, searchable, keywords lit.

Built on :class:`RecordPane` (a fixed-size pane that scrolls by lines), so a
page turn repaints only this pane. Search (``/``) is case-insensitive, lets
spaces in the query match line breaks in the PDF's text, and goes to the next
page holding the query, wrapping round; every hit on the page is shown in
reverse video over the include/exclude keyword colours.
"""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual.binding import Binding

from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.pdftext import TextLayer
from reviewflow.fulltext.view import FullTextView
from reviewflow.fulltext.viewer import open_pdf
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.tui.widgets.record_pane import RecordPane
from reviewflow.tui.widgets.record_view import highlight

SEARCH_STYLE = "bold reverse yellow"
LAYER_NOTE = {TextLayer.NONE: "no text layer (a scanned PDF): press o to read it",
              TextLayer.GARBLED: "text layer garbled on some pages: press o to read the PDF"}


def search_pattern(query: str) -> re.Pattern[str] | None:
    words = query.split()
    if not words:
        return None
    return re.compile(r"\s*".join(re.escape(w) for w in words), re.IGNORECASE)


class FullTextPane(RecordPane):
    """Keys work when the pane has the focus (Tab to it in the extraction screen)."""

    BINDINGS = [
        Binding("slash", "search", "Search the full text"),
        Binding("o", "open_pdf", "Open the PDF"),
        Binding("right_square_bracket,pagedown", "turn(1)", "Next page"),
        Binding("left_square_bracket,pageup", "turn(-1)", "Previous page"),
        Binding("down,j", "scroll(1)", "Scroll down", show=False),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False),
    ]
    DEFAULT_CSS = """
    FullTextPane {
        height: 1fr;
        padding: 0 1;
        border-left: solid $primary;
    }
    """

    def __init__(self, settings: ScreeningSettings, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.settings = settings
        self.view: FullTextView | None = None
        self.page = 0
        self.query_text = ""
        self.empty_message = "No PDF attached."

    def show_view(self, view: FullTextView | None, empty_message: str | None = None) -> None:
        self.view, self.page = view, 0
        if empty_message:
            self.empty_message = empty_message
        self._draw()

    @property
    def page_count(self) -> int:
        return len(self.view.pages) if self.view else 0

    def page_text(self) -> Text:
        """The current page as drawn: a header line, then the highlighted text."""
        view = self.view
        if view is None:
            return Text(self.empty_message, style="dim")
        out = Text(f"{view.file_name} · page {self.page + 1} of {self.page_count}",
                   style="bold")
        if self.query_text:
            out.append(f" · search: {self.query_text}", style="yellow")
        if view.text_layer in LAYER_NOTE:
            out.append(f"\n{LAYER_NOTE[view.text_layer]}", style="bold yellow")
        out.append("\n\n")
        page = view.pages[self.page] if view.pages else ""
        body = highlight(page.strip() or "(no text on this page)", self.settings)
        pattern = search_pattern(self.query_text)
        if pattern is not None:
            body.highlight_regex(pattern, SEARCH_STYLE)
        out.append_text(body)
        return out

    def _draw(self) -> None:
        self.show(self.page_text())

    def turn(self, delta: int) -> None:
        if self.page_count:
            self.page = max(0, min(self.page_count - 1, self.page + delta))
            self._draw()

    def find(self, query: str) -> int | None:
        """Go to the page holding ``query`` (1-based number), or None when no page does.

        A new query starts on the page shown; the same query again moves on to
        the next page holding it, wrapping round to the first.
        """
        query = query.strip()
        again = query == self.query_text
        self.query_text = query
        pattern = search_pattern(query)
        if self.view is None or pattern is None or not self.page_count:
            self._draw()
            return None
        n = self.page_count
        start = self.page + 1 if again else self.page
        for step in range(n):
            index = (start + step) % n
            if pattern.search(self.view.pages[index]):
                self.page = index
                self._draw()
                return index + 1
        self._draw()
        return None

    # -- keys (the screens call these too) -------------------------------------
    def action_turn(self, delta: int) -> None:
        self.turn(delta)

    def action_scroll(self, lines: int) -> None:
        self.scroll_lines(lines)

    def action_search(self) -> None:
        from reviewflow.tui.screens.search_prompt import SearchPrompt

        def found(text: str | None) -> None:
            if text and self.find(text) is None:
                self.app.notify(f"{text!r} is not in this PDF's text.", severity="warning")

        self.app.push_screen(SearchPrompt("the full text"), found)

    def action_open_pdf(self) -> None:
        if self.view is None:
            self.app.notify("No PDF attached.", severity="warning")
            return
        try:
            command = open_pdf(self.view.path)
        except ReviewflowError as exc:
            self.app.notify(str(exc), severity="error", timeout=8)
            return
        self.app.notify(f"Opened {self.view.file_name} ({Path(command[0]).name}).")
