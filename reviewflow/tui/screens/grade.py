"""GRADE: rate the certainty of each outcome, domain by domain (e on the dashboard).

Left, the outcomes (declared analyses) with their certainty; right, one row per
domain with the suggestion (and the rule that produced it) beside the judgement
in force. 1 / 2 / 3 record not serious / serious / very serious (none / +1 / +2
for the upgrading domains) with the reason in the box below, which starts as
the suggestion's reason; enter accepts the suggestion as it stands.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, OptionList

from reviewflow.errors import ReviewflowError
from reviewflow.grade.domains import JUDGEMENT_LABELS, LABELS, allowed
from reviewflow.grade.evidence import OutcomeReview
from reviewflow.grade.judgements import OutcomeGrade, current, record
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.store.db import Store
from reviewflow.wording import plural


class GradeScreen(Screen[None]):
    DEFAULT_CSS = """
    GradeScreen #grade-outcomes { width: 34; }
    GradeScreen #grade-right { width: 1fr; padding: 0 1; }
    GradeScreen #grade-status { height: 1; background: $boost; }
    GradeScreen #grade-reason { height: 3; }
    """
    BINDINGS = [
        Binding("1", "judge(0)", "Not serious / none", show=True),
        Binding("2", "judge(1)", "Serious / +1"),
        Binding("3", "judge(2)", "Very serious / +2"),
        Binding("enter", "accept", "Accept suggestion", priority=False),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, outcomes: Sequence[OutcomeReview], reviewer: str) -> None:
        super().__init__()
        self.store, self.outcomes, self.reviewer = store, list(outcomes), reviewer
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="grade-status")
        with Horizontal():
            yield OptionList(*[o.name for o in self.outcomes], id="grade-outcomes")
            with Vertical(id="grade-right"):
                yield DataTable(id="grade-domains", cursor_type="row")
                yield Input(placeholder="Reason (the summary of findings footnote)",
                            id="grade-reason")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#grade-domains", DataTable)
        table.add_columns("Domain", "Suggested", "Judgement in force", "Rule: reason")
        if self.outcomes:
            self.show(0)
            table.focus()
        else:
            self.status("No analyses to rate (declare them in analyses.toml).")

    def status(self, text: str) -> None:
        self.query_one("#grade-status", Label).update(text)

    def grade(self) -> OutcomeGrade:
        outcome = self.outcomes[self.index].name
        with self.store.session() as s:
            return current(session=s).get(outcome, OutcomeGrade(outcome, {}))

    def show(self, index: int) -> None:
        self.index = index
        review, grade = self.outcomes[index], self.grade()
        table = self.query_one("#grade-domains", DataTable)
        row = table.cursor_row
        table.clear()
        for sug in review.suggestions:
            rated = grade.rated.get(sug.domain)
            suggested = JUDGEMENT_LABELS[sug.judgement] if sug.judgement else "(you judge)"
            held = f"{JUDGEMENT_LABELS[rated.judgement]} ({rated.reviewer})" if rated else "–"
            # Text, not markup: reasons are typed by people and may hold [brackets]
            table.add_row(LABELS[sug.domain], suggested, Text(held),
                          Text(f"{sug.rule}: {sug.reason}"))
        table.move_cursor(row=min(row, len(review.suggestions) - 1))
        c = grade.certainty
        ev = review.evidence
        self.status(f"{review.name}: {review.title} · {plural(ev.k, 'study')}, "
                    f"{plural(ev.participants, 'participant')} · certainty {c.symbols} {c.label}")
        self._prefill()

    def _prefill(self) -> None:
        table = self.query_one("#grade-domains", DataTable)
        if not self.outcomes or table.cursor_row < 0:
            return
        sug = self.outcomes[self.index].suggestions[table.cursor_row]
        self.query_one("#grade-reason", Input).value = sug.reason if sug.judgement else ""

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show(event.option_index)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._prefill()

    def _record(self, level: int | None) -> None:
        if not self.outcomes:
            return
        review = self.outcomes[self.index]
        sug = review.suggestions[self.query_one("#grade-domains", DataTable).cursor_row]
        judgement = sug.judgement if level is None else allowed(sug.domain)[level]
        if judgement is None:
            self.notify(f"{LABELS[sug.domain]} needs your judgement: press 1, 2 or 3.",
                        severity="warning")
            return
        reason = self.query_one("#grade-reason", Input).value
        try:
            with self.store.write() as s:
                rid = int(ensure_reviewer(session=s, name=self.reviewer).id or 0)
                record(session=s, outcome=review.name, domain=sug.domain, judgement=judgement,
                       reason=reason, reviewer_id=rid)
        except ReviewflowError as exc:
            self.notify(str(exc), severity="error")
            return
        self.show(self.index)

    def action_judge(self, level: int) -> None:
        self._record(level)

    def action_accept(self) -> None:
        self._record(None)

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_accept()
