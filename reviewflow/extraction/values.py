"""Extracted values: append-only rows per reviewer, compared and reconciled.

The latest row per (study, reviewer, field) is that reviewer's value; an empty
value clears it. A consensus row (``is_consensus``) settles a field for the
study whatever the reviewers wrote. The reconciled dataset that analyses use is
the consensus value where one exists, else the value every extractor agrees on;
a field only one person extracted is a discrepancy too (dual extraction means
two people saw every number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlmodel import Session, col, select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import Form, normalise_value
from reviewflow.extraction.form_versions import FormRef, record_form
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.models import utcnow
from reviewflow.store.study_merges import members, regroup, study_merge_map

Key = tuple[int, int, str]  # study, reviewer, path


@dataclass(frozen=True)
class Discrepancy:
    study_id: int
    study: str
    path: str
    values: dict[str, str | None]  # reviewer name -> value (None = left empty)

    @property
    def kind(self) -> str:
        return "single" if len(self.values) < 2 else "differ"

    def describe(self) -> str:
        shown = ", ".join(f"{r}: {v if v is not None else '(empty)'}"
                          for r, v in self.values.items())
        extra = " (only one extractor)" if self.kind == "single" else ""
        return f"{self.study} {self.path}: {shown}{extra}"


@dataclass
class Reconciled:
    """The reconciled dataset: study label -> path -> value, and what is unresolved."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    discrepancies: list[Discrepancy] = field(default_factory=list)

    def unresolved_for(self, paths: Iterable[str], studies: Iterable[str]) -> list[Discrepancy]:
        want, labels = set(paths), set(studies)
        return [d for d in self.discrepancies if d.path in want and d.study in labels]


def _latest(session: Session, *, consensus: bool, study_id: int | None = None,
            as_merged: bool = True):
    """(study, reviewer, path, value) rows in write order; plain tuples, no ORM objects,
    because a review holds tens of thousands of values.

    A study merged into another reads as that study (``as_merged``): its rows stay
    where they were written and an unmerge gives them back.
    """
    v = models.ExtractionValue
    merges = study_merge_map(session) if as_merged else {}
    q = (select(v.study_id, v.reviewer_id, v.field_path, v.value)
         .where(v.is_consensus == consensus).order_by(col(v.id)))
    if study_id is not None:
        q = q.where(col(v.study_id).in_(members(merges, study_id)))
    return regroup(merges, session.exec(q).all())


def reviewer_values(session: Session, study_id: int | None = None, *,
                    as_merged: bool = True) -> dict[Key, str | None]:
    """Each reviewer's current value per (study, reviewer, path); later rows win."""
    return {(sid, rid, path): value
            for sid, rid, path, value in _latest(session, consensus=False, study_id=study_id,
                                                 as_merged=as_merged)}


def consensus_values(session: Session, study_id: int | None = None, *,
                     as_merged: bool = True) -> dict[tuple[int, str], str | None]:
    return {(sid, path): value
            for sid, _rid, path, value in _latest(session, consensus=True, study_id=study_id,
                                                  as_merged=as_merged)}


def set_values(*, session: Session, form: Form, form_id: FormRef, reviewer_id: int,
               entries: Iterable[tuple[int, str, str | None]], consensus: bool = False) -> int:
    """Append the (study id, path, value) entries that change something, in the caller's
    transaction (one user action, e.g. a whole spreadsheet, is one transaction).

    Values are checked first (a bad one raises before anything is added). Returns
    how many rows were appended.
    """
    checked = []
    for study_id, path, raw in entries:
        try:
            checked.append((study_id, path, normalise_value(form, path, raw)))
        except ReviewflowError as exc:
            raise ReviewflowError(f"{path}: {exc}") from None
    rows: list[dict[str, object]] = []
    now = utcnow()
    if consensus:
        current = {(sid, reviewer_id, p): v for (sid, p), v in consensus_values(session).items()}
    else:
        current = reviewer_values(session)
    for study_id, path, value in checked:
        key = (study_id, reviewer_id, path)
        if key not in current and value is None or current.get(key, "\0") == value:
            continue
        rows.append({"study_id": study_id, "reviewer_id": reviewer_id,
                     "field_path": path, "value": value, "is_consensus": consensus,
                     "at": now})
        current[key] = value
    if rows:  # one multi-row INSERT: a whole spreadsheet is one statement batch
        stored_id = record_form(form_id, session=session)  # only when values change
        session.execute(insert(models.ExtractionValue),
                        [row | {"form_id": stored_id} for row in rows])
    return len(rows)


def set_value(*, session: Session, form: Form, form_id: FormRef, study_id: int,
              reviewer_id: int, path: str, value: str | None) -> str | None:
    """Save one field (the TUI saves each field as it is left); returns the stored text."""
    set_values(session=session, form=form, form_id=form_id, reviewer_id=reviewer_id,
               entries=[(study_id, path, value)])
    return reviewer_values(session, study_id).get((study_id, reviewer_id, path))


def resolve(*, session: Session, form: Form, form_id: FormRef, study_id: int,
            reviewer_id: int, path: str, value: str | None) -> None:
    """Settle a field by consensus (or arbiter): the value analyses will use."""
    form.field_def(path)
    set_values(session=session, form=form, form_id=form_id, reviewer_id=reviewer_id,
               entries=[(study_id, path, value)], consensus=True)


def reconcile(store: Store) -> Reconciled:
    """Consensus, else agreement of every extractor of the study; else a discrepancy."""
    with store.session() as s:
        mine = reviewer_values(s)
        agreed = consensus_values(s)
        names = {r.id: r.name for r in s.exec(select(models.Reviewer)).all()}
        labels = {st.id: st.label for st in s.exec(select(models.Study)).all()}
    extractors: dict[int, set[int]] = {}
    paths: dict[int, set[str]] = {}
    for (sid, rid, path), value in mine.items():
        extractors.setdefault(sid, set()).add(rid)
        if value is not None:
            paths.setdefault(sid, set()).add(path)
    for sid, path in agreed:
        paths.setdefault(sid, set()).add(path)
    out = Reconciled()
    for sid in sorted(paths, key=lambda i: labels.get(i, "")):
        label = labels.get(sid, str(sid))
        row = out.values.setdefault(label, {})
        for path in sorted(paths[sid]):
            if (sid, path) in agreed:
                if agreed[(sid, path)] is not None:
                    row[path] = agreed[(sid, path)]  # type: ignore[assignment]
                continue
            seen = {names.get(r, str(r)): mine.get((sid, r, path))
                    for r in sorted(extractors.get(sid, ()),
                                                           key=lambda i: names.get(i, ''))}
            agreed_now, same = same_value(list(seen.values()))
            if len(seen) >= 2 and agreed_now:
                row[path] = same  # type: ignore[assignment]
            else:
                out.discrepancies.append(Discrepancy(sid, label, path, seen))
    return out


def same_value(values: list[str | None]) -> tuple[bool, str | None]:
    """(agreed, value): do all extractors give one value? Numbers agree by value: "7" and
    "7.0" are one mean, and the agreed text keeps the most decimals anyone entered."""
    distinct = set(values)
    if len(distinct) == 1:
        return True, distinct.pop()
    if None in distinct:
        return False, None
    try:
        numbers = {float(v) for v in distinct if v is not None}
    except ValueError:
        return False, None
    if len(numbers) != 1:
        return False, None
    return True, max((v for v in distinct if v is not None),
                     key=lambda v: (len(v.partition(".")[2]), v))


@dataclass(frozen=True)
class StudyProgress:
    study: str
    filled: dict[str, int]  # reviewer name -> fields with a value
    agreed: int
    open: int


def progress(store: Store) -> list[StudyProgress]:
    """Per study: how far each extractor got, what is agreed, what is still open."""
    with store.session() as s:
        mine = reviewer_values(s)
        names = {r.id: r.name for r in s.exec(select(models.Reviewer)).all()}
        merged = study_merge_map(s)
        labels = {st.id: st.label for st in s.exec(select(models.Study)).all()
                  if st.id not in merged}
    filled: dict[str, dict[str, int]] = {label: {} for label in labels.values()}
    for (sid, rid, _path), value in mine.items():
        if value is not None:
            row = filled[labels[sid]]
            row[names[rid]] = row.get(names[rid], 0) + 1
    rec = reconcile(store)
    open_by: dict[str, int] = {}
    for d in rec.discrepancies:
        open_by[d.study] = open_by.get(d.study, 0) + 1
    return [StudyProgress(label, dict(sorted(filled[label].items())),
                          len(rec.values.get(label, {})), open_by.get(label, 0))
            for label in sorted(filled)]
