"""Loading the read model: one query per table, one replay per record.

Reads select plain columns, not ORM objects: a screening session at 100,000
records starts from here and must stay well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from reviewflow.fulltext.state import unobtainable_ids
from reviewflow.review_state.model import ReviewState, StageState
from reviewflow.review_state.policy import ScreeningPolicy, load_policy
from reviewflow.review_state.votes import (
    DecisionRow,
    Person,
    RecordStatus,
    Resolution,
    replay,
)
from reviewflow.stages import STAGES
from reviewflow.store import models
from reviewflow.store.dedup_state import all_record_ids, merge_map
from reviewflow.store.study_merges import study_merge_map


def load_people(session: Session) -> dict[int, Person]:
    r = models.Reviewer
    rows = session.exec(select(r.id, r.name, r.role)).all()
    return {i: Person(i, n, role) for i, n, role in rows}


def _decision_rows(session: Session, record_id: int | None = None,
                   stage: str | None = None) -> dict[tuple[str, int], list[DecisionRow]]:
    d = models.ScreeningDecision
    query = select(d.id, d.stage, d.record_id, d.reviewer_id, d.decision, d.reason, d.note)
    if record_id is not None:
        query = query.where(d.record_id == record_id)
    if stage is not None:
        query = query.where(d.stage == stage)
    grouped: dict[tuple[str, int], list[DecisionRow]] = {}
    for row_id, st, rec, who, decision, reason, note in _raw_rows(
            session, query.order_by(d.id)):  # type: ignore[arg-type]
        grouped.setdefault((st, rec), []).append((row_id, who, decision, reason, note))
    return grouped


def _raw_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """Plain tuples through the DB-API cursor: SQLAlchemy's row objects cost several
    times the query itself when a session starts on tens of thousands of decisions."""
    conn = session.connection()
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        return cursor.fetchall()
    finally:
        cursor.close()


def _resolutions(session: Session, people: Mapping[int, Person], record_id: int | None = None,
                 stage: str | None = None) -> dict[tuple[str, int], Resolution]:
    c = models.ConflictResolution
    query = select(c.stage, c.record_id, c.decision, c.reason, c.note, c.method, c.resolved_by_id)
    if record_id is not None:
        query = query.where(c.record_id == record_id)
    if stage is not None:
        query = query.where(c.stage == stage)
    out: dict[tuple[str, int], Resolution] = {}
    for st, rec, decision, reason, note, method, by in session.exec(
            query.order_by(c.id)).all():  # type: ignore[arg-type]
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
    rows = _decision_rows(session, record_id, stage).get((stage, record_id), [])
    who = {r[1] for r in rows}
    if people is None or not who <= people.keys():
        people = load_people(session)
    resolution = _resolutions(session, people, record_id, stage).get((stage, record_id))
    policy = policy or load_policy(session)
    return replay(record_id, stage, rows, people, resolution, policy.required(stage))


def study_links(session: Session, merges: Mapping[int, int] | None = None,
                ) -> tuple[tuple[int, str, tuple[int, ...], bool], ...]:
    """(study, label, reports, has values) by label; a study merged into another is not
    listed: its reports (after the study's own) and values count for that study."""
    st, sr = models.Study, models.StudyRecord
    merges = study_merge_map(session) if merges is None else merges
    labels = {sid: label for sid, label in session.exec(select(st.id, st.label)).all()
              if sid not in merges}
    links = session.exec(select(sr.study_id, sr.record_id, sr.is_primary)
                         .order_by(sr.is_primary.desc(), sr.record_id)).all()  # type: ignore[attr-defined]
    extracted = {merges.get(sid, sid) for sid in session.exec(
        select(models.ExtractionValue.study_id).distinct()).all()}
    by_study: dict[int, list[int]] = {}
    for sid, rid, _ in sorted(links, key=lambda row: row[0] in merges):
        by_study.setdefault(merges.get(sid, sid), []).append(rid)
    return tuple((sid, label, tuple(by_study.get(sid, ())), sid in extracted)
                 for sid, label in sorted(labels.items(), key=lambda kv: kv[1]))


def _sources(session: Session) -> dict[int, frozenset[tuple[str, str]]]:
    p, imp = models.RecordProvenance, models.SearchImport
    found: dict[int, set[tuple[str, str]]] = {}
    for rid, database, origin in session.exec(
            select(p.record_id, imp.database, imp.origin).join(imp, p.import_id == imp.id)).all():  # type: ignore[arg-type]
        found.setdefault(rid, set()).add((database, origin or "database"))
    return {rid: frozenset(v) for rid, v in found.items()}


def load_review_state(session: Session, *, with_sources: bool = False) -> ReviewState:
    """Everything derived about the review, from one session's reads."""
    people = load_people(session)
    policy = load_policy(session)
    merges = merge_map(session)
    record_ids = all_record_ids(session)
    active = tuple(sorted(i for i in record_ids if i not in merges.kept_of))
    rows = _decision_rows(session)
    resolutions = _resolutions(session, people)
    stages: dict[str, StageState] = {}
    previous: StageState | None = None
    for stage in STAGES:
        previous = stages[stage] = StageState(
            stage, policy.required(stage),
            {rec: r for (st, rec), r in rows.items() if st == stage},
            {rec: r for (st, rec), r in resolutions.items() if st == stage},
            people, active, previous)
    study_merges = study_merge_map(session)
    return ReviewState(people, policy, merges, frozenset(record_ids), active, stages,
                       study_links(session, study_merges),
                       _sources(session) if with_sources else {},
                       frozenset(unobtainable_ids(session)), study_merges)
