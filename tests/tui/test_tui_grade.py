"""Pilot test of the GRADE screen: suggestions shown, judgements recorded with reasons."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label

from reviewflow.grade.domains import Certainty, Domain, Judgement
from reviewflow.grade.evidence import OutcomeReview
from reviewflow.grade.judgements import current
from reviewflow.grade.rules import OutcomeEvidence, Rob, StudyEvidence, suggest
from reviewflow.grade.settings import GradeSettings
from reviewflow.store.db import Store
from reviewflow.tui.screens.grade import GradeScreen
from tests.tui.support_tui import Host


def outcome(name: str) -> OutcomeReview:
    studies = (StudyEvidence("A", 50, Rob.HIGH, -1.0, -0.2),
               StudyEvidence("B", 50, Rob.LOW, -0.8, 0.1))
    ev = OutcomeEvidence(outcome=name, ratio=True, continuous=False, k=2, participants=300,
                         estimate=math.log(0.7), ci_low=math.log(0.5), ci_high=math.log(0.98),
                         i2=20.0, prediction_interval=None, studies=studies, control_risk=0.3)
    return OutcomeReview(name, f"{name} title", None, ev, GradeSettings(), suggest(ev))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.create(f"sqlite:///{tmp_path / 'rf.db'}", title="GRADE TUI")
    yield s
    s.dispose()


def test_grade_screen_records_judgements_and_shows_certainty(store: Store) -> None:
    screen = GradeScreen(store, [outcome("mortality"), outcome("pain")], "alice")
    asyncio.run(drive(screen))
    with store.session() as s:
        grade = current(session=s)["mortality"]
    assert grade.judgements == {Domain.RISK_OF_BIAS: Judgement.SERIOUS,
                                Domain.IMPRECISION: Judgement.SERIOUS}
    assert grade.rated[Domain.RISK_OF_BIAS].reviewer == "alice"
    assert "weight" in (grade.rated[Domain.RISK_OF_BIAS].reason or "")
    assert grade.certainty is Certainty.LOW


async def drive(screen: GradeScreen) -> None:
    app = Host(screen)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        table = screen.query_one("#grade-domains", DataTable)
        assert table.row_count == 8
        assert "certainty ⊕⊕⊕⊕ High" in str(screen.query_one("#grade-status", Label).render())
        # risk of bias: the suggestion's reason is prefilled; press 2 = serious
        assert "weight" in screen.query_one("#grade-reason", Input).value
        await pilot.press("2")
        await pilot.pause()
        # imprecision (4th row): accept the suggestion with enter
        table.move_cursor(row=3)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        # indirectness has no suggestion: enter only warns
        table.move_cursor(row=2)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Low" in str(screen.query_one("#grade-status", Label).render())
