"""The reviewflow Textual app: it is handed a store and a reviewer, nothing global.

Like harlequin, the app receives its dependencies in its constructor (the CLI
opens the store and names the reviewer), so tests build it around a temporary
store and drive it with Pilot.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from textual.app import App
from textual.binding import Binding

from reviewflow.errors import ReviewflowError
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.prioritise import Prioritiser
from reviewflow.screening.queue import QueueOrder, ScreeningQueue, id_order
from reviewflow.screening.ranking_process import ProcessPrioritiser
from reviewflow.screening.settings import ScreeningSettings, load_settings
from reviewflow.stages import FULL_TEXT, LABELS
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.tui.screens.confirm import ConfirmPrompt
from reviewflow.tui.screens.conflicts import ConflictsScreen
from reviewflow.tui.screens.dashboard import DashboardScreen
from reviewflow.tui.screens.duplicates import DuplicatesScreen
from reviewflow.tui.screens.screening import ScreeningScreen


class ReviewflowApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "reviewflow"
    # The terminal's convention: Ctrl+C quits (Textual's own default only says "press
    # ctrl+q"); q quits too wherever it is not typed into a text field.
    BINDINGS = [
        Binding("ctrl+c", "request_quit", "Quit", priority=True, show=False),
        Binding("q", "request_quit", "Quit", show=False),
    ]

    def __init__(self, store: Store, viewer: Viewer, *,
                 settings: ScreeningSettings | None = None, queue_order: QueueOrder = id_order,
                 start_stage: str | None = None, poll_seconds: float = 3.0,
                 folder: Path | None = None, prioritise: bool = True,
                 ranking_in_process: bool = True) -> None:
        super().__init__()
        self.folder = folder  # the review folder: extraction form and analyses.toml live there
        self.store = store
        self.viewer = viewer
        self.settings = settings or load_settings(store)
        self.queue_order = queue_order
        self.start_stage = start_stage
        self.poll_seconds = poll_seconds
        self.review_title = store.review().title
        self.prioritise = prioritise
        self.ranking_in_process = ranking_in_process
        # One ranking per stage for the whole session: its features are built once.
        self._prioritisers: dict[str, Prioritiser | ProcessPrioritiser] = {}

    def on_mount(self) -> None:
        # Straight to screening when asked: the dashboard (a full count) is built
        # only when the reviewer first leaves the screening screen.
        if not (self.start_stage and self.open_screening(self.start_stage, first=True)):
            self.show_dashboard()

    def on_unmount(self) -> None:
        for prioritiser in self._prioritisers.values():
            prioritiser.close()

    def unsaved_input(self) -> str | None:
        """The first thing typed and not yet saved on any open screen (None: nothing)."""
        for screen in reversed(self.screen_stack):
            ask = getattr(screen, "unsaved_input", None)
            what = ask() if callable(ask) else None
            if what:
                return what
        return None

    def action_request_quit(self) -> None:
        """Quit, asking first when typed input would be lost."""
        what = self.unsaved_input()
        if what is None or getattr(self.screen, "asks_to_quit", False):
            self.exit()  # nothing to lose, or Ctrl+C pressed again at the question
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        prompt = ConfirmPrompt(f"Quit and lose {what}?")
        prompt.asks_to_quit = True
        self.push_screen(prompt, answered)

    def show_dashboard(self, _result: object = None) -> None:
        if not any(isinstance(s, DashboardScreen) for s in self.screen_stack):
            self.push_screen(DashboardScreen(self.poll_seconds))

    def reviewer_row(self) -> models.Reviewer:
        """The reviewer as stored now (their role may have changed in another terminal)."""
        with self.store.session() as s:
            return s.exec(
                select(models.Reviewer).where(models.Reviewer.id == self.viewer.reviewer_id)
            ).one()

    def open_screening(self, stage: str, first: bool = False) -> bool:
        """Push the screening screen for ``stage``; False when nothing is there to screen."""
        if self.viewer.role == "arbiter":
            self.notify("Arbiters resolve conflicts (c); screening is for reviewers.",
                        severity="warning")
            return False
        queue = ScreeningQueue(self.store, self.viewer, stage, self.settings, self.queue_order)
        if not queue.total:
            self.notify(f"No records to screen at {LABELS[stage].lower()} yet.",
                        severity="warning")
            return False
        prioritiser = None
        if self.prioritise:
            if stage not in self._prioritisers:
                kind = ProcessPrioritiser if self.ranking_in_process else Prioritiser
                self._prioritisers[stage] = kind(self.store, self.viewer, stage)
            prioritiser = self._prioritisers[stage]
        if stage == FULL_TEXT:
            from reviewflow.tui.screens.fulltext_screening import FullTextScreen

            screen: ScreeningScreen = FullTextScreen(queue, prioritiser,
                                                     fulltext_folder=self.fulltext_folder())
        else:
            screen = ScreeningScreen(queue, prioritiser)
        self.push_screen(screen, self.show_dashboard if first else None)
        return True

    def fulltext_folder(self) -> Path | None:
        """Where the review keeps its PDF copies ([fulltext] folder in reviewflow.toml)."""
        if self.folder is None:
            return None
        from reviewflow.fulltext.storage import fulltext_folder
        from reviewflow.store.location import load_config

        try:
            return fulltext_folder(self.folder, load_config(self.folder).extra)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="warning")
            return None

    def open_conflicts(self) -> None:
        self.push_screen(ConflictsScreen())

    def open_duplicates(self) -> None:
        self.push_screen(DuplicatesScreen())

    def _form(self):  # -> FormInForce | None
        """The form in force, read and never stored here: a screen that writes values
        records it (if edited) in the transaction of the first value written under it."""
        from reviewflow.extraction.form_versions import form_in_force

        try:
            return form_in_force(self.store, self.folder)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="warning")
            return None

    def _read_form(self):  # -> Form | None
        found = self._form()
        return None if found is None else found.form

    def open_extraction(self) -> None:
        """Extract one study at a time (x on the dashboard)."""
        from reviewflow.extraction.studies import list_studies
        from reviewflow.tui.screens.extraction import ExtractionScreen

        found = self._form()
        if found is None:
            return
        if not list_studies(self.store):
            self.notify("No studies yet: 'reviewflow extraction study from-included' makes "
                        "one per included report.", severity="warning")
            return
        self.push_screen(ExtractionScreen(self.store, found.form, found, self.viewer.name,
                                          fulltext_folder=self.fulltext_folder()))

    def open_rob(self) -> None:
        """Risk of bias, RoB 1 (b on the dashboard)."""
        from reviewflow.extraction.rob import ROB1, in_use
        from reviewflow.extraction.studies import list_studies
        from reviewflow.tui.screens.rob_assessment import RobScreen

        if not list_studies(self.store):
            self.notify("No studies to assess yet.", severity="warning")
            return
        self.push_screen(RobScreen(self.store, in_use(self.store, ROB1), self.viewer.name))

    def open_discrepancies(self) -> None:
        """Extraction discrepancies between the two extractors (v on the dashboard)."""
        from reviewflow.tui.screens.discrepancies import DiscrepancyScreen

        found = self._form()
        if found is not None:
            self.push_screen(DiscrepancyScreen(self.store, found.form, found,
                                               self.viewer.name))

    def open_grade(self) -> None:
        """GRADE certainty per outcome (e on the dashboard)."""
        from reviewflow.grade.evidence import review_outcomes
        from reviewflow.store.reader import store_reader
        from reviewflow.tui.screens.grade import GradeScreen

        if self.folder is None or self._read_form() is None:
            self.notify("GRADE needs the review folder (analyses.toml).", severity="warning")
            return
        try:
            with store_reader(self.store) as reader:
                outcomes = review_outcomes(reader, self.folder)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.push_screen(GradeScreen(self.store, outcomes, self.viewer.name))

    def open_analyses(self) -> None:
        """The declared analyses as text forest plots (a on the dashboard)."""
        from reviewflow.extraction.analyses import load_analyses
        from reviewflow.tui.screens.analysis import AnalysisScreen

        form = self._read_form()
        if form is None or self.folder is None:
            self.notify("Analyses need the review folder (analyses.toml).", severity="warning")
            return
        try:
            analyses = load_analyses(self.folder, form)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="warning")
            return
        if not analyses:
            self.notify("No analyses declared in analyses.toml.", severity="warning")
            return
        self.push_screen(AnalysisScreen(self.store, form, analyses))
