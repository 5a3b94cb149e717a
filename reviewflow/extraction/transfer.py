"""Spreadsheet import/export against the store (the layout is in ``spreadsheet``).

Import is all-or-nothing: the whole file is validated first and written in one
transaction, so a bad cell never leaves half a spreadsheet in the review.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction import studies as study_store
from reviewflow.extraction.form import Form
from reviewflow.extraction.spreadsheet import read_sheet, validate_rows, write_sheet
from reviewflow.extraction.studies import list_studies
from reviewflow.extraction.values import (
    Reconciled,
    append_values,
    check_values,
    reconcile,
    reviewer_values,
)
from reviewflow.screening.decisions import get_or_create_reviewer
from reviewflow.store import models
from reviewflow.store.db import Store


def dataset_of(store: Store, reviewer: str | None) -> tuple[dict[str, dict[str, str]],
                                                             Reconciled | None]:
    """One reviewer's values, or (reviewer None) the reconciled dataset."""
    if reviewer is None:
        rec = reconcile(store)
        return rec.values, rec
    with store.session() as s:
        who = s.exec(select(models.Reviewer).where(models.Reviewer.name == reviewer)).first()
        if who is None:
            raise ReviewflowError(f"no reviewer called {reviewer!r}")
        mine = reviewer_values(s)
    labels = {st.id: st.label for st in list_studies(store)}
    out: dict[str, dict[str, str]] = {}
    for (sid, rid, path), value in mine.items():
        if rid == who.id and value is not None:
            out.setdefault(labels[sid], {})[path] = value
    return out, None


def export_extraction(store: Store, form: Form, out: Path, fmt: str,
                      reviewer: str | None = None) -> tuple[int, Reconciled | None]:
    if fmt not in ("csv", "xlsx"):
        raise ReviewflowError(f"unknown format {fmt!r}; use csv or xlsx")
    values, rec = dataset_of(store, reviewer)
    return write_sheet(out, fmt, form, values), rec


def import_extraction(store: Store, form: Form, form_id: int | None, path: Path,
                      reviewer: str, *, create_studies: bool = False) -> tuple[int, int]:
    """Validate and store a reviewer's spreadsheet; returns (rows read, values written).

    Nothing at all (not even the reviewer's name) is stored when a cell is bad.
    """
    rows = read_sheet(path)
    entries = validate_rows(form, rows, str(path))
    studies = {st.label.lower(): st.id for st in list_studies(store)}
    missing = sorted({e.study for e in entries if e.study.lower() not in studies},
                     key=str.lower)
    if missing and not create_studies:
        first = next(e for e in entries if e.study in missing)
        raise ReviewflowError(
            f"{path}: row {first.row}, field study: unknown study {first.study!r} "
            f"({len(missing)} unknown in all); create them with --create-studies "
            "or 'reviewflow extraction study add'")
    try:
        # ONE transaction: the reviewer, the new studies and every value, or none of
        # them (a kill or a failure leaves the store as it was).
        with store.write() as s:
            reviewer_id = int(get_or_create_reviewer(s, reviewer).id or 0)
            made = study_store.add_studies(s, missing)
            studies |= {label.lower(): sid for label, sid in made.items()}
            checked = check_values(form, [(studies[e.study.lower()], e.path, e.value)
                                          for e in entries])
            written = append_values(s, form_id, reviewer_id, checked)
    except IntegrityError:
        raise ReviewflowError("a study with one of these labels was added meanwhile; "
                              "run the import again") from None
    return len(rows), written
