"""The one read model: everything derived about a review, loaded in one snapshot.

Built by :func:`reviewflow.review_state.load.load_review_state` from the
append-only rows (decisions, resolutions, merges, study links, rule changes);
every view (status, dashboard, queue start, conflicts, kappa, PRISMA, report,
history, included studies) reads these frozen results instead of re-deriving them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from reviewflow.review_state.agreement import Agreement, stage_agreement
from reviewflow.review_state.policy import ScreeningPolicy
from reviewflow.review_state.votes import (
    ARBITER,
    RETRACTED,
    DecisionRow,
    Person,
    RecordStatus,
    Resolution,
    pending_status,
    replay,
)
from reviewflow.stages import FULL_TEXT, STAGES
from reviewflow.store.dedup_state import MergeMap


@dataclass(frozen=True)
class StageState:
    """One stage: which records reached it and how each stands.

    Statuses are replayed when first asked for (a screening session at 100,000
    records starts on the eligible ids and the viewer's own decisions alone);
    the rows they come from were all read in the one snapshot.
    """

    stage: str
    required: int
    rows: Mapping[int, list[DecisionRow]]  # every record's decision rows at this stage
    resolutions: Mapping[int, Resolution]
    people: Mapping[int, Person]
    active: tuple[int, ...]
    previous: StageState | None = None  # the stage records must have moved on from

    @cached_property
    def eligible(self) -> tuple[int, ...]:
        return self.active if self.previous is None else self.previous.moved_on

    @cached_property
    def decided(self) -> Mapping[int, RecordStatus]:
        """Eligible records with a vote or a resolution, replayed."""
        keys = self.rows.keys() | self.resolutions.keys()
        eligible = set(self.eligible)
        return {rec: replay(rec, self.stage, self.rows.get(rec, []), self.people,
                            self.resolutions.get(rec), self.required)
                for rec in sorted(keys) if rec in eligible}

    def status(self, record_id: int) -> RecordStatus:
        return self.decided.get(record_id) or pending_status(record_id, self.stage)

    def statuses(self) -> Iterator[RecordStatus]:
        """Every eligible record's status (undecided ones as pending)."""
        for rid in self.eligible:
            yield self.status(rid)

    @property
    def moved_on(self) -> tuple[int, ...]:
        return tuple(i for i in self.eligible if i in self.decided and self.decided[i].moves_on)

    def outcomes(self) -> Counter[str]:
        counts = Counter(s.outcome for s in self.decided.values())
        counts["pending"] += len(self.eligible) - len(self.decided)
        return counts

    def decisions_of(self, reviewer_id: int) -> dict[int, str]:
        """One screener's current decision per eligible record (their latest row, as the
        replay takes it; read from the rows when the statuses are not needed otherwise)."""
        if "decided" in self.__dict__:
            return {rid: v.decision for rid, st in self.decided.items() for v in st.votes
                    if v.reviewer_id == reviewer_id}
        person = self.people.get(reviewer_id)
        if person is not None and person.role == ARBITER:
            return {}
        eligible = set(self.eligible)
        out: dict[int, str] = {}
        for rid, rows in self.rows.items():
            mine = [r[2] for r in rows if r[1] == reviewer_id]
            if mine and mine[-1] != RETRACTED and rid in eligible:
                out[rid] = mine[-1]
        return out

    def covered_by(self, reviewer_id: int) -> frozenset[str]:
        """Screeners every one of whose decided records ``reviewer_id`` has decided too.

        Blind lifts record by record once both have decided it, so such a colleague's
        include/exclude counts reveal nothing new (e.g. both finished the stage)."""
        mine = set(self.decisions_of(reviewer_id))
        theirs: dict[str, set[int]] = {}
        for rid, st in self.decided.items():
            for v in st.votes:
                theirs.setdefault(v.reviewer, set()).add(rid)
        return frozenset(name for name, ids in theirs.items() if ids <= mine)

    def counts_by_reviewer(self) -> dict[str, Counter[str]]:
        """Per screener, their current decisions on eligible records, by decision."""
        counts: dict[str, Counter[str]] = {}
        for st in self.decided.values():
            for v in st.votes:
                counts.setdefault(v.reviewer, Counter())[v.decision] += 1
        return dict(sorted(counts.items()))

    def conflicts(self, include_resolved: bool = False) -> list[RecordStatus]:
        return sorted((s for s in self.decided.values() if s.disagreement
                       and (include_resolved or s.resolution is None)),
                      key=lambda s: s.record_id)

    def agreement(self) -> list[Agreement]:
        return stage_agreement(self.stage, self.decided.values())


@dataclass(frozen=True)
class StudyState:
    """A study and its reports (records), with what the read model knows about them."""

    id: int
    label: str
    record_ids: tuple[int, ...]  # primary report first
    included_reports: tuple[int, ...]
    extracted: bool  # has extraction values

    @property
    def has_included_report(self) -> bool:
        return bool(self.included_reports)


@dataclass(frozen=True)
class ReviewState:
    """Everything derived about the review at one moment."""

    people: Mapping[int, Person]
    policy: ScreeningPolicy
    merges: MergeMap
    record_ids: frozenset[int]
    active: tuple[int, ...]
    stages: Mapping[str, StageState]
    study_links: tuple[tuple[int, str, tuple[int, ...], bool], ...]
    """(study id, label, report record ids primary first, has extracted values), by label."""
    sources: Mapping[int, frozenset[tuple[str, str]]] = field(default_factory=dict)
    """record -> {(database, origin)} from provenance (loaded for PRISMA only)."""
    unobtainable: frozenset[int] = frozenset()
    """Records whose report is marked unobtainable (``reviewflow fulltext unobtainable``)."""
    study_merges: Mapping[int, int] = field(default_factory=dict)
    """Study merged into another -> that study (``reviewflow extraction study merge``);
    ``study_links`` already lists such a study's reports under the study it joined."""

    @cached_property
    def studies(self) -> tuple[StudyState, ...]:
        included = set(self.included_reports)
        return tuple(StudyState(sid, label, rids, tuple(r for r in rids if r in included),
                                extracted)
                     for sid, label, rids, extracted in self.study_links)

    @cached_property
    def study_of(self) -> Mapping[int, int]:
        """record -> study id."""
        return {rid: sid for sid, _, rids, _ in self.study_links for rid in rids}

    def stage(self, stage: str) -> StageState:
        return self.stages[stage]

    def person_named(self, name: str) -> Person | None:
        return next((p for p in self.people.values() if p.name == name.strip()), None)

    @property
    def included_reports(self) -> tuple[int, ...]:
        """Records included at full text (the last stage): the reports of included studies."""
        return self.stages[STAGES[-1]].moved_on

    @property
    def included_studies(self) -> tuple[StudyState, ...]:
        """Studies with at least one included report."""
        return tuple(s for s in self.studies if s.has_included_report)

    @property
    def studies_without_report(self) -> tuple[StudyState, ...]:
        """Studies none of whose reports is included: an error the report and status show."""
        return tuple(s for s in self.studies if not s.has_included_report)

    def included_study_count(self) -> int:
        """Distinct studies among included reports; an unlinked report is its own study."""
        return len({("study", self.study_of[r]) if r in self.study_of else ("record", r)
                    for r in self.included_reports})


__all__ = ["FULL_TEXT", "ReviewState", "StageState", "StudyState"]
