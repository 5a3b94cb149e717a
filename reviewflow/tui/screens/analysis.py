"""Analysis: the declared analyses, each pooled from the reconciled extraction,
shown as the engine's text forest plot with heterogeneity and subgroup lines.

Running an analysis here writes no files (``reviewflow analyse`` does); a
blocked analysis shows why (the discrepancies to resolve) instead of numbers.
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import Analysis, analysis_input
from reviewflow.extraction.form import Form
from reviewflow.extraction.run_analysis import pool, summary_lines, text_forest
from reviewflow.store.db import Store


class AnalysisScreen(Screen[None]):
    DEFAULT_CSS = """
    AnalysisScreen #analysis-list { width: 28; }
    AnalysisScreen #analysis-body { width: 1fr; padding: 0 1; }
    AnalysisScreen #analysis-status { height: 1; background: $boost; }
    """
    BINDINGS = [
        Binding("r", "rerun", "Re-run"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, form: Form, analyses: list[Analysis]) -> None:
        super().__init__()
        self.store, self.form, self.analyses = store, form, analyses

    def compose(self) -> ComposeResult:
        yield Label("", id="analysis-status", markup=False)
        with Horizontal():
            yield OptionList(*[a.name for a in self.analyses], id="analysis-list",
                             markup=False)
            with VerticalScroll(id="analysis-body"):
                yield Static("", id="forest")
                yield Static("", id="lines")
        yield Footer()

    def on_mount(self) -> None:
        if self.analyses:
            self.show(0)
        else:
            self.query_one("#analysis-status", Label).update("No analyses in analyses.toml.")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show(event.option_index)

    def action_rerun(self) -> None:
        index = self.query_one("#analysis-list", OptionList).highlighted
        self.show(index or 0)

    def show(self, index: int) -> None:
        analysis = self.analyses[index]
        forest, lines = self.query_one("#forest", Static), self.query_one("#lines", Static)
        status = self.query_one("#analysis-status", Label)
        try:
            run = pool(analysis, analysis_input(self.store, analysis, form=self.form))
        except ReviewflowError as exc:
            forest.update(Text(str(exc), style="bold red"))
            lines.update("")
            status.update(f"{analysis.name}: cannot run")
            return
        forest.update(Group(text_forest(run, self.form)))
        # the text forest already carries the heterogeneity lines; add the effect lines
        effects = [line for line in summary_lines(run) if not line.startswith("    ")]
        # a study pooled more than once (as entered in RevMan) must be seen here too
        effects += [f"Note: {line}" for line in run.input.repeated_entry_lines()]
        lines.update(Text("\n".join(effects)))
        status.update(f"{analysis.name}: {analysis.title or analysis.outcome} · "
                      f"{run.estimable} studies")
