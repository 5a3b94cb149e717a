"""Who screens which record: the pilot round, the allocation and the verification sample.

With more screeners than the policy requires per record, each record goes to
the required number of them, evenly. Every step is an append-only, audited
:class:`~reviewflow.store.models.SettingChange` row (who, when, what), so the
plan is replayed from the store like the votes and never drifts between
terminals:

* ``pilot:<stage>``: a seeded sample of the eligible records, its ids stored,
  that every screener screens first (calibration; its votes are ordinary votes).
  While it is open nobody screens anything else at that stage.
* ``pilot_closed:<stage>``: an arbiter closes the pilot; only then may the rest
  be allocated.
* ``allocation:<stage>``: one ``reviewflow allocate`` run: the records it
  covers and the screeners each got (stored, not recomputed: the set of records
  changes as imports and merges arrive). A later run covers only records still
  pending, keeps whoever already voted on each and fills the rest; for every
  record the latest run that covers it wins. Records no run covers (imported
  later) are open to every screener until the next run.

The verification sample of single screening is not stored per record: a record
is in it when a seeded hash of its id falls under the fraction
(:func:`in_verification`), so records imported later fall in or out of it the
same way on every machine.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from reviewflow.store.reader import Reader, session_reader

if TYPE_CHECKING:
    from sqlmodel import Session

PILOT_PREFIX = "pilot:"
PILOT_CLOSED_PREFIX = "pilot_closed:"
ALLOCATION_PREFIX = "allocation:"
PLAN_PREFIXES = (PILOT_PREFIX, PILOT_CLOSED_PREFIX, ALLOCATION_PREFIX)


def in_verification(seed: int, record_id: int, fraction: float) -> bool:
    """Whether a record falls in a seeded verification sample of ``fraction`` of records.

    A hash of (seed, record id), not a draw over today's records: the answer for
    a record never changes when others are imported or merged.
    """
    if fraction <= 0:
        return False
    digest = hashlib.blake2b(f"{seed}:{record_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


@dataclass(frozen=True)
class Pilot:
    """The calibration sample of one stage."""

    records: frozenset[int]
    seed: int
    started_by: str | None
    closed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.closed_by is None


@dataclass(frozen=True)
class StagePlan:
    """Who screens which record at one stage."""

    stage: str
    pilot: Pilot | None = None
    allocated: Mapping[int, frozenset[int]] = field(default_factory=dict)
    """record -> the screeners (reviewer ids) it is allocated to (latest run covering it)."""
    runs: int = 0  # allocation runs recorded

    @property
    def pilot_open(self) -> bool:
        return self.pilot is not None and self.pilot.open

    def serves(self, reviewer_id: int, record_id: int) -> bool:
        """Whether this screener may screen the record now.

        While a pilot is open: the pilot records only. Pilot records stay open to
        everyone; an allocated record to its screeners; a record no run covered
        to everyone.
        """
        pilot = self.pilot
        if pilot is not None and record_id in pilot.records:
            return True
        if pilot is not None and pilot.open:
            return False
        screeners = self.allocated.get(record_id)
        return screeners is None or reviewer_id in screeners

    def refusal(self, reviewer_id: int, record_id: int,
                names: Mapping[int, str]) -> str | None:
        """Why this screener may not screen the record (None: they may). Names no vote."""
        if self.serves(reviewer_id, record_id):
            return None
        where = self.stage.replace("_", "-")
        if self.pilot_open:
            return (f"record {record_id} is not in the pilot sample, and the pilot round at "
                    f"{where} is open: every screener screens the pilot first (an arbiter "
                    f"closes it: 'reviewflow pilot close --stage {where} --by NAME')")
        others = ", ".join(sorted(names.get(i, f"#{i}") for i in self.allocated[record_id]))
        return (f"record {record_id} is allocated to {others} at {where}, not to you; "
                "your own records are in your screening queue ('reviewflow status' shows "
                "the allocation)")

    def allocated_to(self, reviewer_id: int) -> frozenset[int]:
        return frozenset(r for r, who in self.allocated.items() if reviewer_id in who)


@dataclass(frozen=True)
class PlanEvent:
    """One stored step of the plan, as ``reviewflow policy --history`` lists it."""

    key: str
    summary: str
    changed_by: str | None
    at: str


def _rows(reader: Reader, stage: str | None = None,
          ) -> list[tuple[str, str, int | None, object]]:
    """The plan's stored steps, oldest first (one stage's, else every stage's)."""
    if stage:
        keys = [p + stage for p in PLAN_PREFIXES]
        marks = ", ".join("?" for _ in keys)
        where, params = f'"key" IN ({marks})', tuple(keys)
    else:
        where, params = '("key" LIKE ? OR "key" LIKE ?)', ("pilot%", f"{ALLOCATION_PREFIX}%")
    return reader.rows(  # type: ignore[return-value]
        f'SELECT "key", value, changed_by_id, at FROM setting_change'
        f" WHERE {where} ORDER BY id",
        params)


def _names(reader: Reader) -> dict[int, str]:
    return dict(reader.rows("SELECT id, name FROM reviewer"))  # type: ignore[arg-type]


def load_plan(session: Session, stage: str) -> StagePlan:
    """The plan at ``stage`` replayed from its stored steps (in the session's transaction)."""
    return read_plan(session_reader(session), stage)


def read_plan(reader: Reader, stage: str) -> StagePlan:
    """The plan at ``stage`` replayed from its stored steps."""
    rows = _rows(reader, stage)
    if not rows:  # the common case, on every vote's check: one indexed query
        return StagePlan(stage)
    names = _names(reader)
    pilot: Pilot | None = None
    allocated: dict[int, frozenset[int]] = {}
    runs = 0
    for key, value, by, _ in rows:
        data = json.loads(value)
        who = names.get(by) if by is not None else None
        if key.startswith(PILOT_PREFIX):
            pilot = Pilot(frozenset(data["records"]), int(data["seed"]), who)
        elif key.startswith(PILOT_CLOSED_PREFIX) and pilot is not None:
            pilot = Pilot(pilot.records, pilot.seed, pilot.started_by, who or "?")
        elif key.startswith(ALLOCATION_PREFIX):
            runs += 1
            for group, ids in data["groups"].items():
                screeners = frozenset(int(x) for x in group.split(","))
                allocated.update(dict.fromkeys(ids, screeners))
    return StagePlan(stage, pilot, allocated, runs)


def read_plan_history(reader: Reader) -> list[PlanEvent]:
    """Every stored plan step, oldest first, summarised (an allocation holds every id)."""
    names = _names(reader)
    out = []
    for key, value, by, at in _rows(reader):
        data = json.loads(value)
        if key.startswith(PILOT_PREFIX):
            summary = f"{len(data['records'])} records, seed {data['seed']}"
        elif key.startswith(ALLOCATION_PREFIX):
            per = Counter[str]()
            for group, ids in data["groups"].items():
                for x in group.split(","):
                    per[names.get(int(x), f"#{x}")] += len(ids)
            summary = (f"{sum(len(v) for v in data['groups'].values())} records, seed "
                       f"{data['seed']}: " + ", ".join(f"{n} {k}" for n, k in sorted(per.items())))
        else:
            summary = "closed"
        out.append(PlanEvent(key, summary, names.get(by) if by is not None else None,
                             iso_time(at)))
    return out


def iso_time(at: object) -> str:
    """A stored time as ISO text, whether the driver gave a datetime (psycopg) or the
    text SQLite holds (``2026-12-05 01:11:48.123456``)."""
    if isinstance(at, str):
        return datetime.fromisoformat(at).isoformat()
    return at.isoformat()  # type: ignore[attr-defined]


def draw_pilot(eligible: Sequence[int], seed: int, size: int | None = None,
               fraction: float | None = None) -> list[int]:
    """A seeded simple random sample of the eligible records (same seed, same sample)."""
    pool = sorted(eligible)
    n = size if size is not None else round(len(pool) * (fraction or 0.0))
    n = max(0, min(n, len(pool)))
    return sorted(random.Random(seed).sample(pool, n))


def allocate(records: Sequence[int], screeners: Sequence[int], need: Mapping[int, int],
             voted: Mapping[int, Iterable[int]], seed: int) -> dict[int, frozenset[int]]:
    """Each record to ``need[record]`` screeners, keeping whoever already voted on it, evenly.

    Records are taken in a seeded shuffle; each goes to its voters first, then to
    the least-loaded screeners so far, ties broken by who has shared the fewest
    records with those already chosen (so every pair screens together, which
    pairwise kappa needs), then by a seeded order of the screeners. Loads end
    within one record of each other when nobody has voted yet; deterministic for
    the same inputs and seed.
    """
    rng = random.Random(seed)
    order = sorted(records)
    rng.shuffle(order)
    rank = {s: i for i, s in enumerate(rng.sample(sorted(screeners), len(screeners)))}
    load = dict.fromkeys(screeners, 0)
    together: Counter[tuple[int, int]] = Counter()  # records each pair shares so far
    out: dict[int, frozenset[int]] = {}
    for rid in order:
        chosen = list(voted.get(rid, ()))[: need[rid]]  # a vote cast stays counted
        while len(chosen) < need[rid]:
            free = [s for s in load if s not in chosen]
            if not free:
                break
            chosen.append(min(free, key=lambda s: (
                load[s], sum(together[(min(s, c), max(s, c))] for c in chosen), rank[s])))
        for i, s in enumerate(chosen):
            if s in load:
                load[s] += 1
            for c in chosen[:i]:
                together[(min(s, c), max(s, c))] += 1
        out[rid] = frozenset(chosen)
    return out


def allocation_value(groups: Mapping[int, frozenset[int]], seed: int,
                     screeners: Sequence[int]) -> str:
    """The stored form of one run: records grouped by their screeners (compact at 100,000)."""
    by_group: dict[str, list[int]] = {}
    for rid, who in sorted(groups.items()):
        by_group.setdefault(",".join(str(s) for s in sorted(who)), []).append(rid)
    return json.dumps({"seed": seed, "screeners": sorted(screeners), "groups": by_group})
