"""Random review histories against the read model's invariants (issue 16's evidence).

A hypothesis state machine drives imports, dedup merges and splits, votes by two
to four screeners, undos, reveals (a second vote), resolutions, study creation,
late votes, pilot rounds and allocations; after every step it checks:

* the PRISMA 2020 identities, and that PRISMA, status, the dashboard and the
  read model count the same records;
* kappa equals Cohen's kappa computed here, from a shadow model of each
  screener's independent vote (the vote they held when a second vote arrived);
* no decision is lost: replaying the audit trail gives the read model's state;
* every included study has an included report;
* a vote the screening plan does not give its screener is refused (pilot open,
  or allocated to others), and an allocation keeps every voter of a record.

Runs on SQLite and, in the store re-run, on PostgreSQL (a fresh database per
example). Bounded to stay under a minute.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from store_backend import drop_made_since, made_so_far, new_store_url

from reviewflow.errors import ReviewflowError
from reviewflow.prisma.derive import prisma_counts
from reviewflow.review_state import PENDING, category, cohen_kappa, load_review_state
from reviewflow.review_state.summary import status_summary
from reviewflow.review_state.votes import replay
from reviewflow.screening.allocation import close_pilot, run_allocation, start_pilot
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.dedup_review import resolve_pair
from reviewflow.screening.progress import dashboard
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import FULL_TEXT, STAGES, TITLE_ABSTRACT
from reviewflow.store import dedup_store, models
from reviewflow.store.audit import decision_events
from reviewflow.store.db import Store
from tests.extraction.forms import new_study
from tests.screening.support import add_reviewer, retract, settle, vote

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

SCREENERS = ("ann", "bob", "cy", "dee")
DECISIONS = {TITLE_ABSTRACT: ("include", "exclude", "maybe"),
             FULL_TEXT: ("include", "exclude", "not_retrieved")}
SETTINGS = ScreeningSettings()


class ReviewMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.made = made_so_far()
        self.store = Store.create(new_store_url(Path(self.tmp.name)), title="machine")
        self.people = {n: add_reviewer(self.store, n) for n in SCREENERS}
        self.arbiter = add_reviewer(self.store, "carol", "arbiter")
        self.records: list[int] = []
        self.imports = 0
        # shadow of every vote row the store accepted: (record, stage) -> [(who, decision)]
        self.rows: dict[tuple[int, str], list[tuple[str, str]]] = {}
        # shadow of the screening plan per stage: pilot records (open?), allocation by name
        self.pilot: dict[str, tuple[frozenset[int], bool]] = {}
        self.allocated: dict[str, dict[int, frozenset[str]]] = {st: {} for st in STAGES}

    def teardown(self) -> None:
        self.store.dispose()
        self.tmp.cleanup()
        drop_made_since(self.made)  # each example's database, not all at the test's end

    # -- actions -------------------------------------------------------------------------
    @rule(n=st.integers(1, 4))
    def import_records(self, n: int) -> None:
        self.imports += 1
        with self.store.write() as s:
            imp = models.SearchImport(database=f"DB{self.imports % 2}", file_name="f.ris",
                                      file_sha256=f"{self.imports:064d}", format="ris",
                                      encoding="utf-8", record_count=n)
            s.add(imp)
            s.flush()
            for pos in range(1, n + 1):
                rec = models.RecordRow(title=f"Trial {self.imports}.{pos}", year=2020)
                s.add(rec)
                s.flush()
                s.add(models.RecordProvenance(record_id=rec.id, import_id=imp.id, position=pos))
                self.records.append(int(rec.id or 0))

    @precondition(lambda self: len(self.records) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        a, b = data.draw(st.lists(st.sampled_from(self.records), min_size=2, max_size=2,
                                  unique=True))
        with self.store.write() as s:
            lo, hi = min(a, b), max(a, b)
            pair = s.exec(models.DedupPair.__table__.select().where(
                models.DedupPair.record_a_id == lo, models.DedupPair.record_b_id == hi)).first()
            if pair is None:
                row = models.DedupPair(record_a_id=lo, record_b_id=hi, score=0.9,
                                       outcome="possible")
                s.add(row)
                s.flush()
                pair_id = int(row.id or 0)
            else:
                pair_id = pair.id
        verdict = data.draw(st.sampled_from(("duplicate", "distinct")))
        # joined through a third record: refused
        with contextlib.suppress(ReviewflowError), self.store.write() as s:
            resolve_pair(pair_id, verdict, self.people["ann"].id, session=s)

    @precondition(lambda self: bool(self.records))
    @rule(data=st.data())
    def unmerge(self, data: st.DataObject) -> None:
        rid = data.draw(st.sampled_from(self.records))
        with contextlib.suppress(ReviewflowError), self.store.write() as s:  # not merged
            dedup_store.undo(rid, session=s)

    @precondition(lambda self: bool(self.records))
    @rule(data=st.data(), who=st.sampled_from(SCREENERS), stage=st.sampled_from(STAGES))
    def vote(self, data: st.DataObject, who: str, stage: str) -> None:
        rid = data.draw(st.sampled_from(self.records))
        decision = data.draw(st.sampled_from(DECISIONS[stage]))
        reason = "wrong population" if (stage, decision) == (FULL_TEXT, "exclude") else None
        self._write(rid, stage, who, decision, lambda: vote(
            self.store, record_id=rid, stage=stage, reviewer_id=self.people[who].id,
            decision=decision, reason=reason))

    @precondition(lambda self: bool(self.records))
    @rule(data=st.data(), who=st.sampled_from(SCREENERS), stage=st.sampled_from(STAGES))
    def undo(self, data: st.DataObject, who: str, stage: str) -> None:
        rid = data.draw(st.sampled_from(self.records))
        self._write(rid, stage, who, "retracted", lambda: retract(
            self.store, record_id=rid, stage=stage, reviewer_id=self.people[who].id))

    def _write(self, rid: int, stage: str, who: str, decision: str, call) -> None:  # type: ignore[no-untyped-def]
        current, locked = self._shadow(rid, stage)
        outside = decision != "retracted" and not self._served(stage, who, rid)
        try:
            call()
        except ReviewflowError:
            # refused only when locked, or when the plan gives the record to others
            assert outside or (who in locked and current.get(who) != decision)
            return
        assert not outside, f"{who}'s vote on {rid} outside the plan was stored"
        if who in locked:
            assert current.get(who) == decision  # a locked vote repeated: nothing stored
            return
        self.rows.setdefault((rid, stage), []).append((who, decision))

    def _shadow(self, rid: int, stage: str) -> tuple[dict[str, str], set[str]]:
        """Each screener's current vote and who is locked, by the issue's rule."""
        current: dict[str, str] = {}
        locked: dict[str, str] = {}
        for who, decision in self.rows.get((rid, stage), []):
            if decision == "retracted":
                current.pop(who, None)
            else:
                current[who] = decision
            if len(current) >= 2:
                for w, d in current.items():
                    locked.setdefault(w, d)
        self._independent = locked
        return current, set(locked)

    def _served(self, stage: str, who: str, rid: int) -> bool:
        """The plan's rule, from the shadow: pilot first, then one's own allocation."""
        pilot, open_ = self.pilot.get(stage, (frozenset(), False))
        if rid in pilot:
            return True
        if open_:
            return False
        given = self.allocated[stage].get(rid)
        return given is None or who in given

    @precondition(lambda self: bool(self.records))
    @rule(stage=st.sampled_from(STAGES), size=st.integers(1, 3), seed=st.integers(0, 9))
    def start_pilot(self, stage: str, size: int, seed: int) -> None:
        with contextlib.suppress(ReviewflowError), self.store.write() as s:
            pilot = start_pilot(session=s, stage=stage, by=self.arbiter, seed=seed, size=size)
            self.pilot[stage] = (pilot.records, True)

    @rule(stage=st.sampled_from(STAGES))
    def close_pilot(self, stage: str) -> None:
        with contextlib.suppress(ReviewflowError), self.store.write() as s:
            close_pilot(session=s, stage=stage, by=self.arbiter, force=True)
            self.pilot[stage] = (self.pilot[stage][0], False)

    @rule(stage=st.sampled_from(STAGES), seed=st.integers(0, 9),
          team=st.lists(st.sampled_from(SCREENERS), min_size=2, max_size=4, unique=True))
    def allocate(self, stage: str, seed: int, team: list[str]) -> None:
        with self.store.session() as s:
            before = load_review_state(s).stage(stage)
            pending = {rid: {v.reviewer for v in before.status(rid).votes}
                       for rid in before.eligible if before.status(rid).outcome == PENDING}
        try:
            with self.store.write() as s:
                run_allocation(session=s, stage=stage, by=self.arbiter, seed=seed,
                               screeners=team)
        except ReviewflowError:
            return
        with self.store.session() as s:
            plan = load_review_state(s, with_plan=True).stage(stage).plan
        assert plan is not None
        names = {p.id: n for n, p in self.people.items()}
        covered = {rid for rid in pending if rid not in self.pilot.get(stage, ((),))[0]}
        for rid in covered:  # each pending record: its voters kept, filled up to two
            given = {names[i] for i in plan.allocated[rid]}
            assert len(given) == 2 and set(list(pending[rid])[:2]) <= given
            assert given <= set(team) | pending[rid]
            self.allocated[stage][rid] = frozenset(given)

    @precondition(lambda self: bool(self.records))
    @rule(data=st.data(), stage=st.sampled_from(STAGES))
    def resolve(self, data: st.DataObject, stage: str) -> None:
        rid = data.draw(st.sampled_from(self.records))
        decision = data.draw(st.sampled_from(DECISIONS[stage]))
        reason = "wrong population" if (stage, decision) == (FULL_TEXT, "exclude") else None
        with contextlib.suppress(ReviewflowError):
            settle(self.store, SETTINGS, record_id=rid, stage=stage,
                             decision=decision, resolver=self.arbiter, method="arbiter",
                             reason=reason)

    @precondition(lambda self: bool(self.records))
    @rule(data=st.data())
    def new_study(self, data: st.DataObject) -> None:
        with self.store.session() as s:
            state = load_review_state(s)
        free = [r for r in state.included_reports if r not in state.study_of]
        if free:
            rid = data.draw(st.sampled_from(free))
            new_study(self.store, f"Study {rid}", [rid])

    # -- invariants ----------------------------------------------------------------------
    @invariant()
    def views_agree(self) -> None:
        with self.store.session() as s:
            state = load_review_state(s)
            counts = prisma_counts(s)
            summary = status_summary(s)
            board = dashboard(s, Viewer(self.arbiter.id, "carol", "arbiter", True))
            events = list(decision_events(s))
        assert counts.identity_errors() == []
        assert counts.screened == len(state.active)
        assert counts.sought == len(state.stage(FULL_TEXT).eligible)
        assert counts.included_reports == len(state.included_reports)
        for stage_board in board.stages:
            stage = state.stage(stage_board.stage)
            assert stage_board.eligible == len(stage.eligible)
            decided = {r.name: r.decided for r in stage_board.reviewers}
            assert decided == {n: c["decided"] for n, c in
                               summary["stages"][stage.stage]["reviewers"].items()}
            assert stage_board.moved_on == len(stage.moved_on)
        assert state.studies_without_report == ()
        self._kappa_from_shadow(state)
        self._audit_replays(state, events)

    def _kappa_from_shadow(self, state) -> None:  # type: ignore[no-untyped-def]
        for stage in STAGES:
            pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for rid in state.stage(stage).eligible:
                self._shadow(rid, stage)
                indep = self._independent
                for a, b in itertools.combinations(sorted(indep), 2):
                    pairs.setdefault((a, b), []).append((category(indep[a]),
                                                         category(indep[b])))
            got = {(a.reviewer_a, a.reviewer_b): a.kappa for a in state.stage(stage).agreement()}
            want = {k: cohen_kappa(v)[1] for k, v in pairs.items()}
            assert got.keys() == want.keys()
            for k, v in want.items():
                assert got[k] == pytest.approx(v) if v is not None else got[k] is None

    def _audit_replays(self, state, events) -> None:  # type: ignore[no-untyped-def]
        from reviewflow.review_state.votes import Resolution

        ids = {p.name: p.id for p in state.people.values()}
        rows: dict[tuple[str, int], list] = {}
        resolutions: dict[tuple[str, int], Resolution] = {}
        for e in sorted(events, key=lambda e: (e.kind != "decision", e.event_id)):
            if e.kind == "decision":
                rows.setdefault((e.stage, e.record_id), []).append(
                    (e.event_id, ids[e.who], e.action, e.reason, e.note))
            else:
                resolutions[(e.stage, e.record_id)] = Resolution(
                    e.action, e.reason, e.note, (e.detail or "").removeprefix("by "), e.who,
                    ids[e.who])
        for stage in STAGES:
            at = state.stage(stage)
            for rid in at.eligible:
                again = replay(rid, stage, rows.get((stage, rid), []), state.people,
                               resolutions.get((stage, rid)), at.need(rid))
                assert again == at.status(rid)


ReviewMachine.TestCase.settings = settings(
    max_examples=10, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
test_review_state_machine = ReviewMachine.TestCase
