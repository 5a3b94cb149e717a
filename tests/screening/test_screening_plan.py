"""Who screens what (issue 16): allocation, the pilot round, single screening's verification
sample, from a team's point of view through the CLI, checked in the read model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from reviewflow.cli.main import app
from reviewflow.review_state import load_review_state
from reviewflow.review_state.plan import allocate, draw_pilot, in_verification
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.queue import ScreeningQueue
from reviewflow.screening.settings import load_settings
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import make_review, vote

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

runner = CliRunner()
TA = "title_abstract"


def rf(review: Path, *args: str):
    return runner.invoke(app, ["--review", str(review), *args])


def ok(review: Path, *args: str) -> str:
    res = rf(review, *args)
    assert res.exit_code == 0, res.output
    return res.output


def refused(review: Path, *args: str) -> str:
    res = rf(review, *args)
    assert res.exit_code != 0, res.output
    return said(res)


def said(res: Result) -> str:
    """What the user reads: the output, or the one-line error the entry point prints."""
    return res.output + ("" if res.exception is None else str(res.exception))


def store_of(review: Path) -> Store:
    return Store.open(load_config(review).database_url())


def plan(review: Path):
    with store_of(review) as store, store.session() as s:
        return load_review_state(s, with_plan=True).stage(TA).plan


def vote_count(review: Path) -> int:
    with store_of(review) as store, store.session() as s:
        return len(s.exec(select(models.ScreeningDecision.id)).all())


def decide(review: Path, tmp_path: Path, who: str, votes: dict[int, str]) -> Result:
    f = tmp_path / f"{who}-{len(list(tmp_path.iterdir()))}.csv"
    f.write_text("record_id,decision\n" + "".join(f"{r},{d}\n" for r, d in votes.items()),
                 encoding="utf-8")
    return rf(review, "decide", "--reviewer", who, "--stage", "title-abstract", "--from", str(f))


def status_json(review: Path) -> dict:
    return json.loads(ok(review, "status", "--json"))["stages"][TA]


def queue_ids(review: Path, name: str) -> list[int]:
    with store_of(review) as store:
        with store.session() as s:
            person = load_review_state(s).person_named(name)
        assert person is not None
        q = ScreeningQueue(store, Viewer(person.id, name, person.role, True), TA,
                           load_settings(store))
        return sorted(q.ids)


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """Three screeners and an arbiter; two screeners per record (the default)."""
    review = make_review(tmp_path / "rev", 12, screeners=("ann", "bob", "cat"))
    ok(review, "reviewer", "add", "ari", "--role", "arbiter")
    return review


# -- allocation -------------------------------------------------------------------------

def test_three_screeners_share_the_records_two_each_evenly(team: Path) -> None:
    out = ok(team, "allocate", "--stage", "title-abstract", "--by", "ari", "--seed", "3")
    assert "Allocated 12 records" in out and "ann 8, bob 8, cat 8" in out
    allocated = plan(team).allocated
    assert sorted(allocated) == list(range(1, 13))
    assert all(len(who) == 2 for who in allocated.values())
    pairs = Counter(who for who in allocated.values())
    assert sorted(pairs.values()) == [4, 4, 4]  # every pair screens together equally
    # each screener's queue serves exactly their records
    with store_of(team) as store, store.session() as s:
        ids = {p.name: p.id for p in load_review_state(s).people.values()}
    for name in ("ann", "bob", "cat"):
        assert queue_ids(team, name) == sorted(r for r, who in allocated.items()
                                               if ids[name] in who)
    assert status_json(team)["allocation"] == {n: {"allocated": 8, "done": 0}
                                               for n in ("ann", "bob", "cat")}
    listed = json.loads(ok(team, "rank", "--reviewer", "cat", "--json", "--limit", "50"))
    assert sorted(x["record_id"] for x in listed["next"]) == queue_ids(team, "cat")
    # cat's stopping estimate is about her 8 records, not the stage's 12
    mine = queue_ids(team, "cat")
    with store_of(team) as store, store.session() as s:
        cat = load_review_state(s).person_named("cat")
    assert cat is not None
    for rid in mine[:2]:
        with store_of(team) as store:
            vote(store, record_id=rid, stage=TA, reviewer_id=cat.id, decision="exclude")
    listed = json.loads(ok(team, "rank", "--reviewer", "cat", "--json"))
    assert listed["estimate"]["n_total"] == 8


def test_allocation_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    runs = []
    for folder in ("a", "b", "c"):
        review = make_review(tmp_path / folder, 12, screeners=("ann", "bob", "cat"))
        ok(review, "reviewer", "add", "ari", "--role", "arbiter")
        ok(review, "allocate", "--stage", "title-abstract", "--by", "ari",
           "--seed", "7" if folder != "c" else "8")
        runs.append(dict(plan(review).allocated))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_a_vote_on_a_record_allocated_to_others_is_refused(team: Path, tmp_path: Path) -> None:
    ok(team, "allocate", "--stage", "title-abstract", "--by", "ari")
    with store_of(team) as store, store.session() as s:
        ann = load_review_state(s).person_named("ann")
    assert ann is not None
    other = next(r for r, who in plan(team).allocated.items() if ann.id not in who)
    mine = next(r for r, who in plan(team).allocated.items() if ann.id in who)
    before = vote_count(team)
    res = decide(team, tmp_path, "ann", {mine: "include", other: "include"})
    assert res.exit_code != 0
    assert "line 3" in said(res) and f"record {other} is allocated to" in said(res)
    assert vote_count(team) == before  # the whole file refused: nothing stored
    res = decide(team, tmp_path, "ann", {mine: "include"})
    assert res.exit_code == 0, res.output
    assert status_json(team)["allocation"]["ann"] == {"allocated": 8, "done": 1}


def test_only_an_arbiter_allocates(team: Path) -> None:
    out = refused(team, "allocate", "--stage", "title-abstract", "--by", "ann")
    assert "not an arbiter" in out
    assert not plan(team).allocated


def test_a_screener_joining_later_gets_only_unscreened_records(team: Path,
                                                               tmp_path: Path) -> None:
    ok(team, "allocate", "--stage", "title-abstract", "--by", "ari", "--seed", "1")
    first = dict(plan(team).allocated)
    with store_of(team) as store, store.session() as s:
        ids = {p.name: p.id for p in load_review_state(s).people.values()}
    # ann and bob settle their shared records; ann half-does one more
    both = sorted(r for r, who in first.items() if who == {ids["ann"], ids["bob"]})
    half = next(r for r, who in sorted(first.items()) if ids["ann"] in who and r not in both)
    assert decide(team, tmp_path, "ann", dict.fromkeys([*both, half], "include")).exit_code == 0
    assert decide(team, tmp_path, "bob", dict.fromkeys(both, "include")).exit_code == 0
    ok(team, "reviewer", "add", "dan")
    out = ok(team, "allocate", "--stage", "title-abstract", "--by", "ari", "--seed", "2")
    assert f"Allocated {12 - len(both)} records" in out
    second = plan(team).allocated
    for r in both:  # settled records keep their screeners
        assert second[r] == first[r]
    assert ids["ann"] in second[half]  # ann's vote stays counted: she keeps the record
    with store_of(team) as store, store.session() as s:
        dan = load_review_state(s).person_named("dan")
    assert dan is not None
    share = Counter(x for r, who in second.items() if r not in both for x in who)
    assert share[dan.id] == 4 and max(share.values()) - min(share.values()) <= 1
    with store_of(team) as store, store.session() as s:
        state = load_review_state(s).stage(TA)
        assert [state.status(r).outcome for r in both] == ["include"] * len(both)


def test_allocation_spreads_records_evenly_for_any_team() -> None:
    for screeners, need, n in ((2, 1, 9), (3, 2, 10), (4, 2, 101), (5, 3, 33), (6, 1, 7)):
        ids = list(range(10, 10 + screeners))
        groups = allocate(list(range(n)), ids, dict.fromkeys(range(n), need), {}, seed=5)
        assert all(len(who) == need and who <= set(ids) for who in groups.values())
        load = Counter(s for who in groups.values() for s in who)
        assert max(load.values()) - min(load.values()) <= 1, (screeners, need, load)
        if need == 2 and n >= 3 * screeners:  # every pair of screeners shares records
            pairs = Counter(tuple(sorted(who)) for who in groups.values())
            assert len(pairs) == screeners * (screeners - 1) // 2, pairs


# -- pilot ------------------------------------------------------------------------------

def test_pilot_first_then_the_rest_is_allocated(team: Path, tmp_path: Path) -> None:
    out = ok(team, "pilot", "start", "--stage", "title-abstract", "--size", "4", "--seed", "2",
             "--by", "ari")
    assert "4 records" in out
    pilot = sorted(plan(team).pilot.records)  # type: ignore[union-attr]
    assert pilot == draw_pilot(range(1, 13), 2, size=4)
    for name in ("ann", "bob", "cat"):  # everyone is served the pilot, and only the pilot
        assert queue_ids(team, name) == pilot
    outside = next(r for r in range(1, 13) if r not in pilot)
    res = decide(team, tmp_path, "ann", {outside: "include"})
    assert res.exit_code != 0 and "not in the pilot sample" in said(res)
    assert "pilot round" in refused(team, "allocate", "--stage", "title-abstract", "--by", "ari")
    # r1 all include, r2 all exclude, r3 2:1, r4 1:2 -> Fleiss' kappa 1/3 (by hand:
    # P_bar = (1 + 1 + 1/3 + 1/3) / 4 = 2/3, p_include = 6/12, P_e = 1/2)
    calls = {"ann": "IEII", "bob": "IEIE", "cat": "IEEE"}
    for name, letters in calls.items():
        votes = {r: {"I": "include", "E": "exclude"}[c] for r, c in zip(pilot, letters,
                                                                          strict=True)}
        if name != "cat":
            assert decide(team, tmp_path, name, votes).exit_code == 0
    assert "cat 4" in refused(team, "pilot", "close", "--stage", "title-abstract", "--by", "ari")
    assert decide(team, tmp_path, "cat", {r: {"I": "include", "E": "exclude"}[c] for r, c in
                                          zip(pilot, calls["cat"], strict=True)}).exit_code == 0
    out = ok(team, "pilot", "close", "--stage", "title-abstract", "--by", "ari")
    assert "Fleiss kappa 0.33 (3 screeners, n=4)" in out
    data = status_json(team)["pilot"]
    assert data["open"] is False and data["closed_by"] == "ari"
    assert data["done"] == {"ann": 4, "bob": 4, "cat": 4}
    assert data["agreement"]["fleiss_kappa"] == pytest.approx(1 / 3)
    kappa = json.loads(ok(team, "kappa", "--json"))
    fleiss = [k for k in kappa if k["method"] == "fleiss"]
    assert fleiss == [{"stage": TA, "sample": "pilot", "method": "fleiss", "screeners": 3,
                       "records": 4, "kappa": pytest.approx(1 / 3)}]
    # ann/bob on the pilot: agree on 3 of 4; include 3:2 ... Cohen by hand:
    # p_o = 3/4, ann I=3 E=1, bob I=2 E=2 -> p_e = (3*2 + 1*2)/16 = 1/2 -> kappa 1/2
    ab = next(k for k in kappa if k["sample"] == "pilot" and k["method"] == "cohen"
              and (k["reviewer_a"], k["reviewer_b"]) == ("ann", "bob"))
    assert ab["kappa"] == pytest.approx(0.5)
    out = ok(team, "allocate", "--stage", "title-abstract", "--by", "ari")
    assert "Allocated 8 records" in out  # the pilot's records are not allocated again
    assert set(plan(team).allocated).isdisjoint(pilot)
    # pilot votes are ordinary votes: the agreed pilot records moved on
    with store_of(team) as store, store.session() as s:
        st = load_review_state(s).stage(TA)
        assert st.status(pilot[0]).outcome == "include"
        assert st.status(pilot[1]).outcome == "exclude"


def test_pilot_close_needs_an_arbiter_and_an_open_pilot(team: Path) -> None:
    assert "no pilot" in refused(team, "pilot", "close", "--stage", "title-abstract",
                                 "--by", "ari")
    ok(team, "pilot", "start", "--stage", "title-abstract", "--fraction", "0.25", "--by", "ari")
    assert len(plan(team).pilot.records) == 3  # type: ignore[union-attr]
    assert "not an arbiter" in refused(team, "pilot", "close", "--stage", "title-abstract",
                                       "--by", "ann", "--force")
    ok(team, "pilot", "close", "--stage", "title-abstract", "--by", "ari", "--force")
    assert "already closed" in refused(team, "pilot", "close", "--stage", "title-abstract",
                                       "--by", "ari")
    history = ok(team, "policy", "--history")
    assert "pilot:title_abstract: 3 records" in history and "pilot_closed:title_abstract" in history


# -- verification sample ----------------------------------------------------------------

def test_single_screening_with_a_verification_sample(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 30)
    ok(review, "reviewer", "add", "ari", "--role", "arbiter")
    assert "single screening" in refused(review, "policy", "--verify", "0.3", "--by", "ari",
                                         "--stage", "title-abstract")
    ok(review, "policy", "--screeners", "1", "--verify", "0.3", "--seed", "4",
       "--stage", "title-abstract", "--by", "ari")
    sample = [r for r in range(1, 31) if in_verification(4, r, 0.3)]
    assert 0 < len(sample) < 30
    ok(review, "allocate", "--stage", "title-abstract", "--by", "ari")
    allocated = plan(review).allocated
    assert all(len(allocated[r]) == (2 if r in sample else 1) for r in range(1, 31))
    # both screen what they were given: ann includes everything, bob excludes everything
    with store_of(review) as store, store.session() as s:
        ids = {p.name: p.id for p in load_review_state(s).people.values()}
    for name, call in (("ann", "include"), ("bob", "exclude")):
        mine = {r: call for r, who in allocated.items() if ids[name] in who}
        assert decide(review, tmp_path, name, mine).exit_code == 0
    with store_of(review) as store, store.session() as s:
        st = load_review_state(s).stage(TA)
        outcomes = {r: st.status(r).outcome for r in range(1, 31)}
    assert all(outcomes[r] == "conflict" for r in sample)  # disagreements become conflicts
    assert all(outcomes[r] in ("include", "exclude") for r in range(1, 31) if r not in sample)
    conflicts = json.loads(ok(review, "conflicts", "--as", "ari", "--json"))
    assert sorted(c["record_id"] for c in conflicts) == sample
    assert json.loads(ok(review, "status", "--json"))["policy"]["verification"] == {
        TA: {"fraction": 0.3, "seed": 4}}
    assert "title/abstract 1 (+ a second on a 30% verification sample)" in " ".join(
        ok(review, "status").split())  # the console wraps at its width
    verification = status_json(review)["verification"]
    assert verification["records"] == len(sample) and verification["rated"] == len(sample)
    assert verification["pairs"][0]["percent_agreement"] == 0.0
    kappa = json.loads(ok(review, "kappa", "--json"))
    assert [k["records"] for k in kappa if k["sample"] == "verification"] == [len(sample)]


def test_verification_sample_is_stable_and_near_its_fraction() -> None:
    chosen = [r for r in range(1, 20001) if in_verification(9, r, 0.1)]
    assert 1800 < len(chosen) < 2200  # binomial(20000, 0.1): sd 42
    assert chosen == [r for r in range(1, 20001) if in_verification(9, r, 0.1)]
    assert chosen != [r for r in range(1, 20001) if in_verification(10, r, 0.1)]


# -- history labels post-reveal revisions -----------------------------------------------

def test_history_labels_a_post_reveal_revision(tmp_path: Path) -> None:
    """A store from before votes were locked holds ann's change after she saw bob's vote:
    ``history`` says it is a revision and that the independent vote stands."""
    review = make_review(tmp_path / "rev", 3)
    ok(review, "reviewer", "add", "ari", "--role", "arbiter")
    for who, call in (("ann", "include"), ("bob", "exclude")):
        assert decide(review, tmp_path, who, {1: call}).exit_code == 0
    assert decide(review, tmp_path, "ann", {2: "include"}).exit_code == 0
    with store_of(review) as store, store.write() as s:  # as an old store holds it
        ann = load_review_state(s).person_named("ann")
        assert ann is not None
        s.add(models.ScreeningDecision(record_id=1, stage=TA, reviewer_id=ann.id,
                                       decision="exclude", client_key="old-store"))
    events = [json.loads(line) for line in ok(review, "history", "1", "--as", "ari",
                                                 "--json").splitlines()]
    votes = [(e["who"], e["action"], e["detail"]) for e in events if e["kind"] == "decision"]
    assert votes[:2] == [("ann", "include", None), ("bob", "exclude", None)]
    assert votes[2][:2] == ("ann", "exclude") and "after the reveal" in votes[2][2]
    # her change before anyone else voted is an ordinary change of mind
    assert decide(review, tmp_path, "ann", {2: "exclude"}).exit_code == 0
    events = [json.loads(line) for line in ok(review, "history", "2", "--as", "ari",
                                                 "--json").splitlines()]
    assert [e["detail"] for e in events] == [None, None]
    conflicts = json.loads(ok(review, "conflicts", "--as", "ari", "--json"))
    assert [c["record_id"] for c in conflicts] == [1]  # the independent votes still conflict
