"""Discrepancies, resolved like screening conflicts: extraction fields and RoB domains.

Every item where the two people disagree (or only one has worked) is listed
with each person's value; ``1``/``2``... takes that person's value, or ``v``
then type the agreed value and Enter. The choice is stored as a consensus row,
which is what analyses and plots use.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import Form
from reviewflow.extraction.form_versions import FormRef
from reviewflow.extraction.rob import LABELS, Tool, reconcile_rob, record_judgements
from reviewflow.extraction.studies import list_studies
from reviewflow.extraction.values import reconcile, resolve
from reviewflow.store.db import Store
from reviewflow.tui.screens.extraction_support import Worker
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.widgets.fields import ValueField

KEYS = [
    ("↑ ↓", "choose an item"), ("1, 2 ...", "take that person's value"),
    ("v", "type the agreed value (Enter: resolve)"), ("? / F1", "this key map"),
    ("Esc", "back to the dashboard"), ("Ctrl+C", "quit"),
]


class ResolveScreen(Screen[None]):
    """List + detail + 'take value N'; subclasses say what the items are and how to settle."""

    DEFAULT_CSS = """
    ResolveScreen #disc-list { width: 2fr; }
    ResolveScreen #disc-detail { width: 1fr; padding: 0 1; border-left: solid $primary; }
    ResolveScreen #disc-status { height: 1; background: $boost; }
    """
    BINDINGS = [
        *[Binding(str(i), f"take({i})", f"Take value {i}", show=i <= 2) for i in range(1, 10)],
        Binding("v", "type_value", "Type the agreed value"),
        Binding("question_mark,f1", "help", "Keys", priority=True, key_display="?"),
        Binding("escape", "app.pop_screen", "Back"),
    ]
    placeholder = "agreed value, Enter to resolve"

    def __init__(self, store: Store, reviewer: str) -> None:
        super().__init__()
        self.store = store
        self.worker = Worker.named(store, reviewer)
        self.items: list[Any] = []

    # -- what subclasses provide ----------------------------------------------------
    def load(self) -> list[Any]:
        raise NotImplementedError

    def title_of(self, item: Any) -> str:
        raise NotImplementedError

    def values_of(self, item: Any) -> dict[str, str | None]:
        raise NotImplementedError

    def settle_value(self, item: Any, value: str | None) -> None:
        raise NotImplementedError

    # -- shared behaviour -----------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Label("", id="disc-status", markup=False)
        with Horizontal():
            yield OptionList(id="disc-list", markup=False)
            with Vertical(id="disc-detail"):
                yield Static("", id="disc-values", markup=False)
                yield ValueField(placeholder=self.placeholder, id="disc-value")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, keep: int = 0) -> None:
        self.items = self.load()
        ol = self.query_one("#disc-list", OptionList)
        ol.clear_options()
        ol.add_options([Option(Text(self.title_of(item))) for item in self.items])
        ol.focus()
        if self.items:
            ol.highlighted = min(keep, len(self.items) - 1)
        self.show()
        self.query_one("#disc-status", Label).update(
            f"{len(self.items)} open discrepancies · resolving as {self.worker.name}")

    @property
    def current(self) -> Any | None:
        index = self.query_one("#disc-list", OptionList).highlighted
        return self.items[index] if index is not None and self.items else None

    def show(self) -> None:
        item = self.current
        panel = self.query_one("#disc-values", Static)
        if item is None:
            panel.update("Nothing to resolve.")
            return
        text = Text(f"{self.title_of(item)}\n\n", style="bold")
        for i, (who, value) in enumerate(self.values_of(item).items(), start=1):
            text.append(f"{i}  {who}: ", style="bold")
            text.append(f"{value if value is not None else '(empty)'}\n")
        panel.update(text)

    def on_option_list_option_highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self.show()

    def action_take(self, number: int) -> None:
        item = self.current
        values = list(self.values_of(item).values()) if item is not None else []
        if 1 <= number <= len(values):
            self.settle(item, values[number - 1])

    def action_type_value(self) -> None:
        self.query_one("#disc-value", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.current is not None:
            self.settle(self.current, event.value)
            event.input.value = ""

    def settle(self, item: Any, value: str | None) -> None:
        keep = self.query_one("#disc-list", OptionList).highlighted or 0
        try:
            self.settle_value(item, value)
        except ReviewflowError as exc:
            self.query_one("#disc-status", Label).update(str(exc))
            return
        self.reload(keep)


class DiscrepancyScreen(ResolveScreen):
    """Extraction fields the extractors disagree on."""

    def __init__(self, store: Store, form: Form, form_id: FormRef, reviewer: str) -> None:
        super().__init__(store, reviewer)
        self.form, self.form_id = form, form_id

    def load(self) -> list[Any]:
        return reconcile(self.store).discrepancies

    def title_of(self, item: Any) -> str:
        return f"{item.study} · {self.form.label(item.path)}"

    def values_of(self, item: Any) -> dict[str, str | None]:
        return item.values

    def settle_value(self, item: Any, value: str | None) -> None:
        with self.store.write() as session:
            resolve(session=session, form=self.form, form_id=self.form_id,
                    study_id=item.study_id, reviewer_id=self.worker.id, path=item.path,
                    value=value)


class RobDiscrepancyScreen(ResolveScreen):
    """Risk-of-bias domains the assessors judged differently."""

    placeholder = "agreed judgement (low / unclear / some concerns / high), Enter"

    def __init__(self, store: Store, tool: Tool, reviewer: str,
                 outcome: str | None = None) -> None:
        super().__init__(store, reviewer)
        self.tool, self.outcome = tool, outcome

    def load(self) -> list[Any]:
        return reconcile_rob(self.store, self.tool, self.outcome).discrepancies

    def title_of(self, item: Any) -> str:
        study, domain, _seen = item
        return f"{study} · {self.tool.domain(domain).label}"

    def values_of(self, item: Any) -> dict[str, str | None]:
        return {who: LABELS.get(j, j) for who, j in item[2].items()}

    def settle_value(self, item: Any, value: str | None) -> None:
        study, domain, _seen = item
        if not value or value == "(none)":
            raise ReviewflowError("choose a judgement")
        sid = next(s.id for s in list_studies(self.store) if s.label == study)
        with self.store.write() as session:
            record_judgements(session=session, rob_tool=self.tool, reviewer_id=self.worker.id,
                              entries=[(sid, domain, value, None)], consensus=True,
                              outcome=self.outcome)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Discrepancies", KEYS))

    def unsaved_input(self) -> str | None:
        typed = self.query_one("#disc-value", Input).value.strip()
        return "the agreed value typed" if typed else None
