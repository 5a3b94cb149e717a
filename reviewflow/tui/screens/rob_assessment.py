"""Risk of bias: one study at a time, a judgement and its support per domain.

Type the judgement as a word or its first letter (l = low, u = unclear,
s = some concerns, h = high); it is saved, with the support text, when the
row is left. Judgements are the reviewer's own (dual, blinded) until reconciled.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, OptionList, Static

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.rob import LABELS, Tool, current_judgements, record_judgements
from reviewflow.extraction.studies import StudyInfo, list_studies
from reviewflow.store.db import Store
from reviewflow.tui.screens.extraction_support import Worker, reports_text
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.widgets.fields import ProseField, ValueField

LETTERS = {"l": "low", "u": "unclear", "s": "some_concerns", "h": "high"}
KEYS = [
    ("l u s h", "low / unclear / some concerns / high (or type the word)"),
    ("Tab / Enter", "save the row, go to the next field"), ("Shift+Tab", "previous field"),
    ("Ctrl+N / Ctrl+B", "next / previous study"), ("? / F1", "this key map"),
    ("Esc", "back to the dashboard"), ("Ctrl+C", "quit"),
]


class RobScreen(Screen[None]):
    DEFAULT_CSS = """
    RobScreen #rob-studies { width: 24; }
    RobScreen #domains { width: 2fr; }
    RobScreen #rob-reports { width: 1fr; border-left: solid $primary; padding: 0 1; }
    RobScreen .domain { height: 2; margin-bottom: 1; }
    RobScreen .domain Label { width: 34; padding: 0 1 0 0; }
    RobScreen .domain Input { border: none; height: 1; padding: 0 1; }
    RobScreen .domain Input:focus { background: $accent 40%; }
    RobScreen .judgement { margin-right: 1; }
    RobScreen .support { width: 1fr; }
    RobScreen .domain Input.bad-value { background: $error 60%; }
    RobScreen #rob-status { height: 1; background: $boost; }
    """
    BINDINGS = [
        Binding("ctrl+n", "step(1)", "Next study", priority=True),
        Binding("ctrl+b", "step(-1)", "Previous study", priority=True),
        Binding("question_mark,f1", "help", "Keys", priority=True, key_display="?"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, tool: Tool, reviewer: str,
                 outcome: str | None = None) -> None:
        super().__init__()
        self.store, self.tool, self.outcome = store, tool, outcome
        self.worker = Worker.named(store, reviewer)
        self.studies: list[StudyInfo] = list_studies(store)
        self.index = 0
        self.shown: dict[str, str] = {}  # input id -> value as last shown or saved
        # Widget keys: the domain id, or "custom<n>" for an item named in words (a RoB 1
        # item a RevMan author added), as widget ids take letters, digits, - and _ only.
        self.keys = {d.id: d.id if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", d.id)
                     else f"custom{i}" for i, d in enumerate(self.tool.domains)}
        self.domain_of_key = {k: d for d, k in self.keys.items()}

    def compose(self) -> ComposeResult:
        yield Label("", id="rob-status", markup=False)
        with Horizontal():
            yield OptionList(*[s.label for s in self.studies], id="rob-studies", markup=False)
            with VerticalScroll(id="domains"):
                for d in self.tool.domains:
                    with Horizontal(classes="domain"):
                        yield Label(d.label)
                        judgement = ValueField(placeholder=self.hint, id=f"j-{self.keys[d.id]}",
                                               classes="judgement")
                        # the whole hint shows, whatever the tool's words (RoB 2 is longer)
                        judgement.styles.width = len(self.hint) + 3
                        yield judgement
                        yield ProseField(placeholder="support for judgement",
                                         id=f"s-{self.keys[d.id]}",
                                         classes="support")
            with VerticalScroll(id="rob-reports"):
                yield Static("", id="rob-report-text", markup=False)
        yield Footer()

    @property
    def hint(self) -> str:
        return " / ".join(j.replace("_", " ") for j in self.tool.judgements)

    def on_mount(self) -> None:
        self.show_study()

    @property
    def study(self) -> StudyInfo | None:
        return self.studies[self.index] if self.studies else None

    def show_study(self) -> None:
        study = self.study
        if study is None:
            self.query_one("#rob-status", Label).update("No studies yet.")
            return
        mine, _agreed = current_judgements(self.store, self.tool, self.outcome)
        for d in self.tool.domains:
            row = mine.get((study.id, d.id, self.worker.id))
            key = self.keys[d.id]
            self.query_one(f"#j-{key}", Input).value = LABELS[row.judgement] if row else ""
            self.query_one(f"#s-{key}", Input).value = (row.support or "") if row else ""
        self.shown = {w.id or "": w.value for w in self.query(Input)}
        self.query_one("#rob-report-text", Static).update(reports_text(self.store, study))
        self.query_one("#rob-studies", OptionList).highlighted = self.index
        self.query_one(f"#j-{self.keys[self.tool.domains[0].id]}", Input).focus()
        self.query_one("#rob-status", Label).update(
            f"{study.label} · {self.tool.name}{' · ' + self.outcome if self.outcome else ''} · "
            f"assessing as {self.worker.name}")

    def save(self, domain_id: str) -> None:
        study = self.study
        key = self.keys[domain_id]
        j_input = self.query_one(f"#j-{key}", Input)
        text = j_input.value.strip()
        if study is None or not text:
            return
        support = self.query_one(f"#s-{key}", Input).value.strip() or None
        try:
            judgement = self.tool.judgement(LETTERS.get(text.lower(), text))
        except ReviewflowError as exc:
            j_input.add_class("bad-value")
            self.query_one("#rob-status", Label).update(str(exc))
            return
        j_input.remove_class("bad-value")
        j_input.value = LABELS[judgement]
        mine, _ = current_judgements(self.store, self.tool, self.outcome)
        row = mine.get((study.id, domain_id, self.worker.id))
        if row is None or (row.judgement, row.support) != (judgement, support):
            with self.store.write() as session:
                record_judgements(session=session, rob_tool=self.tool,
                                  reviewer_id=self.worker.id,
                                  entries=[(study.id, domain_id, judgement, support)],
                                  outcome=self.outcome)
        self.shown[f"j-{key}"] = j_input.value
        self.shown[f"s-{key}"] = self.query_one(f"#s-{key}", Input).value
        self.query_one("#rob-status", Label).update(f"{study.label} · saved {domain_id}")

    def _domain_of(self, widget: Input) -> str:
        return self.domain_of_key[(widget.id or "")[2:]]

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self.save(self._domain_of(event.input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.save(self._domain_of(event.input))
        self.focus_next()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.index = event.option_index
        self.show_study()

    def action_step(self, delta: int) -> None:
        if self.studies:
            if isinstance(self.focused, Input):
                self.save(self._domain_of(self.focused))
            self.index = (self.index + delta) % len(self.studies)
            self.show_study()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(f"Risk of bias ({self.tool.name})", KEYS))

    def unsaved_input(self) -> str | None:
        """What quitting now would lose: a judgement or support typed but not yet saved."""
        changed = [w for w in self.query(Input) if w.id in self.shown
                   and w.value.strip() != self.shown[w.id].strip()]
        return f"the risk-of-bias entry for {self._domain_of(changed[0])}" if changed else None
