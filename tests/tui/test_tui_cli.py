"""``reviewflow tui`` / ``screen``: the app gets the store, the reviewer and the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.tui.app import ReviewflowApp
from tests.screening.support import make_review

runner = CliRunner()


@pytest.fixture
def launched(monkeypatch) -> list[ReviewflowApp]:
    seen: list[ReviewflowApp] = []
    monkeypatch.setattr(ReviewflowApp, "run", lambda self, *a, **k: seen.append(self))
    return seen


def test_screen_builds_app_for_reviewer_and_stage(tmp_path: Path, launched) -> None:
    review = make_review(tmp_path / "r", 3, {"screening": {"blind": False,
                                                           "include_keywords": ["trial"]}})
    res = runner.invoke(app, ["--review", str(review), "screen", "--reviewer", "ann",
                              "--stage", "full-text"])
    assert res.exit_code == 0, res.output
    [tui] = launched
    assert tui.viewer.name == "ann" and tui.viewer.blind is False
    assert tui.start_stage == "full_text" and tui.settings.include_keywords == ("trial",)


def test_tui_defaults_to_dashboard_and_env_reviewer(tmp_path: Path, launched,
                                                     monkeypatch) -> None:
    review = make_review(tmp_path / "r", 1)
    monkeypatch.setenv("REVIEWFLOW_REVIEWER", "bob")
    res = runner.invoke(app, ["--review", str(review), "tui"])
    assert res.exit_code == 0, res.output
    assert launched[0].viewer.name == "bob" and launched[0].start_stage is None


def test_screen_unknown_stage_is_a_user_error(tmp_path: Path, launched) -> None:
    review = make_review(tmp_path / "r", 1)
    res = runner.invoke(app, ["--review", str(review), "screen", "--reviewer", "ann",
                              "--stage", "abstracts"])
    assert res.exit_code == 1 and "unknown stage" in str(res.exception)
    assert launched == []
