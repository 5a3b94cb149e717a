"""Loading the read model: one query per table, one replay per record.

Reads select plain columns, not ORM objects: a screening session at 100,000
records starts from here and must stay well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from reviewflow.fulltext.state import read_unobtainable_ids
from reviewflow.review_state.model import ReviewState, StageState
from reviewflow.review_state.plan import read_plan
from reviewflow.review_state.policy import ScreeningPolicy, read_policy
from reviewflow.review_state.votes import (
    DecisionRow,
    Person,
    RecordStatus,
    Resolution,
    replay,
)
from reviewflow.stages import STAGES
from reviewflow.store.dedup_state import read_all_record_ids, read_merge_map
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.study_merges import read_study_merge_map

if TYPE_CHECKING:
    from sqlmodel import Session


def load_people(session: Session) -> dict[int, Person]:
    return read_people(session_reader(session))


def read_people(reader: Reader) -> dict[int, Person]:
    return {i: Person(i, n, role) for i, n, role in reader.rows(
        "SELECT id, name, role FROM reviewer")}


def _where(record_id: int | None, stage: str | None) -> tuple[str, tuple[object, ...]]:
    """The optional ``record_id = ? AND stage = ?`` filter of a decision or resolution read."""
    terms = [(f"{col} = ?", value) for col, value in (("record_id", record_id), ("stage", stage))
             if value is not None]
    if not terms:
        return "", ()
    return " WHERE " + " AND ".join(t for t, _ in terms), tuple(v for _, v in terms)


def _decision_rows(reader: Reader, record_id: int | None = None,
                   stage: str | None = None) -> dict[tuple[str, int], list[DecisionRow]]:
    where, params = _where(record_id, stage)
    grouped: dict[tuple[str, int], list[DecisionRow]] = {}
    for row_id, st, rec, who, decision, reason, note in reader.rows(
            "SELECT id, stage, record_id, reviewer_id, decision, reason, note "
            f"FROM screening_decision{where} ORDER BY id", params):
        grouped.setdefault((st, rec), []).append((row_id, who, decision, reason, note))
    return grouped


def _resolutions(reader: Reader, people: Mapping[int, Person], record_id: int | None = None,
                 stage: str | None = None) -> dict[tuple[str, int], Resolution]:
    where, params = _where(record_id, stage)
    out: dict[tuple[str, int], Resolution] = {}
    for st, rec, decision, reason, note, method, by in reader.rows(
            "SELECT stage, record_id, decision, reason, note, method, resolved_by_id "
            f"FROM conflict_resolution{where} ORDER BY id", params):
        name = people[by].name if by in people else f"#{by}"
        out[(st, rec)] = Resolution(decision, reason, note, method, name, by)
    return out


def record_status(session: Session, record_id: int, stage: str,
                  people: Mapping[int, Person] | None = None,
                  policy: ScreeningPolicy | None = None) -> RecordStatus:
    """One record's status with indexed queries only (one keypress' worth).

    ``people`` and ``policy`` may be passed in to save queries; ``people`` is
    re-read when someone it does not know has voted.
    """
    return read_record_status(session_reader(session), record_id, stage, people, policy)


def read_record_status(reader: Reader, record_id: int, stage: str,
                       people: Mapping[int, Person] | None = None,
                       policy: ScreeningPolicy | None = None) -> RecordStatus:
    """:func:`record_status` over the read seam."""
    rows = _decision_rows(reader, record_id, stage).get((stage, record_id), [])
    who = {r[1] for r in rows}
    if people is None or not who <= people.keys():
        people = read_people(reader)
    resolution = _resolutions(reader, people, record_id, stage).get((stage, record_id))
    policy = policy or read_policy(reader)
    return replay(record_id, stage, rows, people, resolution,
                  policy.required_for(stage, record_id))


def study_links(session: Session, merges: Mapping[int, int] | None = None,
                ) -> tuple[tuple[int, str, tuple[int, ...], bool], ...]:
    """(study, label, reports, has values) by label; a study merged into another is not
    listed: its reports (after the study's own) and values count for that study."""
    return read_study_links(session_reader(session), merges)


def read_study_links(reader: Reader, merges: Mapping[int, int] | None = None,
                     ) -> tuple[tuple[int, str, tuple[int, ...], bool], ...]:
    merges = read_study_merge_map(reader) if merges is None else merges
    labels = {sid: label for sid, label in reader.rows("SELECT id, label FROM study")
              if sid not in merges}
    links = reader.rows("SELECT study_id, record_id, is_primary FROM study_record "
                        "ORDER BY is_primary DESC, record_id")
    extracted = {merges.get(sid, sid) for (sid,) in reader.rows(
        "SELECT DISTINCT study_id FROM extraction_value")}
    by_study: dict[int, list[int]] = {}
    for sid, rid, _ in sorted(links, key=lambda row: row[0] in merges):
        by_study.setdefault(merges.get(sid, sid), []).append(rid)
    return tuple((sid, label, tuple(by_study.get(sid, ())), sid in extracted)
                 for sid, label in sorted(labels.items(), key=lambda kv: kv[1]))


def _sources(reader: Reader) -> dict[int, frozenset[tuple[str, str]]]:
    found: dict[int, set[tuple[str, str]]] = {}
    for rid, database, origin in reader.rows(
            'SELECT p.record_id, i."database", i.origin FROM record_provenance AS p '
            "JOIN search_import AS i ON p.import_id = i.id"):
        found.setdefault(rid, set()).add((database, origin or "database"))
    return {rid: frozenset(v) for rid, v in found.items()}


def load_review_state(session: Session, *, with_sources: bool = False,
                      with_plan: bool = False) -> ReviewState:
    """Everything derived about the review, from one session's reads (its own
    connection and transaction: a write action sees its own flushed rows)."""
    return read_review_state(session_reader(session), with_sources=with_sources,
                             with_plan=with_plan)


def read_review_state(reader: Reader, *, with_sources: bool = False,
                      with_plan: bool = False) -> ReviewState:
    """Everything derived about the review, from one reader's reads.

    ``with_plan`` also loads each stage's pilot and allocation (the screening
    queue, status and the dashboard need them; PRISMA and kappa do not)."""
    people = read_people(reader)
    policy = read_policy(reader)
    merges = read_merge_map(reader)
    record_ids = read_all_record_ids(reader)
    active = tuple(sorted(i for i in record_ids if i not in merges.kept_of))
    rows = _decision_rows(reader)
    resolutions = _resolutions(reader, people)
    stages: dict[str, StageState] = {}
    previous: StageState | None = None
    for stage in STAGES:
        previous = stages[stage] = StageState(
            stage, policy.required(stage),
            {rec: r for (st, rec), r in rows.items() if st == stage},
            {rec: r for (st, rec), r in resolutions.items() if st == stage},
            people, active, previous, policy.verify(stage),
            read_plan(reader, stage) if with_plan else None)
    study_merges = read_study_merge_map(reader)
    return ReviewState(people, policy, merges, frozenset(record_ids), active, stages,
                       read_study_links(reader, study_merges),
                       _sources(reader) if with_sources else {},
                       frozenset(read_unobtainable_ids(reader)), study_merges)
