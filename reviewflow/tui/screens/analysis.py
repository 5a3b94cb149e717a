"""Analysis: the declared analyses, each pooled from the reconciled extraction,
shown as the engine's text forest plot with heterogeneity and subgroup lines.

Running an analysis here writes no files (``reviewflow analyse`` does); a
blocked analysis shows why (the discrepancies to resolve) instead of numbers.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.measure import Measurement
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import Analysis
from reviewflow.extraction.analysis_outputs import forest_extras
from reviewflow.extraction.entered import entered_cells
from reviewflow.extraction.form import Form
from reviewflow.extraction.reconcile import read_reconciled
from reviewflow.extraction.run_analysis import pool_declared, summary_lines, text_forest
from reviewflow.store.db import Store
from reviewflow.store.reader import store_reader
from reviewflow.wording import plural

_WIDE = Console(width=1000)  # only measures: what the plot needs, unconstrained


class AnalysisScreen(Screen[None]):
    DEFAULT_CSS = """
    AnalysisScreen #analysis-list { width: 28; }
    AnalysisScreen #analysis-body { width: 1fr; padding: 0 1; overflow-x: auto; }
    AnalysisScreen #analysis-status { height: 1; background: $boost; }
    """
    BINDINGS = [
        Binding("r", "rerun", "Re-run"),
        Binding("left", "sideways(-8)", "Plot left", show=False),
        Binding("right", "sideways(8)", "Plot right"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, form: Form, analyses: list[Analysis]) -> None:
        super().__init__()
        self.store, self.form, self.analyses = store, form, analyses
        self.shown: int | None = None  # the analysis on screen

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
        # The list highlights its first entry once mounted: that one is shown already
        # (pooling it again would be a second pooling for one action); r re-runs.
        if event.option_index != self.shown:
            self.show(event.option_index)

    def action_sideways(self, columns: int) -> None:
        """A wide plot (arm data, RoB columns) scrolls under the list's focus."""
        self.query_one("#analysis-body", VerticalScroll).scroll_relative(x=columns,
                                                                         animate=False)

    def action_rerun(self) -> None:
        index = self.query_one("#analysis-list", OptionList).highlighted
        self.show(index or 0)

    def show(self, index: int) -> None:
        self.shown = index
        analysis = self.analyses[index]
        forest, lines = self.query_one("#forest", Static), self.query_one("#lines", Static)
        status = self.query_one("#analysis-status", Label)
        try:
            with store_reader(self.store) as reader:  # one snapshot for the whole plot
                rec = read_reconciled(reader)
                [run] = pool_declared(reader, self.form, [analysis], reconciled=rec)
                extras = forest_extras(reader, analysis)
            plot = text_forest(run, self.form, entered=entered_cells(run, self.form, rec),
                               **extras)
        except ReviewflowError as exc:
            forest.update(Text(str(exc), style="bold red"))
            lines.update("")
            status.update(f"{analysis.name}: cannot run")
            return
        forest.update(Group(plot))
        # as wide as the plot needs (the body scrolls sideways): a Rich table squeezed
        # into a narrow pane would cut the data columns and the axis
        forest.styles.width = Measurement.get(_WIDE, _WIDE.options, plot).maximum
        # the text forest already carries the heterogeneity lines; add the effect lines
        effects = [line for line in summary_lines(run) if not line.startswith("    ")]
        # a study pooled more than once (as entered in RevMan) must be seen here too
        effects += [f"Note: {line}" for line in run.input.repeated_entry_lines()]
        lines.update(Text("\n".join(effects)))
        status.update(f"{analysis.name}: {analysis.title or analysis.outcome} · "
                      f"{plural(run.estimable, 'study')}")
