"""Extraction: one study at a time, its form fields beside its report(s).

Each field is saved when it is left (Tab, Enter or a click elsewhere) through
the same domain function the CLI uses, so an interrupted session loses at most
the field being typed. A reviewer sees only their own values (blinded dual
extraction); ``d`` lists the study's open discrepancies once both have finished.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import Form
from reviewflow.extraction.form_versions import FormRef
from reviewflow.extraction.studies import StudyInfo, list_studies
from reviewflow.extraction.values import reconcile, reviewer_values, set_value
from reviewflow.fulltext.view import fulltext_view
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.store.db import Store
from reviewflow.tui.screens.extraction_support import Worker, reports_text
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.widgets.fields import ValueField
from reviewflow.tui.widgets.fulltext_pane import FullTextPane

KEYS = [
    ("Tab / Enter", "save the field, go to the next"), ("Shift+Tab", "previous field"),
    ("Ctrl+N / Ctrl+B", "next / previous study (saves the field)"),
    ("Ctrl+O", "this study's open discrepancies"), ("? / F1", "this key map"),
    ("Esc", "back to the dashboard"), ("Ctrl+C", "quit"),
]


def input_id(path: str) -> str:
    return "f-" + path.replace("/", "--")


def path_of(widget_id: str) -> str:
    return widget_id.removeprefix("f-").replace("--", "/")


class ExtractionScreen(Screen[None]):
    """Extract the studies of ``store`` as ``reviewer`` with ``form``."""

    DEFAULT_CSS = """
    ExtractionScreen #studies { width: 20; }
    ExtractionScreen #fields { width: 3fr; }
    ExtractionScreen #reports { width: 2fr; border-left: solid $primary; padding: 0 1; }
    ExtractionScreen #report-scroll { height: auto; max-height: 40%; }
    ExtractionScreen #fulltext { border-left: none; border-top: solid $primary; padding: 0; }
    ExtractionScreen .field { height: 1; margin-bottom: 1; }
    ExtractionScreen .field-group { text-style: bold; color: $accent; margin-bottom: 1; }
    ExtractionScreen .field Label {
        width: 1fr; max-width: 30; padding: 0 1 0 0; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ExtractionScreen .field Input { width: 1fr; border: none; height: 1; padding: 0 1; }
    ExtractionScreen .field Input:focus { background: $accent 40%; }
    ExtractionScreen .field Input.bad-value { background: $error 60%; }
    ExtractionScreen #status { height: 1; background: $boost; }
    """
    BINDINGS = [
        Binding("ctrl+n", "step(1)", "Next study", priority=True),
        Binding("ctrl+b", "step(-1)", "Previous study", priority=True),
        Binding("ctrl+o", "discrepancies", "Discrepancies", priority=True),
        Binding("ctrl+f", "fulltext('action_search')", "Search PDF", priority=True),
        Binding("ctrl+t", "fulltext('action_open_pdf')", "Open PDF", priority=True),
        Binding("ctrl+right_square_bracket", "fulltext('action_turn', 1)", "Next page",
                priority=True, show=False),
        # priority: the help key opens help, never types "?" into the focused value
        Binding("question_mark,f1", "help", "Keys", priority=True, key_display="?"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, form: Form, form_id: FormRef, reviewer: str,
                 *, study: str | None = None, fulltext_folder: Path | None = None) -> None:
        super().__init__()
        self.fulltext_folder = fulltext_folder
        self.store, self.form, self.form_id = store, form, form_id
        self.worker = Worker.named(store, reviewer)
        self.studies: list[StudyInfo] = list_studies(store)
        self.index = next((i for i, s in enumerate(self.studies) if s.label == study), 0)
        self.shown: dict[str, str] = {}  # field path -> the value stored when last shown/saved

    def compose(self) -> ComposeResult:
        yield Label("", id="status", markup=False)
        with Horizontal():
            yield OptionList(*[s.label for s in self.studies], id="studies", markup=False)
            with VerticalScroll(id="fields"):
                heading = None
                for path in self.form.field_paths():
                    group, _, name = self.form.label(path).rpartition(" · ")
                    if group and group.split(" · ")[0] != heading:
                        # "Pain VAS" once, then "MSC · Mean" rows: short labels fit narrow
                        # terminals and the outcome reads as a section of the form
                        heading = group.split(" · ")[0]
                        yield Label(heading, classes="field-group", markup=False)
                    elif not group:
                        heading = None
                    row_label = self.form.label(path).removeprefix(f"{heading} · ") \
                        if heading else name
                    with Horizontal(classes="field"):
                        yield Label(row_label, markup=False)
                        yield ValueField(id=input_id(path), placeholder=self.hint(path))
            with Vertical(id="reports"):
                with VerticalScroll(id="report-scroll"):
                    yield Static("", id="report-text", markup=False)
                yield FullTextPane(getattr(self.app, "settings", None) or ScreeningSettings(),
                                   id="fulltext")
        yield Footer()

    def on_mount(self) -> None:
        self.show_study()

    def hint(self, path: str) -> str:
        fdef = self.form.field_def(path)
        return " | ".join(fdef.choices) if fdef.type == "choice" else \
            {"integer": "whole number", "number": "number"}.get(fdef.type, "")

    @property
    def study(self) -> StudyInfo | None:
        return self.studies[self.index] if self.studies else None

    def show_study(self) -> None:
        study = self.study
        if study is None:
            self.status("No studies yet: 'reviewflow extraction study from-included'")
            return
        self.query_one("#studies", OptionList).highlighted = self.index
        with self.store.session() as s:
            mine = reviewer_values(s, study.id)
        for widget in self.query(Input):
            path = path_of(widget.id or "")
            widget.value = self.shown[path] = mine.get((study.id, self.worker.id, path), "") or ""
            widget.remove_class("bad-value")
        self.query_one("#report-text", Static).update(reports_text(self.store, study))
        with self.store.session() as s:
            view = fulltext_view(s, study.record_ids, self.fulltext_folder)
        self.query_one("#fulltext", FullTextPane).show_view(
            view, "No PDF attached to this study's reports ('reviewflow fulltext add').")
        first = self.query(Input).first()
        first.focus()
        self.status(f"{study.label} · extracting as {self.worker.name}")

    def status(self, text: str) -> None:
        self.query_one("#status", Label).update(text)

    def save(self, widget: Input) -> None:
        study = self.study
        if study is None or not widget.id:
            return
        path = path_of(widget.id)
        try:
            with self.store.write() as session:
                stored = set_value(session=session, form=self.form, form_id=self.form_id,
                                   study_id=study.id, reviewer_id=self.worker.id, path=path,
                                   value=widget.value)
        except ReviewflowError as exc:
            widget.add_class("bad-value")
            self.status(f"{self.form.label(path)}: {exc}")
            return
        widget.remove_class("bad-value")
        if (stored or "") != widget.value:
            widget.value = stored or ""
        self.shown[path] = widget.value
        self.status(f"{study.label} · saved {path}")

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self.save(event.input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.save(event.input)
        self.focus_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.index = event.option_index
        self.show_study()

    def action_step(self, delta: int) -> None:
        if self.studies:
            focused = self.focused
            if isinstance(focused, Input):
                self.save(focused)
            self.index = (self.index + delta) % len(self.studies)
            self.show_study()

    def action_fulltext(self, action: str, *args: int) -> None:
        """The full-text pane's keys, reachable while a form field has the focus."""
        getattr(self.query_one("#fulltext", FullTextPane), action)(*args)

    def action_discrepancies(self) -> None:
        study = self.study
        if study is None:
            return
        items = [d for d in reconcile(self.store).discrepancies if d.study_id == study.id]
        lines = [d.describe() for d in items] or ["No open discrepancies for this study."]
        self.query_one("#report-text", Static).update("\n".join(lines))
        self.status(f"{study.label} · {len(items)} open discrepancies (Ctrl+N/B to leave)")

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Extraction", KEYS))

    def unsaved_input(self) -> str | None:
        """What quitting now would lose: a field typed into but not yet left."""
        for widget in self.query(Input):
            path = path_of(widget.id or "")
            if path in self.shown and widget.value != self.shown[path]:
                return f"the value typed for {self.form.label(path)}"
        return None
