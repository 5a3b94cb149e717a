"""``reviewflow rank`` and ``reviewflow seed-relevant``: the TUI's ranking from a script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from tests.screening.support import make_review

runner = CliRunner()
RA_TRIALS = {1, 6, 11, 16}  # records sharing the first title in tests.screening.support


def rf(review: Path, *args: str):
    return runner.invoke(app, ["--review", str(review), *args])


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "rev", 20)


def load(review: Path, tmp_path: Path, who: str, text: str) -> None:
    f = tmp_path / f"{who}.csv"
    f.write_text("record_id,decision\n" + text, encoding="utf-8")
    res = rf(review, "decide", "--reviewer", who, "--stage", "title-abstract", "--from", str(f))
    assert res.exit_code == 0, res.output


def test_rank_file_order_until_enough_then_relevance(review: Path, tmp_path: Path) -> None:
    load(review, tmp_path, "ann", "1,include\n")
    res = rf(review, "rank", "--reviewer", "ann", "--json", "-n", "5")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["order"] == "file" and [r["record_id"] for r in out["next"]] == [2, 3, 4, 5, 6]
    load(review, tmp_path, "ann", "2,exclude\n")
    out = json.loads(rf(review, "rank", "--reviewer", "ann", "--json", "-n", "3").output)
    assert out["order"] == "relevance" and out["training_labels"] == 2
    assert {r["record_id"] for r in out["next"]} == RA_TRIALS - {1}
    est = out["estimate"]
    assert est["label"] == "estimate" and est["screened"] == 2 and est["found"] == 1
    text = rf(review, "rank", "--reviewer", "ann").output
    assert "relevance order" in text and "ESTIMATE (not a count): too early" in text


def test_seed_relevant_marks_and_unmarks(review: Path) -> None:
    assert rf(review, "reviewer", "add", "bob").exit_code == 0
    res = rf(review, "seed-relevant", "11", "16")
    assert res.exit_code == 0 and "11, 16" in res.output
    out = json.loads(rf(review, "rank", "--reviewer", "bob", "--json", "-n", "4").output)
    assert out["order"] == "relevance" and {r["record_id"] for r in out["next"]} == RA_TRIALS
    assert out["estimate"] is None  # bob has decided nothing yet
    res = rf(review, "seed-relevant", "11", "16", "--remove")
    assert res.exit_code == 0 and "none" in res.output
    out = json.loads(rf(review, "rank", "--reviewer", "bob", "--json").output)
    assert out["order"] == "file"


def test_user_errors_are_one_line(review: Path) -> None:
    res = rf(review, "seed-relevant", "999")
    assert res.exit_code == 1 and "999" in str(res.exception)
    res = rf(review, "rank", "--reviewer", "nobody")
    assert res.exit_code == 1 and "unknown reviewer" in str(res.exception)
