"""Snapshot tests of the main screens (pytest-textual-snapshot).

Update after a deliberate visual change with ``pytest tests/tui --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.tui.app import ReviewflowApp
from tests.screening.support import add_pair, decide, make_store, viewer
from tests.tui.support_tui import SIZE, settle

TA, FT = TITLE_ABSTRACT, FULL_TEXT
KEYWORDS = ScreeningSettings(include_keywords=("randomised", "randomized", "placebo"),
                             exclude_keywords=("mouse", "cost"))


@pytest.fixture
def store(tmp_path: Path):
    s = make_store(tmp_path, 6)
    ann, bob = viewer(s, "ann"), viewer(s, "bob")
    decide(s, ann, 1, TA, "include", note="RCT, adults")
    decide(s, bob, 1, TA, "exclude", note="phase I only?")
    decide(s, ann, 2, TA, "include")
    decide(s, bob, 2, TA, "include")
    add_pair(s, 3, 4, 0.93)
    yield s
    s.dispose()


def test_screening_title_abstract(store, snap_compare) -> None:
    """Reviewer bob on record 3, keywords highlighted, blind."""
    app = ReviewflowApp(store, viewer(store, "bob"), settings=KEYWORDS, start_stage=TA,
                        poll_seconds=0)
    assert snap_compare(app, terminal_size=SIZE)


def test_screening_full_text_reason_picker(store, snap_compare) -> None:
    """The exclusion-reason picker over a full-text record."""
    app = ReviewflowApp(store, viewer(store, "ann"), settings=KEYWORDS, start_stage=FT,
                        poll_seconds=0)
    assert snap_compare(app, terminal_size=SIZE, press=["e"])


def test_dashboard(store, snap_compare) -> None:
    """Progress per reviewer (the other's calls hidden), conflicts, kappa, duplicates."""
    app = ReviewflowApp(store, viewer(store, "ann"), poll_seconds=0)

    async def ready(pilot) -> None:
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_conflicts(store, snap_compare) -> None:
    """Both decisions and notes side by side."""
    app = ReviewflowApp(store, viewer(store, "ann"), poll_seconds=0)
    assert snap_compare(app, terminal_size=SIZE, press=["c"])


def test_duplicates(store, snap_compare) -> None:
    """A candidate pair with its differing fields highlighted."""
    app = ReviewflowApp(store, viewer(store, "ann"), poll_seconds=0)
    assert snap_compare(app, terminal_size=SIZE, press=["d"])
