"""The dashboard: where the review stands, refreshed when another terminal works.

Polling is cheap: every few seconds it reads a handful of index maxima
(:func:`change_marker`) and recomputes the figures only when they moved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from reviewflow.review_state import load_review_state
from reviewflow.screening.prioritise import stage_estimate
from reviewflow.screening.progress import Dashboard, StageProgress, change_marker, dashboard
from reviewflow.stages import LABELS
from reviewflow.tui.screens.help import HelpScreen
from reviewflow.tui.widgets.keybar import KeyBar
from reviewflow.wording import plural

if TYPE_CHECKING:
    from reviewflow.ranking import StoppingEstimate
    from reviewflow.tui.app import ReviewflowApp

KEYS = [
    ("t", "screen titles and abstracts"), ("f", "screen full texts"),
    ("c", "conflicts"), ("d", "duplicate review"), ("x", "extract data, one study at a time"),
    ("b", "risk of bias (RoB 1)"), ("v", "extraction discrepancies"),
    ("a", "analyses (text forest plots)"), ("e", "GRADE: certainty of the evidence"),
    ("g", "refresh now"),
    ("?", "this key map"), ("q / Ctrl+C", "quit"),
]
BAR = [
    ("t", "title/abstract"), ("f", "full text"), ("c", "conflicts"), ("d", "duplicates"),
    ("x", "extract"), ("a", "analyses"), ("?", "keys"), ("q", "quit"),
]


def _fmt(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


def stage_table(sp: StageProgress, screener: bool = True) -> Table:
    left = f"{sp.left_for_viewer} left for you, " if screener else ""
    table = Table(title=f"{LABELS[sp.stage]}: {plural(sp.eligible, 'record')}, {left}"
                  f"{sp.moved_on} moved on", title_justify="left", expand=True)
    for col in ("reviewer", "decided", "include", "exclude", "maybe", "not retr."):
        table.add_column(col, justify="left" if col == "reviewer" else "right")
    for r in sp.reviewers:
        b = r.breakdown
        cells = (["·"] * 4 if b is None else
                 [str(b.get(k, 0)) for k in ("include", "exclude", "maybe", "not_retrieved")])
        pct = f"{r.decided} ({100 * r.decided / sp.eligible:.0f} %)" if sp.eligible else "0"
        table.add_row(Text(r.name), pct, *cells)
    if not sp.reviewers:
        table.add_row("(no decisions yet)", "", "", "", "", "")
    return table


def stage_footer(sp: StageProgress) -> Text:
    out = Text(f"Conflicts waiting: {sp.conflicts_waiting}", style="bold red"
               if sp.conflicts_waiting else "bold")
    out.append(f"   resolved: {sp.conflicts_resolved}")
    for a in sp.agreement:
        out.append(f"\nAgreement {a.reviewer_a}/{a.reviewer_b} on {plural(a.n, 'record')}: "
                   f"{_fmt(a.percent, '{:.1f} %')}, Cohen's kappa {_fmt(a.kappa, '{:.2f}')}")
    if not sp.agreement:
        out.append("\nAgreement: once two reviewers have decided the same records")
    for line in sp.plan:
        out.append(f"\n{line}")
    return out


def estimate_text(est: StoppingEstimate) -> Text:
    """The stopping heuristic for the viewer, worded so nobody mistakes it for a count."""
    out = Text("ESTIMATE (not a count): ", style="bold yellow")
    need = min(est.patience, est.n_total)
    if est.screened < need:
        # A decay fitted to a handful of decisions claims ~100% recall: say nothing yet.
        out.append(f"relevant still unseen: too early ({est.screened} of {need} "
                   f"decisions needed); {est.found} relevant found so far")
        return out
    out.append(f"about {est.estimated_unseen_relevant:.1f} relevant records still unseen by you"
               if est.estimated_unseen_relevant == est.estimated_unseen_relevant
               else "relevant records still unseen: unknown until you include one")
    out.append(f"; estimated recall {est.estimated_recall:.0%}, cautious {est.cautious_recall:.0%}")
    out.append(f"\n  {est.consecutive_irrelevant} consecutive irrelevant (rule: "
               f"{est.patience}); stopping heuristic: ")
    out.append("could stop" if est.should_stop else "keep screening",
               style="bold green" if est.should_stop else "bold")
    out.append(f" ({est.reason})")
    return out


def render_dashboard(data: Dashboard, title: str, who: str, screener: bool = True,
                     estimates: dict[str, StoppingEstimate | None] | None = None) -> Group:
    head = Text(title, style="bold")
    head.append(f"\n{who}  ·  {plural(data.records, 'record')} after dedup  ·  duplicate pairs "
                f"waiting: {data.duplicate_pairs_waiting}", style="")
    if data.policy:
        head.append(f"\nScreening rules: {data.policy} (reviewflow policy)", style="dim")
    parts: list = [head]
    for sp in data.stages:
        parts += [Text(""), stage_table(sp, screener), stage_footer(sp)]
        est = (estimates or {}).get(sp.stage)
        if est is not None:
            parts.append(estimate_text(est))
    parts.append(Text("\n· = hidden while blind (you see others' progress, not their calls)",
                      style="dim"))
    return Group(*parts)


class DashboardScreen(Screen[None]):
    BINDINGS = [
        Binding("t", "open('title_abstract')", "Title/abstract"),
        Binding("f", "open('full_text')", "Full text"),
        Binding("c", "conflicts", "Conflicts"),
        Binding("d", "duplicates", "Duplicates"),
        Binding("x", "app_open('extraction')", "Extract"),
        Binding("b", "app_open('rob')", "Risk of bias"),
        Binding("v", "app_open('discrepancies')", "Discrepancies"),
        Binding("a", "app_open('analyses')", "Analyses"),
        Binding("e", "app_open('grade')", "GRADE"),
        Binding("g", "refresh(True)", "Refresh"),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "app.request_quit", "Quit"),
    ]

    def __init__(self, poll_seconds: float = 3.0) -> None:
        super().__init__()
        self.poll_seconds = poll_seconds
        self._marker: tuple[int, ...] | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Counting...", id="dashboard")
        yield KeyBar(BAR)

    def on_mount(self) -> None:
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.action_refresh)

    def on_screen_resume(self) -> None:
        self.action_refresh(True)

    @property
    def rf(self) -> ReviewflowApp:
        return self.app  # type: ignore[return-value]

    def action_refresh(self, force: bool = False) -> None:
        """Recompute in a worker thread, only while shown and only when the store changed.

        A poll leaves a refresh still computing alone: superseding it (the thread runs on
        regardless) would restart the work every poll, so on a review whose refresh takes
        longer than the poll interval the counts would never appear. A forced refresh
        (the screen shown again) supersedes it.
        """
        if not self.is_current:
            return
        if not force and self._computing():
            return
        self.run_worker(lambda: self._compute(force), thread=True, exclusive=True,
                        group="dashboard")

    def _computing(self) -> bool:
        return any(w.node is self and w.group == "dashboard" and w.is_running
                   for w in self.app.workers)

    def _compute(self, force: bool) -> None:
        app = self.rf
        with app.store.session() as s:
            marker = change_marker(s)
            if not force and marker == self._marker:
                return
            state = load_review_state(s, with_plan=True)  # one snapshot for both
            data = dashboard(s, app.viewer, state=state)
            estimates = {} if app.viewer.role == "arbiter" else {
                sp.stage: stage_estimate(s, app.viewer, sp.stage, sp.served, state=state)
                for sp in data.stages}
        app.call_from_thread(self._show, marker, data, estimates)

    def _show(self, marker: tuple[int, ...], data: Dashboard,
              estimates: dict[str, StoppingEstimate | None] | None = None) -> None:
        self._marker = marker
        v = self.rf.viewer
        screener = v.role != "arbiter"
        mode = "blind" if v.blind else "unblinded"
        who = f"{v.name} ({v.role}, {mode})" if screener else f"{v.name} (arbiter: sees all)"
        self.query_one("#dashboard", Static).update(
            render_dashboard(data, self.rf.review_title, who, screener, estimates))

    def action_open(self, stage: str) -> None:
        self.rf.open_screening(stage)

    def action_conflicts(self) -> None:
        self.rf.open_conflicts()

    def action_duplicates(self) -> None:
        self.rf.open_duplicates()

    def action_app_open(self, what: str) -> None:
        getattr(self.rf, f"open_{what}")()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Dashboard", KEYS))
