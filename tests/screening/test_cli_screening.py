"""The scriptable twins: decide, conflicts, resolve, kappa, reviewer add."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.review_state import load_review_state
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import make_review

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

runner = CliRunner()


def rf(review: Path, *args: str):
    return runner.invoke(app, ["--review", str(review), *args])


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "rev", 6)


def decisions(review: Path, stage: str = "title_abstract"):
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        state = load_review_state(s).stage(stage)
        return sorted((st.record_id, v.reviewer_id, v.decision, v.reason, v.note)
                      for st in state.decided.values() for v in st.votes)


def test_decide_from_csv_twice_is_idempotent(review: Path, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "ann.csv", "record_id,decision,reason,note\n1,include,,good\n"
                  "2,Exclude,,\n3,maybe,,\n")
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "title-abstract", "--from", str(f))
    assert res.exit_code == 0, res.output
    assert "3 decisions stored" in res.output
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "title-abstract", "--from", str(f))
    assert "0 decisions stored" in res.output and "3 already loaded" in res.output
    assert [(r[0], r[2], r[4]) for r in decisions(review)] == [
        (1, "include", "good"), (2, "exclude", None), (3, "maybe", None)]


@pytest.mark.parametrize(("body", "message"), [
    ("record_id,decision\n1,include\n2,perhaps\n", "line 3: column decision"),
    ("record_id,decision\n1,include\nabc,include\n", "line 3: column record_id"),
    ("record_id,decision\n1,include\n99,include\n", "record 99 does not exist"),
    ("id,decision\n1,include\n", "missing column 'record_id'"),
])
def test_decide_bad_row_writes_nothing(review: Path, tmp_path: Path, body: str,
                                       message: str) -> None:
    f = write_csv(tmp_path / "bad.csv", body)
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "ta", "--from", str(f))
    assert res.exit_code == 1
    assert message in str(res.exception)
    assert decisions(review) == []


def test_full_text_csv_needs_listed_reason(review: Path, tmp_path: Path) -> None:
    both = write_csv(tmp_path / "ta.csv", "record_id,decision\n1,include\n2,include\n")
    for who in ("ann", "bob"):
        rf(review, "decide", "--reviewer", who, "--stage", "ta", "--from", str(both))
    bad = write_csv(tmp_path / "ft.csv", "record_id,decision,reason\n1,exclude,too long\n")
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "full-text", "--from", str(bad))
    assert res.exit_code == 1 and "column reason" in str(res.exception)
    early = write_csv(tmp_path / "ft2.csv", "record_id,decision\n3,include\n")
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "full-text", "--from", str(early))
    assert res.exit_code == 1 and "has not reached full text" in str(res.exception)
    ok = write_csv(tmp_path / "ft3.csv", "record_id,decision,reason\n1,exclude,Not randomised\n")
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "full-text", "--from", str(ok))
    assert res.exit_code == 0, res.output
    assert decisions(review, "full_text")[0][2:4] == ("exclude", "not randomised")


def test_conflicts_resolve_kappa_flow(review: Path, tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", "record_id,decision,note\n1,include,\n2,include,x\n"
                  "3,exclude,\n4,exclude,\n")
    b = write_csv(tmp_path / "b.csv", "record_id,decision,note\n1,include,\n2,exclude,mouse\n"
                  "3,exclude,\n4,exclude,\n")
    rf(review, "decide", "--reviewer", "ann", "--stage", "ta", "--from", str(a))
    rf(review, "decide", "--reviewer", "bob", "--stage", "ta", "--from", str(b))
    res = rf(review, "conflicts", "--json")
    assert res.exit_code == 1 and "--as NAME" in str(res.exception)  # blind: whose view?
    res = rf(review, "conflicts", "--json", "--as", "ann")
    [c] = json.loads(res.output)
    assert c["record_id"] == 2 and {d["reviewer"]: d["decision"] for d in c["decisions"]} == {
        "ann": "include", "bob": "exclude"}
    res = rf(review, "kappa", "--stage", "ta", "--json")
    [k] = json.loads(res.output)
    # 4 shared; agree 3 -> 75 %; ann inc 2 exc 2, bob inc 1 exc 3; p_e = 0.5; kappa 0.5
    assert k["records"] == 4 and k["percent_agreement"] == 75.0
    assert k["kappa"] == pytest.approx(0.5)
    res = rf(review, "resolve", "2", "--stage", "ta", "--decision", "include", "--by", "carol",
             "--method", "arbiter")
    assert res.exit_code == 1 and "unknown reviewer" in str(res.exception)
    assert rf(review, "reviewer", "add", "carol", "--role", "arbiter").exit_code == 0
    res = rf(review, "resolve", "2", "--stage", "ta", "--decision", "include", "--by", "carol",
             "--method", "arbiter")
    assert res.exit_code == 0, res.output
    assert json.loads(rf(review, "conflicts", "--json", "--as", "carol").output) == []
    [c] = json.loads(rf(review, "conflicts", "--all", "--json", "--as", "carol").output)
    assert c["resolution"]["method"] == "arbiter" and c["resolution"]["by"] == "carol"
    assert "No conflicts waiting" in rf(review, "conflicts", "--as", "bob").output


def test_toml_screening_section_reaches_store(tmp_path: Path) -> None:
    review = make_review(tmp_path / "r", 3, {"screening": {"exclusion_reasons": ["too small"]}})
    both = write_csv(tmp_path / "ta.csv", "record_id,decision\n1,include\n")
    for who in ("ann", "bob"):
        rf(review, "decide", "--reviewer", who, "--stage", "ta", "--from", str(both))
    f = write_csv(tmp_path / "ft.csv", "record_id,decision,reason\n1,exclude,wrong population\n")
    res = rf(review, "decide", "--reviewer", "ann", "--stage", "ft", "--from", str(f))
    assert res.exit_code == 1 and "too small" in str(res.exception)


def test_arbiter_cannot_load_screening_decisions(review: Path, tmp_path: Path) -> None:
    rf(review, "reviewer", "add", "carol", "--role", "arbiter")
    f = write_csv(tmp_path / "c.csv", "record_id,decision\n1,include\n")
    res = rf(review, "decide", "--reviewer", "carol", "--stage", "ta", "--from", str(f))
    assert res.exit_code == 1 and "arbiter" in str(res.exception)
    assert decisions(review) == []
