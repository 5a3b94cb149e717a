"""The screening plan as views show it: pilot progress and agreement, each screener's
allocation (allocated / done), the verification sample's agreement.

Derived from a :class:`~reviewflow.review_state.model.StageState` loaded with its
plan, so ``status``, ``kappa`` and the dashboard print the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reviewflow.review_state.agreement import Agreement, fleiss_kappa, stage_agreement
from reviewflow.review_state.model import StageState
from reviewflow.review_state.votes import ARBITER, PENDING, RecordStatus, category


@dataclass(frozen=True)
class ScreenerLoad:
    """One screener's share: records given to them and how many they have decided."""

    name: str
    allocated: int
    done: int


@dataclass(frozen=True)
class SampleAgreement:
    """Agreement on a sample (the pilot, or single screening's verification sample)."""

    records: int  # records in the sample at this stage
    rated: int  # of them, records with two or more independent votes
    pairs: tuple[Agreement, ...]  # Cohen's kappa per pair of screeners
    fleiss: float | None = None  # over records every screener of the sample rated (3 or more)
    fleiss_records: int = 0
    screeners: int = 0


@dataclass(frozen=True)
class PlanSummary:
    """Pilot, allocation and verification at one stage."""

    stage: str
    pilot_records: int = 0
    pilot_open: bool = False
    pilot_closed_by: str | None = None
    pilot_done: tuple[ScreenerLoad, ...] = ()
    pilot_agreement: SampleAgreement | None = None
    allocation: tuple[ScreenerLoad, ...] = ()
    unallocated: int = 0  # pending records outside the pilot that no allocation run covers
    verification: SampleAgreement | None = None

    @property
    def has_pilot(self) -> bool:
        return self.pilot_records > 0


def sample_agreement(stage: str, statuses: Iterable[RecordStatus]) -> SampleAgreement:
    """Cohen's kappa per pair and, with three or more screeners, Fleiss' kappa over the
    records all of them rated (independent votes, as everywhere)."""
    statuses = list(statuses)
    voted = [s for s in statuses if len(s.all_independent) >= 2]
    screeners = sorted({v.reviewer for s in voted for v in s.all_independent})
    full = [[category(v.decision) for v in s.all_independent] for s in voted
            if len(s.all_independent) == len(screeners)]
    fleiss = fleiss_kappa(full) if len(screeners) >= 3 else None
    return SampleAgreement(len(statuses), len(voted), tuple(stage_agreement(stage, voted)),
                           fleiss, len(full) if len(screeners) >= 3 else 0, len(screeners))


def _loads(at: StageState, records: Iterable[int], given: dict[int, Iterable[int]] | None
           ) -> tuple[ScreenerLoad, ...]:
    """Per screener: records given (every screener gets every record when ``given`` is None)."""
    screeners = [p for p in at.people.values() if p.role != ARBITER]
    mine = {p.id: at.decisions_of(p.id) for p in screeners}
    allocated = dict.fromkeys(mine, 0)
    done = dict.fromkeys(mine, 0)
    for rid in records:
        for who in (given[rid] if given is not None else mine):
            if who in allocated:
                allocated[who] += 1
                done[who] += rid in mine[who]
    return tuple(ScreenerLoad(p.name, allocated[p.id], done[p.id])
                 for p in sorted(screeners, key=lambda p: p.name)
                 if given is None or allocated[p.id])


def plan_summary(at: StageState) -> PlanSummary:
    """What the plan of one stage looks like now (empty without a pilot, an allocation
    or a verification sample)."""
    plan = at.plan
    eligible = set(at.eligible)
    verification = None
    if at.verification is not None:
        sample = [rid for rid in at.eligible if at.need(rid) > at.required]
        verification = sample_agreement(at.stage, (at.status(r) for r in sample))
    if plan is None:
        return PlanSummary(at.stage, verification=verification)
    pilot = plan.pilot
    pilot_ids = sorted(pilot.records & eligible) if pilot else []
    allocated = {rid: who for rid, who in plan.allocated.items() if rid in eligible}
    unallocated = 0
    if plan.runs:
        unallocated = sum(1 for rid in at.eligible if rid not in allocated
                          and rid not in (pilot.records if pilot else ())
                          and at.status(rid).outcome == PENDING)
    return PlanSummary(
        at.stage,
        pilot_records=len(pilot_ids),
        pilot_open=plan.pilot_open,
        pilot_closed_by=pilot.closed_by if pilot else None,
        pilot_done=_loads(at, pilot_ids, None) if pilot else (),
        pilot_agreement=(sample_agreement(at.stage, (at.status(r) for r in pilot_ids))
                         if pilot else None),
        allocation=_loads(at, sorted(allocated), dict(allocated)) if allocated else (),
        unallocated=unallocated,
        verification=verification,
    )
