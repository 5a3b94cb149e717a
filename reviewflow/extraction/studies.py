"""Studies (trials) and the reports (records) that describe them.

One trial often has several reports (a protocol, the main paper, a follow-up);
extraction and risk of bias are per study, so reports are linked to a study
rather than extracted separately.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reviewflow.errors import ReviewflowError
from reviewflow.review_state import ReviewState
from reviewflow.review_state.load import read_review_state, read_study_links
from reviewflow.stages import STAGES
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.study_merges import read_study_merge_map
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the session wrappers (TUI, demo, PostgreSQL); the seam never loads it
    from sqlmodel import Session

    from reviewflow.store import models
    from reviewflow.store.db import Store


@dataclass(frozen=True)
class StudyInfo:
    id: int
    label: str
    record_ids: tuple[int, ...]  # primary report first


def list_studies(store: Store) -> list[StudyInfo]:
    """Studies as the review counts them: a study merged into another is listed there."""
    with store.session() as s:
        return read_studies(session_reader(s))


def read_studies(reader: Reader) -> list[StudyInfo]:
    return [StudyInfo(sid, label, rids) for sid, label, rids, _ in read_study_links(reader)]


def study_by_label(store: Store, label: str) -> StudyInfo:
    with store.session() as s:
        return study_named(session=s, label=label)


def study_named(*, session: Session, label: str) -> StudyInfo:
    """:func:`find_study` in the session's transaction."""
    return find_study(session_reader(session), label)


def _study_labels(reader: Reader) -> dict[int, str]:
    return dict(reader.rows("SELECT id, label FROM study"))  # type: ignore[arg-type]


def find_study(reader: Reader, label: str) -> StudyInfo:
    """The study with this label (any case), as the reader's transaction sees it; a study
    merged into another is refused with the label to use instead."""
    for st in read_studies(reader):
        if st.label.lower() == label.strip().lower():
            return st
    merges = read_study_merge_map(reader)
    labels = _study_labels(reader)
    gone = next((sid for sid, name in labels.items()
                 if name.lower() == label.strip().lower() and sid in merges), None)
    if gone is not None:
        raise ReviewflowError(f"study {labels[gone]!r} is merged into "
                              f"{labels.get(merges[gone])!r}: use that label (or "
                              f"'reviewflow extraction study unmerge {labels[gone]!r}')")
    raise ReviewflowError(f"no study labelled {label!r}; see 'reviewflow extraction study list'")


def add_study(*, writer: Writer, label: str, record_ids: Sequence[int] = ()) -> StudyInfo:
    """A new study, optionally with its reports (the first is the primary one), in the
    caller's transaction."""
    label = label.strip()
    if not label:
        raise ReviewflowError("study label is empty")
    write_studies(writer=writer, links={label: tuple(record_ids)})
    return find_study(writer.reader, label)


def create_study(*, session: Session, label: str,
                 record_ids: list[int] | None = None) -> StudyInfo:
    """:func:`add_study` in a session (the TUI, the demo, PostgreSQL)."""
    return add_study(writer=session_writer(session), label=label, record_ids=record_ids or ())


def add_report(*, writer: Writer, label: str, record_id: int,
               primary: bool = False) -> StudyInfo:
    """Add a report to a study (a record belongs to at most one study)."""
    study = find_study(writer.reader, label)
    _link(writer, study.id, record_id, primary=primary or not study.record_ids)
    return find_study(writer.reader, label)


def link_record(*, session: Session, label: str, record_id: int,
                primary: bool = False) -> StudyInfo:
    """:func:`add_report` in a session."""
    return add_report(writer=session_writer(session), label=label, record_id=record_id,
                      primary=primary)


def _link(writer: Writer, study_id: int, record_id: int, *, primary: bool) -> None:
    reader = writer.reader
    if reader.scalar("SELECT id FROM record WHERE id = ?", (record_id,)) is None:
        raise ReviewflowError(f"record {record_id} does not exist")
    owner_id = reader.scalar("SELECT study_id FROM study_record WHERE record_id = ? "
                             "ORDER BY id LIMIT 1", (record_id,))
    if owner_id is not None:
        labels = _study_labels(reader)
        name = labels.get(owner_id, str(owner_id))
        target = labels.get(study_id)
        raise ReviewflowError(
            f"record {record_id} already belongs to study {name!r}; if the two studies are "
            f"one trial, merge them: reviewflow extraction study merge "
            f"{target if target else study_id!r} {name!r}")
    writer.insert("study_record", study_id=study_id, record_id=record_id, is_primary=primary)


def included_record_ids(session: Session) -> list[int]:
    """Records included at full text, exactly as screening and PRISMA decide it."""
    return sorted(read_review_state(session_reader(session)).included_reports)


def label_of(authors_json: str | None, year: int | None) -> str:
    """'Surname Year' as reviews name trials."""
    authors = json.loads(authors_json or "[]")
    first = str(authors[0]) if authors else "Anon"
    surname = first.split(",")[0].strip() if "," in first else first.split()[-1]
    return f"{surname} {year or 'n.d.'}"


def record_label(record: models.RecordRow) -> str:
    """:func:`label_of` a record row."""
    return label_of(record.authors_json, record.year)


def _records(reader: Reader, ids: Sequence[int], columns: str) -> list[tuple[Any, ...]]:
    """``columns`` of the records ``ids`` (id first), by id."""
    out: list[tuple[Any, ...]] = []
    ids = sorted(ids)
    for i in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[i:i + 500]
        out += reader.rows(f"SELECT id, {columns} FROM record WHERE id IN "
                           f"({', '.join('?' for _ in chunk)}) ORDER BY id", chunk)
    return out


def add_studies_from_included(*, writer: Writer) -> list[StudyInfo]:
    """One new study per included record not yet linked (labels made unique with a, b ...),
    all in the caller's transaction.

    Reports of the same trial are then joined with :func:`add_report`.
    """
    reader = writer.reader
    linked = {rid for (rid,) in reader.rows("SELECT record_id FROM study_record")}
    wanted = [rid for rid in sorted(read_review_state(reader).included_reports)
              if rid not in linked]
    taken = {name.lower() for name in _study_labels(reader).values()}  # as write_studies
    made = []
    for rid, authors_json, year in _records(reader, wanted, "authors_json, year"):
        base = label = label_of(authors_json, year)
        suffix = iter("bcdefghijklmnopqrstuvwxyz")
        while label.lower() in taken:
            label = f"{base}{next(suffix)}"
        taken.add(label.lower())
        made.append(add_study(writer=writer, label=label, record_ids=[int(rid)]))
    return made


def studies_from_included(*, session: Session) -> list[StudyInfo]:
    """:func:`add_studies_from_included` in a session."""
    return add_studies_from_included(writer=session_writer(session))


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


def link_targets(*, reader: Reader, state: ReviewState, refs: list[ReportRef],
                 source: str) -> dict[str, tuple[int, ...]]:
    """For each new study label, the included report(s) its rows name; refuses any that match none.

    A review screened elsewhere (no screening decision at all in this store) gets
    unlinked studies, which ``status`` and the report flag as having no included report.
    """
    if not state.stage(STAGES[0]).decided:
        return {ref.label: () for ref in refs}
    free = [r for r in state.included_reports if r not in state.study_of]
    reports = {int(rid): (_key(title), _key(doi), label_of(authors, year).casefold())
               for rid, title, doi, authors, year in _records(
                   reader, free, "title, doi, authors_json, year")}
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


def write_studies(*, writer: Writer, links: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """New studies with their reports, in the caller's transaction; label -> id."""
    made: dict[str, int] = {}
    for label, record_ids in links.items():
        # labels are looked up in any case (find_study), so they must differ in more
        taken = {name.lower(): name for name in _study_labels(writer.reader).values()}
        if (same := taken.get(label.strip().lower())) is not None:
            raise ReviewflowError(f"a study labelled {same!r} already exists")
        made[label] = writer.insert("study", label=label.strip())
        for i, rid in enumerate(record_ids):
            _link(writer, made[label], rid, primary=(i == 0))
    return made


def add_studies(*, session: Session, links: dict[str, tuple[int, ...]]) -> dict[str, int]:
    """:func:`write_studies` in a session."""
    return write_studies(writer=session_writer(session), links=links)
