"""Same-study suggestions for a review, and a person's answer to each.

Confirming links the two reports in one study (the extraction unit; PRISMA
counts "studies (reports)" from these links), merging their studies when each
already has one (:mod:`reviewflow.linking.merge`); rejecting keeps the pair
from being suggested again. Both are recorded with who and when. Nothing here
merges records: both reports stay in screening, PRISMA and the report list.
Once data are extracted, each report carries its study's arm sizes as evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from reviewflow.errors import ReviewflowError
from reviewflow.linking.merge import merge_studies
from reviewflow.linking.open_pairs import read_open_pairs, read_study_of
from reviewflow.linking.suggest import Suggestion, sequence_key
from reviewflow.store import models
from reviewflow.store.dedup_state import merged_into
from reviewflow.store.reader import session_reader
from reviewflow.store.study_merges import study_merge_map

LINK, REJECT, UNLINK = "link", "reject", "unlink"


def _study_of(session: Session) -> dict[int, int]:
    return read_study_of(session_reader(session))


def same_study_suggestions(session: Session,
                           among: Iterable[int] | None = None) -> list[Suggestion]:
    """Open suggestions (:func:`~reviewflow.linking.open_pairs.read_open_pairs`) in the
    session's transaction."""
    return list(read_open_pairs(session_reader(session), among).suggestions)


def _check(session: Session, record_id: int) -> models.RecordRow:
    row = session.get(models.RecordRow, record_id)
    if row is None:
        raise ReviewflowError(f"record {record_id}: no such record")
    kept = merged_into(session).get(record_id)
    if kept is not None:
        raise ReviewflowError(f"record {record_id} was merged into record {kept}: use {kept}")
    return row


def _unique_label(session: Session, base: str) -> str:
    taken = set(session.exec(select(models.Study.label)).all())
    label, suffix = base, iter("bcdefghijklmnopqrstuvwxyz")
    while label in taken:
        label = f"{base}{next(suffix)}"
    return label


def confirm_link(a: int, b: int, *, session: Session, by: str,
                 reasons: Iterable[str] = ()) -> int:
    """Make reports ``a`` and ``b`` one study (joining an existing study); its id.

    The two reports' studies are merged (:func:`reviewflow.linking.merge.merge_studies`:
    an existing study is kept, else the Latin-script report's; refused, naming the
    fields, if a value would be hidden); a report without a study first gets its own,
    so that :func:`unlink` can always take the link back.
    """
    from reviewflow.extraction.studies import record_label
    from reviewflow.titles import is_latin

    if a == b:
        raise ReviewflowError("a report cannot be linked to itself")
    rows = {a: _check(session, a), b: _check(session, b)}
    study = _study_of(session)
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
                study[rid] = _own_study(session, rows[rid], record_label)
        study_id = merge_studies(study[keep_record], study[other], session=session, by=by,
                                 note=f"records {a} and {b} are one study")
    lo, hi = sequence_key((a, b))
    session.add(models.StudyLinkDecision(record_a_id=lo, record_b_id=hi, action=LINK,
                                         reasons="; ".join(reasons) or None, by=by))
    return study_id


def _own_study(session: Session, row: models.RecordRow, label_of) -> int:
    """A new study of one report (its primary), labelled after it."""
    new = models.Study(label=_unique_label(session, label_of(row)))
    session.add(new)
    session.flush()
    study_id = int(new.id or 0)
    session.add(models.StudyRecord(study_id=study_id, record_id=int(row.id or 0),
                                   is_primary=True))
    return study_id


def reject_link(a: int, b: int, *, session: Session, by: str) -> None:
    """Two reports are not one study: never suggested again."""
    _check(session, a)
    _check(session, b)
    lo, hi = sequence_key((a, b))
    session.add(models.StudyLinkDecision(record_a_id=lo, record_b_id=hi, action=REJECT, by=by))


def unlink(a: int, b: int, *, session: Session, by: str) -> int:
    """Undo a link that merged the studies of reports ``a`` and ``b``: the merged study
    gets back its own reports, values and judgements; returns its id. Never suggested
    again (a person said so)."""
    from reviewflow.linking.merge import unmerge_study
    from reviewflow.store.study_merges import final_study

    _check(session, a)
    _check(session, b)
    sr = models.StudyRecord
    raw = dict(session.exec(select(sr.record_id, sr.study_id)
                            .where(col(sr.record_id).in_((a, b)))).all())
    merges = study_merge_map(session)
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
    unmerge_study(absorbed[0], session=session, by=by)
    lo, hi = sequence_key((a, b))
    session.add(models.StudyLinkDecision(record_a_id=lo, record_b_id=hi, action=UNLINK, by=by))
    return absorbed[0]
