"""Modal: choose a full-text exclusion reason from the review's list (digits or arrows)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class ReasonPicker(ModalScreen[str | None]):
    """Returns the chosen reason, or None when cancelled with Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reasons: tuple[str, ...], title: str = "Exclusion reason") -> None:
        super().__init__()
        self.reasons = reasons
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(f"{self.title_text}  (1-{min(9, len(self.reasons))}, ↑↓ Enter, Esc)",
                        markup=False)
            yield OptionList(*(Option(Text(f"{i}. {r}" if i < 10 else r), id=str(i - 1))
                               for i, r in enumerate(self.reasons, start=1)))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self.reasons):
                event.stop()
                self.dismiss(self.reasons[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.reasons[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
