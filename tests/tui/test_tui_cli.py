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
    [tui] = launched  # the toml's blind = false is not the review's rule: still blind
    assert tui.viewer.blind is True and "the store's rule stands" in res.output
    launched.clear()
    r = ["--review", str(review)]
    assert runner.invoke(app, [*r, "reviewer", "add", "carol", "--role", "arbiter"]).exit_code == 0
    res = runner.invoke(app, [*r, "policy", "--blind", "off", "--by", "ann"])
    assert res.exit_code == 1 and "not an arbiter" in str(res.exception)
    res = runner.invoke(app, [*r, "policy", "--blind", "off", "--by", "carol", "--history"])
    assert res.exit_code == 0 and "carol\tblind = False" in res.output
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


def test_a_name_differing_only_in_case_is_refused(tmp_path: Path, launched) -> None:
    """'Ann' would otherwise start a second, empty blind screening beside ann's."""
    review = make_review(tmp_path / "r", 2)
    assert runner.invoke(app, ["--review", str(review), "reviewer", "add", "ann"]).exit_code == 0
    for cmd in (["screen", "--reviewer", " Ann "], ["tui", "--reviewer", "ANN"]):
        res = runner.invoke(app, ["--review", str(review), *cmd])
        assert res.exit_code == 1 and "there is 'ann'" in str(res.exception)
    decisions = tmp_path / "d.csv"
    decisions.write_text("record_id,decision\n1,include\n")
    res = runner.invoke(app, ["--review", str(review), "decide", "--reviewer", "Ann",
                              "--stage", "title-abstract", "--from", str(decisions)])
    assert res.exit_code == 1 and "there is 'ann'" in str(res.exception)
    assert launched == []
    res = runner.invoke(app, ["--review", str(review), "reviewer", "list"])
    assert "Ann" not in res.output and "ANN" not in res.output


def test_a_new_name_is_confirmed_at_a_terminal(tmp_path: Path, launched, monkeypatch) -> None:
    review = make_review(tmp_path / "r", 2)
    assert runner.invoke(app, ["--review", str(review), "reviewer", "add", "bob"]).exit_code == 0
    monkeypatch.setattr("reviewflow.cli.tui._interactive", lambda: True)
    res = runner.invoke(app, ["--review", str(review), "screen", "--reviewer", "bbo"],
                        input="n\n")
    assert res.exit_code == 1
    assert "not a reviewer of this review yet (reviewers: ann, bob)" in res.output
    assert launched == []
    res = runner.invoke(app, ["--review", str(review), "screen", "--reviewer", "carl"],
                        input="y\n")
    assert res.exit_code == 0, res.output
    assert launched[0].viewer.name == "carl"
