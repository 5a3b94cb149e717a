"""Same-study suggestions for a review, and a person's answer to each.

Confirming links the two reports in one study (the extraction unit; PRISMA
counts "studies (reports)" from these links), merging their studies when each
already has one (:mod:`reviewflow.linking.merge`); rejecting keeps the pair
from being suggested again. Both are recorded with who and when. Nothing here
merges records: both reports stay in screening, PRISMA and the report list.
Once data are extracted, each report carries its study's arm sizes as evidence.

The answers take the caller's :class:`~reviewflow.store.writer.Writer` (``same-study
--link`` writes a SQLite store through sqlite3, without the ORM); the session-taking
names are thin wrappers for the TUI and PostgreSQL callers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.studies import label_of
from reviewflow.linking.merge import write_merge, write_unmerge
from reviewflow.linking.open_pairs import read_open_pairs, read_study_of
from reviewflow.linking.suggest import Suggestion, sequence_key
from reviewflow.store.dedup_state import require_active_record
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.study_merges import final_study, read_study_merge_map
from reviewflow.store.writer import Writer, session_writer
from reviewflow.titles import is_latin

if TYPE_CHECKING:  # the session wrappers' type; the write seam never loads the ORM
    from sqlmodel import Session

LINK, REJECT, UNLINK = "link", "reject", "unlink"


@dataclass(frozen=True)
class LinkedStudy:
    """The study an answer leaves the two reports in (or, after an unlink, gives back)."""

    id: int
    label: str


def same_study_suggestions(session: Session,
                           among: Iterable[int] | None = None) -> list[Suggestion]:
    """Open suggestions (:func:`~reviewflow.linking.open_pairs.read_open_pairs`) in the
    session's transaction."""
    return list(read_open_pairs(session_reader(session), among).suggestions)


@dataclass(frozen=True)
class _Report:
    id: int
    title: str | None
    authors_json: str | None
    year: int | None


def _report(reader: Reader, record_id: int) -> _Report:
    require_active_record(reader, record_id)
    found = reader.rows("SELECT id, title, authors_json, year FROM record WHERE id = ?",
                        (record_id,))
    return _Report(*found[0])


def _study(reader: Reader, study_id: int) -> LinkedStudy:
    return LinkedStudy(study_id, str(reader.scalar("SELECT label FROM study WHERE id = ?",
                                                   (study_id,))))


def _unique_label(reader: Reader, base: str) -> str:
    taken = {label for (label,) in reader.rows("SELECT label FROM study")}
    label, suffix = base, iter("bcdefghijklmnopqrstuvwxyz")
    while label in taken:
        label = f"{base}{next(suffix)}"
    return label


def _decision(writer: Writer, a: int, b: int, action: str, by: str,
              reasons: str | None = None) -> None:
    lo, hi = sequence_key((a, b))
    writer.insert("study_link_decision", record_a_id=lo, record_b_id=hi, action=action,
                  reasons=reasons, by=by)


def link_reports(a: int, b: int, *, writer: Writer, by: str,
                 reasons: Iterable[str] = ()) -> LinkedStudy:
    """Make reports ``a`` and ``b`` one study (joining an existing study); that study.

    The two reports' studies are merged (:func:`reviewflow.linking.merge.write_merge`:
    an existing study is kept, else the Latin-script report's; refused, naming the
    fields, if a value would be hidden); a report without a study first gets its own,
    so that :func:`unlink_reports` can always take the link back.
    """
    if a == b:
        raise ReviewflowError("a report cannot be linked to itself")
    reader = writer.reader
    rows = {a: _report(reader, a), b: _report(reader, b)}
    study = read_study_of(reader)
    owned = [r for r in (a, b) if r in study]
    if len(owned) == 2 and study[a] == study[b]:
        study_id = study[a]  # already one study: the decision is still recorded
    else:
        # Every link is a merge of two studies, a report without one getting its own
        # first: so an unlink (an unmerge) can always take the link back, append-only.
        if len(owned) == 1:
            keep_record = owned[0]  # joining the study that exists (it may hold data)
        elif owned:  # the Latin-script report's study is kept, as reviews cite it
            keep_record = a if is_latin(rows[a].title or "") and not is_latin(
                rows[b].title or "") else b
        else:
            keep_record = b if is_latin(rows[b].title or "") and not is_latin(
                rows[a].title or "") else a
        other = b if keep_record == a else a
        for rid in (keep_record, other):  # the kept one first: it takes the plain label
            if rid not in study:
                study[rid] = _own_study(writer, rows[rid])
        study_id = write_merge(study[keep_record], study[other], writer=writer, by=by,
                               note=f"records {a} and {b} are one study")
    _decision(writer, a, b, LINK, by, "; ".join(reasons) or None)
    return _study(reader, study_id)


def confirm_link(a: int, b: int, *, session: Session, by: str,
                 reasons: Iterable[str] = ()) -> int:
    """:func:`link_reports` in a session; the study's id."""
    return link_reports(a, b, writer=session_writer(session), by=by, reasons=reasons).id


def _own_study(writer: Writer, report: _Report) -> int:
    """A new study of one report (its primary), labelled after it."""
    label = _unique_label(writer.reader, label_of(report.authors_json, report.year))
    study_id = writer.insert("study", label=label)
    writer.insert("study_record", study_id=study_id, record_id=report.id, is_primary=True)
    return study_id


def reject_reports(a: int, b: int, *, writer: Writer, by: str) -> None:
    """Two reports are not one study: never suggested again."""
    _report(writer.reader, a)
    _report(writer.reader, b)
    _decision(writer, a, b, REJECT, by)


def reject_link(a: int, b: int, *, session: Session, by: str) -> None:
    """:func:`reject_reports` in a session."""
    reject_reports(a, b, writer=session_writer(session), by=by)


def unlink_reports(a: int, b: int, *, writer: Writer, by: str) -> LinkedStudy:
    """Undo a link that merged the studies of reports ``a`` and ``b``: the merged study
    gets back its own reports, values and judgements; returns it. Never suggested
    again (a person said so)."""
    reader = writer.reader
    _report(reader, a)
    _report(reader, b)
    raw = dict(reader.rows("SELECT record_id, study_id FROM study_record "
                           "WHERE record_id IN (?, ?)", (a, b)))
    merges = read_study_merge_map(reader)
    if len(raw) < 2 or final_study(merges, raw[a]) != final_study(merges, raw[b]):
        raise ReviewflowError(f"records {a} and {b} are not one study")
    if raw[a] == raw[b]:
        raise ReviewflowError(f"records {a} and {b} were linked into one fresh study by an earlier "
                              "reviewflow, before links could be undone: there is no "
                              "merge to undo")
    final = final_study(merges, raw[a])
    absorbed = [sid for sid in (raw[a], raw[b]) if sid != final]
    if len(absorbed) != 1:
        raise ReviewflowError(f"records {a} and {b} joined a third study by two merges; take "
                              "one out with 'reviewflow extraction study unmerge LABEL'")
    write_unmerge(absorbed[0], writer=writer, by=by)
    _decision(writer, a, b, UNLINK, by)
    return _study(reader, absorbed[0])


def unlink(a: int, b: int, *, session: Session, by: str) -> int:
    """:func:`unlink_reports` in a session; the id of the study given back."""
    return unlink_reports(a, b, writer=session_writer(session), by=by).id
