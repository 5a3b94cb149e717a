"""Extraction discrepancies, resolved like screening conflicts.

Every field where the extractors disagree (or only one has extracted) is listed
with each person's value; ``1``/``2``... takes that person's value, or type the
agreed value and press Enter. The choice is stored as a consensus row, which is
what analyses use.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import Form
from reviewflow.extraction.values import Discrepancy, reconcile, resolve
from reviewflow.store.db import Store
from reviewflow.tui.screens.extraction_support import Worker


class DiscrepancyScreen(Screen[None]):
    DEFAULT_CSS = """
    DiscrepancyScreen #disc-list { width: 2fr; }
    DiscrepancyScreen #disc-detail { width: 1fr; padding: 0 1; border-left: solid $primary; }
    DiscrepancyScreen #disc-status { height: 1; background: $boost; }
    """
    BINDINGS = [
        *[Binding(str(i), f"take({i})", f"Take value {i}", show=i <= 2) for i in range(1, 10)],
        Binding("v", "type_value", "Type the agreed value"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, form: Form, form_id: int | None, reviewer: str) -> None:
        super().__init__()
        self.store, self.form, self.form_id = store, form, form_id
        self.worker = Worker.named(store, reviewer)
        self.items: list[Discrepancy] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="disc-status")
        with Horizontal():
            yield OptionList(id="disc-list")
            with Vertical(id="disc-detail"):
                yield Static("", id="disc-values")
                yield Input(placeholder="agreed value, Enter to resolve", id="disc-value")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, keep: int = 0) -> None:
        self.items = reconcile(self.store).discrepancies
        ol = self.query_one("#disc-list", OptionList)
        ol.clear_options()
        ol.add_options([f"{d.study} · {self.form.label(d.path)}" for d in self.items])
        ol.focus()
        if self.items:
            ol.highlighted = min(keep, len(self.items) - 1)
        self.show()
        self.query_one("#disc-status", Label).update(
            f"{len(self.items)} open discrepancies · resolving as {self.worker.name}")

    @property
    def current(self) -> Discrepancy | None:
        index = self.query_one("#disc-list", OptionList).highlighted
        return self.items[index] if index is not None and self.items else None

    def show(self) -> None:
        d = self.current
        panel = self.query_one("#disc-values", Static)
        if d is None:
            panel.update("Nothing to resolve.")
            return
        text = Text(f"{d.study}\n{d.path}\n\n", style="bold")
        for i, (who, value) in enumerate(d.values.items(), start=1):
            text.append(f"{i}  {who}: ", style="bold")
            text.append(f"{value if value is not None else '(empty)'}\n")
        panel.update(text)

    def on_option_list_option_highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self.show()

    def action_take(self, number: int) -> None:
        d = self.current
        if d is not None and 1 <= number <= len(d.values):
            self.settle(d, list(d.values.values())[number - 1])

    def action_type_value(self) -> None:
        self.query_one("#disc-value", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        d = self.current
        if d is not None:
            self.settle(d, event.value)
            event.input.value = ""

    def settle(self, d: Discrepancy, value: str | None) -> None:
        keep = self.query_one("#disc-list", OptionList).highlighted or 0
        try:
            resolve(self.store, self.form, self.form_id, study_id=d.study_id,
                    reviewer_id=self.worker.id, path=d.path, value=value)
        except ReviewflowError as exc:
            self.query_one("#disc-status", Label).update(f"{d.path}: {exc}")
            return
        self.reload(keep)
