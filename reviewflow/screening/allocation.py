"""Pilot round and allocation: the arbiter's steps that decide who screens which record.

Each step is one audited row (see :mod:`reviewflow.review_state.plan` for what
is stored and how it is replayed); the caller owns the transaction. Votes are
checked against the plan on the one write path (:func:`check_allocated`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.load import read_people, read_review_state
from reviewflow.review_state.plan import (
    ALLOCATION_PREFIX,
    PILOT_CLOSED_PREFIX,
    PILOT_PREFIX,
    Pilot,
    StagePlan,
    allocate,
    allocation_value,
    draw_pilot,
    read_plan,
)
from reviewflow.review_state.policy import as_person, check_rule_maker
from reviewflow.review_state.votes import ARBITER, PENDING, Person
from reviewflow.stages import LABELS
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer
from reviewflow.wording import plural

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewflow.store import models


@dataclass(frozen=True)
class AllocationRun:
    """What one ``allocate`` run did: records covered and each screener's share."""

    stage: str
    records: int
    per_screener: tuple[tuple[str, int], ...]  # (name, records allocated in this run)


def _screeners(reader: Reader, names: Sequence[str] | None) -> list[Person]:
    people = sorted(read_people(reader).values(), key=lambda p: p.id)
    if names is None:
        return [p for p in people if p.role != ARBITER]
    by_name = {p.name: p for p in people}
    chosen = []
    for name in names:
        person = by_name.get(name.strip())
        if person is None:
            raise ReviewflowError(f"unknown reviewer {name.strip()!r}; add them with "
                                  f"'reviewflow reviewer add {name.strip()}'")
        if person.role == ARBITER:
            raise ReviewflowError(f"{person.name} is the arbiter: arbiters resolve, they "
                                  "are not allocated records")
        chosen.append(person)
    return chosen


def write_pilot_start(*, writer: Writer, stage: str, by: Person, seed: int,
                      size: int | None = None, fraction: float | None = None) -> Pilot:
    """Draw the pilot sample of ``stage`` (seeded) and open the pilot round."""
    reader = writer.reader
    check_rule_maker(reader, by, "starts a pilot round")
    if (size is None) == (fraction is None):
        raise ReviewflowError("give the pilot's size (--size N) or fraction (--fraction F)")
    if size is not None and size < 1:
        raise ReviewflowError(f"the pilot size must be at least 1, not {size}")
    if fraction is not None and not 0 < fraction <= 1:
        raise ReviewflowError(f"the pilot fraction must be above 0 and at most 1, not {fraction}")
    plan = read_plan(reader, stage)
    where = LABELS[stage].lower()
    if plan.pilot is not None:
        raise ReviewflowError(f"{where} already has a pilot round "
                              f"({len(plan.pilot.records)} records)")
    if plan.runs:
        raise ReviewflowError(f"records at {where} are already allocated: a pilot comes first")
    eligible = read_review_state(reader).stage(stage).eligible
    records = draw_pilot(eligible, seed, size, fraction)
    if not records:
        raise ReviewflowError(f"no records at {where} to draw a pilot from")
    writer.insert("setting_change", key=PILOT_PREFIX + stage, changed_by_id=by.id,
                  value=json.dumps({"seed": seed, "size": size, "fraction": fraction,
                                    "records": records}))
    pilot = read_plan(reader, stage).pilot
    assert pilot is not None
    return pilot


def read_pilot_left(reader: Reader, stage: str) -> dict[str, int]:
    """Per screener, pilot records they have not decided yet (empty: everyone is done)."""
    plan = read_plan(reader, stage)
    if plan.pilot is None:
        return {}
    at_stage = read_review_state(reader).stage(stage)
    left = {}
    for person in _screeners(reader, None):
        mine = at_stage.decisions_of(person.id)
        n = sum(1 for rid in plan.pilot.records if rid not in mine)
        if n:
            left[person.name] = n
    return left


def write_pilot_close(*, writer: Writer, stage: str, by: Person, force: bool = False) -> Pilot:
    """Close the pilot round (audited); refused while a screener has pilot records left
    unless ``force``."""
    reader = writer.reader
    check_rule_maker(reader, by, "closes a pilot round")
    plan = read_plan(reader, stage)
    where = LABELS[stage].lower()
    if plan.pilot is None:
        raise ReviewflowError(f"there is no pilot round at {where}")
    if not plan.pilot.open:
        raise ReviewflowError(f"the pilot round at {where} is already closed")
    left = read_pilot_left(reader, stage)
    if left and not force:
        raise ReviewflowError("pilot records still to screen: " + ", ".join(
            f"{name} {n}" for name, n in sorted(left.items())) + " (--force closes it anyway)")
    writer.insert("setting_change", key=PILOT_CLOSED_PREFIX + stage, changed_by_id=by.id,
                  value=json.dumps({"left": left}))
    pilot = read_plan(reader, stage).pilot
    assert pilot is not None
    return pilot


def write_allocation(*, writer: Writer, stage: str, by: Person, seed: int,
                     screeners: Sequence[str] | None = None) -> AllocationRun:
    """Allocate every pending record at ``stage`` outside the pilot (audited, one row).

    A record someone already voted on keeps that screener; records already
    settled (or in conflict) are left alone, so a run after a screener joins
    re-allocates only what is still to be screened.
    """
    reader = writer.reader
    check_rule_maker(reader, by, "allocates records")
    where = LABELS[stage].lower()
    state = read_review_state(reader, with_plan=True)
    at_stage = state.stage(stage)
    plan = at_stage.plan
    assert plan is not None
    if plan.pilot_open:
        raise ReviewflowError(f"the pilot round at {where} is open: an arbiter closes it "
                              "first ('reviewflow pilot close')")
    people = _screeners(reader, screeners)
    ids = [p.id for p in people]
    pilot = plan.pilot.records if plan.pilot else frozenset()
    todo = [rid for rid in at_stage.eligible
            if rid not in pilot and at_stage.status(rid).outcome == PENDING]
    need = {rid: at_stage.need(rid) for rid in todo}
    if todo and len(ids) < max(need.values()):
        raise ReviewflowError(f"{plural(len(ids), 'screener')} cannot give each record the "
                              f"{max(need.values())} it needs at {where}")
    if not todo:
        raise ReviewflowError(f"no records left to allocate at {where}")
    voted = {rid: [v.reviewer_id for v in at_stage.status(rid).votes] for rid in todo}
    groups = allocate(todo, ids, need, voted, seed)
    writer.insert("setting_change", key=ALLOCATION_PREFIX + stage, changed_by_id=by.id,
                  value=allocation_value(groups, seed, ids))
    names = {p.id: p.name for p in people}
    share = {name: 0 for name in names.values()}
    for who in groups.values():
        for i in who:
            if i in names:
                share[names[i]] += 1
    return AllocationRun(stage, len(groups), tuple(sorted(share.items())))


# The same steps in a session (the TUI, tests).
def start_pilot(*, session: Session, stage: str, by: models.Reviewer | Person, seed: int,
                size: int | None = None, fraction: float | None = None) -> Pilot:
    return write_pilot_start(writer=session_writer(session), stage=stage, by=as_person(by),
                             seed=seed, size=size, fraction=fraction)


def pilot_left(session: Session, stage: str) -> dict[str, int]:
    return read_pilot_left(session_reader(session), stage)


def close_pilot(*, session: Session, stage: str, by: models.Reviewer | Person,
                force: bool = False) -> Pilot:
    return write_pilot_close(writer=session_writer(session), stage=stage, by=as_person(by),
                             force=force)


def run_allocation(*, session: Session, stage: str, by: models.Reviewer | Person, seed: int,
                   screeners: Sequence[str] | None = None) -> AllocationRun:
    return write_allocation(writer=session_writer(session), stage=stage, by=as_person(by),
                            seed=seed, screeners=screeners)


def check_allocated(plan: StagePlan, *, record_id: int, reviewer_id: int,
                    names: Mapping[int, str]) -> None:
    """Refuse a vote the plan does not give this screener (pilot open, or allocated to others)."""
    why = plan.refusal(reviewer_id, record_id, names)
    if why is not None:
        raise ReviewflowError(why)
