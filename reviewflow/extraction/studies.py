"""Studies (trials) and the reports (records) that describe them.

One trial often has several reports (a protocol, the main paper, a follow-up);
extraction and risk of bias are per study, so reports are linked to a study
rather than extracted separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.labels import label_of
from reviewflow.review_state import ReviewState, load_review_state
from reviewflow.review_state.load import study_links
from reviewflow.stages import STAGES
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.study_merges import study_merge_map


@dataclass(frozen=True)
class StudyInfo:
    id: int
    label: str
    record_ids: tuple[int, ...]  # primary report first


def list_studies(store: Store) -> list[StudyInfo]:
    """Studies as the review counts them: a study merged into another is listed there."""
    with store.session() as s:
        return _studies(s)


def _studies(session: Session) -> list[StudyInfo]:
    return [StudyInfo(sid, label, rids) for sid, label, rids, _ in study_links(session)]


def study_by_label(store: Store, label: str) -> StudyInfo:
    with store.session() as s:
        return study_named(session=s, label=label)


def study_named(*, session: Session, label: str) -> StudyInfo:
    """The study with this label (any case), as the caller's transaction sees it; a study
    merged into another is refused with the label to use instead."""
    for st in _studies(session):
        if st.label.lower() == label.strip().lower():
            return st
    merges = study_merge_map(session)
    labels = dict(session.exec(select(models.Study.id, models.Study.label)).all())
    gone = next((sid for sid, name in labels.items()
                 if name.lower() == label.strip().lower() and sid in merges), None)
    if gone is not None:
        raise ReviewflowError(f"study {labels[gone]!r} is merged into "
                              f"{labels.get(merges[gone])!r}: use that label (or "
                              f"'reviewflow extraction study unmerge {labels[gone]!r}')")
    raise ReviewflowError(f"no study labelled {label!r}; see 'reviewflow extraction study list'")


def create_study(*, session: Session, label: str,
                 record_ids: list[int] | None = None) -> StudyInfo:
    """A new study, optionally with its reports (the first is the primary one), in the
    caller's transaction."""
    label = label.strip()
    if not label:
        raise ReviewflowError("study label is empty")
    add_studies(session=session, links={label: tuple(record_ids or ())})
    return study_named(session=session, label=label)


def link_record(*, session: Session, label: str, record_id: int,
                primary: bool = False) -> StudyInfo:
    """Add a report to a study (a record belongs to at most one study)."""
    study = study_named(session=session, label=label)
    _link(session, study.id, record_id, primary=primary or not study.record_ids)
    session.flush()
    return study_named(session=session, label=label)


def _link(s: Session, study_id: int, record_id: int, *, primary: bool) -> None:
    if s.get(models.RecordRow, record_id) is None:
        raise ReviewflowError(f"record {record_id} does not exist")
    other = s.exec(select(models.StudyRecord).where(
        models.StudyRecord.record_id == record_id)).first()
    if other is not None:
        owner = s.get(models.Study, other.study_id)
        target = s.get(models.Study, study_id)
        name = owner.label if owner else str(other.study_id)
        raise ReviewflowError(
            f"record {record_id} already belongs to study {name!r}; if the two studies are "
            f"one trial, merge them: reviewflow extraction study merge "
            f"{target.label if target else study_id!r} {name!r}")
    s.add(models.StudyRecord(study_id=study_id, record_id=record_id, is_primary=primary))


def included_record_ids(session: Session) -> list[int]:
    """Records included at full text, exactly as screening and PRISMA decide it."""
    return sorted(load_review_state(session).included_reports)


def record_label(record: models.RecordRow) -> str:
    """:func:`~reviewflow.extraction.labels.label_of` a record row."""
    return label_of(record.authors_json, record.year)


def studies_from_included(*, session: Session) -> list[StudyInfo]:
    """One new study per included record not yet linked (labels made unique with a, b ...),
    all in the caller's transaction.

    Reports of the same trial are then joined with :func:`link_record`.
    """
    linked = set(session.exec(select(models.StudyRecord.record_id)).all())
    records = [session.get(models.RecordRow, rid) for rid in included_record_ids(session)
               if rid not in linked]
    taken = {st.label for st in session.exec(select(models.Study)).all()}
    made = []
    for rec in records:
        if rec is None:
            continue
        base = label = record_label(rec)
        suffix = iter("bcdefghijklmnopqrstuvwxyz")
        while label in taken:
            label = f"{base}{next(suffix)}"
        taken.add(label)
        made.append(create_study(session=session, label=label, record_ids=[int(rec.id or 0)]))
    return made


REFERENCE_COLUMNS = ("record_id", "doi", "title")
"""Optional sheet columns naming the included report behind a row's study (not stored)."""


@dataclass(frozen=True)
class ReportRef:
    """What a spreadsheet row says about the report its study comes from."""

    label: str
    row: int
    record_id: str = ""
    doi: str = ""
    title: str = ""


def _key(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def _match(ref: ReportRef, reports: dict[int, tuple[str, str, str]]) -> list[int]:
    """Included, unlinked reports the row names: by record id, else DOI, else title, else label."""
    if ref.record_id.strip():
        rid = int(ref.record_id) if ref.record_id.strip().isdigit() else -1
        return [rid] if rid in reports else []
    for value, slot in ((ref.doi, 1), (ref.title, 0)):
        if value.strip():
            return [r for r, fields in reports.items() if fields[slot] == _key(value)]
    return [r for r, fields in reports.items() if fields[2] == ref.label.casefold()]


def link_targets(*, session: Session, state: ReviewState, refs: list[ReportRef],
                 source: str) -> dict[str, tuple[int, ...]]:
    """For each new study label, the included report(s) its rows name; refuses any that match none.

    A review screened elsewhere (no screening decision at all in this store) gets
    unlinked studies, which ``status`` and the report flag as having no included report.
    """
    if not state.stage(STAGES[0]).decided:
        return {ref.label: () for ref in refs}
    free = [r for r in state.included_reports if r not in state.study_of]
    rows = session.exec(select(models.RecordRow).where(col(models.RecordRow.id).in_(free))).all()
    reports = {int(r.id or 0): (_key(r.title), _key(r.doi), record_label(r).casefold())
               for r in rows}
    found: dict[str, tuple[int, ...]] = {}
    bad: list[str] = []
    for ref in refs:
        if ref.label in found:
            continue
        hits = _match(ref, reports)
        if len(hits) != 1:
            bad.append(f"row {ref.row} {ref.label!r}"
                       + (f" ({len(hits)} included reports match)" if hits else ""))
            continue
        found[ref.label] = (hits[0],)
        reports.pop(hits[0])
    if bad:
        raise ReviewflowError(
            f"{source}: {len(bad)} new stud{'y names' if len(bad) == 1 else 'ies name'} no "
            f"single included report: {', '.join(bad[:12])}; add a record_id, doi or title "
            "column naming the included record (see 'reviewflow export records --stage full-text')")
    return found


def add_studies(*, session: Session, links: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """New studies with their reports, in the caller's transaction; label -> id."""
    made: dict[str, int] = {}
    for label, record_ids in links.items():
        if session.exec(select(models.Study).where(models.Study.label == label.strip())).first():
            raise ReviewflowError(f"a study labelled {label!r} already exists")
        study = models.Study(label=label.strip())
        session.add(study)
        session.flush()
        made[label] = int(study.id or 0)
        for i, rid in enumerate(record_ids):
            _link(session, made[label], rid, primary=(i == 0))
    return made
