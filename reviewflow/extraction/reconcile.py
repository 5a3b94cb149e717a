"""Reconciling extracted values, read through the read seam (no ORM).

The latest row per (study, reviewer, field) is that reviewer's value; an empty
value clears it. A consensus row (``is_consensus``) settles a field for the
study whatever the reviewers wrote. The reconciled dataset that analyses use is
the consensus value where one exists, else the value every extractor agrees on;
a field only one person extracted is a discrepancy too (dual extraction means
two people saw every number).

This module holds the SQL once and takes a :class:`~reviewflow.store.reader.Reader`
so ``extraction status`` answers without importing SQLAlchemy (issue 22);
:mod:`reviewflow.extraction.values` wraps it for session callers and writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewflow.store.reader import Reader
from reviewflow.store.study_merges import members, read_study_merge_map, regroup

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


@dataclass(frozen=True)
class StudyProgress:
    study: str
    filled: dict[str, int]  # reviewer name -> fields with a value
    agreed: int
    open: int


def _latest(reader: Reader, *, consensus: bool, study_id: int | None = None,
            as_merged: bool = True) -> list[tuple[int, ...]]:
    """(study, reviewer, path, value) rows in write order; plain tuples, because a review
    holds tens of thousands of values.

    A study merged into another reads as that study (``as_merged``): its rows stay
    where they were written and an unmerge gives them back.
    """
    merges = read_study_merge_map(reader) if as_merged else {}
    sql = ("SELECT study_id, reviewer_id, field_path, value FROM extraction_value "
           "WHERE is_consensus = ?")
    params: list[object] = [consensus]
    if study_id is not None:
        ids = sorted(members(merges, study_id))
        sql += f" AND study_id IN ({', '.join('?' for _ in ids)})"
        params += ids
    return regroup(merges, reader.rows(sql + " ORDER BY id", params))


def read_reviewer_values(reader: Reader, study_id: int | None = None, *,
                         as_merged: bool = True) -> dict[Key, str | None]:
    """Each reviewer's current value per (study, reviewer, path); later rows win."""
    return {(sid, rid, path): value  # type: ignore[misc]
            for sid, rid, path, value in _latest(reader, consensus=False, study_id=study_id,
                                                 as_merged=as_merged)}


def read_consensus_values(reader: Reader, study_id: int | None = None, *,
                          as_merged: bool = True) -> dict[tuple[int, str], str | None]:
    return {(sid, path): value  # type: ignore[misc]
            for sid, _rid, path, value in _latest(reader, consensus=True, study_id=study_id,
                                                  as_merged=as_merged)}


def _names(reader: Reader) -> dict[int, str]:
    return dict(reader.rows("SELECT id, name FROM reviewer"))  # type: ignore[arg-type]


def _labels(reader: Reader) -> dict[int, str]:
    return dict(reader.rows("SELECT id, label FROM study"))  # type: ignore[arg-type]


def read_reconciled(reader: Reader) -> Reconciled:
    """Consensus, else agreement of every extractor of the study; else a discrepancy."""
    mine = read_reviewer_values(reader)
    agreed = read_consensus_values(reader)
    names, labels = _names(reader), _labels(reader)
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
                    for r in sorted(extractors.get(sid, ()), key=lambda i: names.get(i, ""))}
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


def read_progress(reader: Reader) -> list[StudyProgress]:
    """Per study: how far each extractor got, what is agreed, what is still open (all
    read in the reader's one snapshot)."""
    mine = read_reviewer_values(reader)
    names = _names(reader)
    merged = read_study_merge_map(reader)
    labels = {sid: label for sid, label in _labels(reader).items() if sid not in merged}
    filled: dict[str, dict[str, int]] = {label: {} for label in labels.values()}
    for (sid, rid, _path), value in mine.items():
        if value is not None:
            row = filled[labels[sid]]
            row[names[rid]] = row.get(names[rid], 0) + 1
    rec = read_reconciled(reader)
    open_by: dict[str, int] = {}
    for d in rec.discrepancies:
        open_by[d.study] = open_by.get(d.study, 0) + 1
    return [StudyProgress(label, dict(sorted(filled[label].items())),
                          len(rec.values.get(label, {})), open_by.get(label, 0))
            for label in sorted(filled)]
