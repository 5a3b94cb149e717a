"""Spreadsheet import/export against the store (the layout is in ``spreadsheet``).

Import is all-or-nothing: the whole file is validated first and written in the
caller's one transaction, so a bad cell never leaves half a spreadsheet in the review.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.extraction import studies as study_store
from reviewflow.extraction.form import Form
from reviewflow.extraction.form_versions import FormRef
from reviewflow.extraction.spreadsheet import read_sheet, validate_rows, write_sheet
from reviewflow.extraction.studies import list_studies
from reviewflow.extraction.values import Reconciled, reconcile, reviewer_values, write_values
from reviewflow.review_state.load import read_review_state, read_study_links
from reviewflow.screening.decisions import require_person
from reviewflow.store.reader import session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the export and the session wrapper; the write seam never loads it
    from sqlmodel import Session

    from reviewflow.store.db import Store


def dataset_of(store: Store, reviewer: str | None) -> tuple[dict[str, dict[str, str]],
                                                             Reconciled | None]:
    """One reviewer's values, or (reviewer None) the reconciled dataset."""
    if reviewer is None:
        rec = reconcile(store)
        return rec.values, rec
    with store.session() as s:
        who = session_reader(s).scalar("SELECT id FROM reviewer WHERE name = ?", (reviewer,))
        if who is None:
            raise ReviewflowError(f"no reviewer called {reviewer!r}")
        mine = reviewer_values(s)
    labels = {st.id: st.label for st in list_studies(store)}
    out: dict[str, dict[str, str]] = {}
    for (sid, rid, path), value in mine.items():
        if rid == who and value is not None:
            out.setdefault(labels[sid], {})[path] = value
    return out, None


def export_extraction(store: Store, form: Form, out: Path, fmt: str,
                      reviewer: str | None = None) -> tuple[int, Reconciled | None]:
    if fmt not in ("csv", "xlsx"):
        raise ReviewflowError(f"unknown format {fmt!r}; use csv or xlsx")
    values, rec = dataset_of(store, reviewer)
    return write_sheet(out, fmt, form, values), rec


def write_import(*, writer: Writer, form: Form, form_id: FormRef, path: Path,
                 reviewer: str, create_studies: bool = False) -> tuple[int, int]:
    """Validate and store a reviewer's spreadsheet in the caller's transaction (studies,
    links and values, or nothing); returns (rows read, values written).

    Nothing at all (not even the reviewer's name) is added when a cell is bad.
    """
    reader = writer.reader
    rows = read_sheet(path)
    refs = [study_store.ReportRef(row.get("study", "").strip(), i,
                                  *(str(row.get(c) or "") for c in study_store.REFERENCE_COLUMNS))
            for i, row in enumerate(rows, start=2)]
    entries = validate_rows(form, [{k: v for k, v in row.items()
                                    if k not in study_store.REFERENCE_COLUMNS} for row in rows],
                            str(path))
    studies = {label.lower(): sid for sid, label, _rids, _ in read_study_links(reader)}
    missing = sorted({e.study for e in entries if e.study.lower() not in studies},
                     key=str.lower)
    if missing and not create_studies:
        first = next(e for e in entries if e.study in missing)
        raise ReviewflowError(
            f"{path}: row {first.row}, field study: unknown study {first.study!r} "
            f"({len(missing)} unknown in all); create them with --create-studies "
            "or 'reviewflow extraction study add'")
    reviewer_id = require_person(reader, reviewer).id
    if missing:
        named = {}  # per new study, the first row that names a report (else its first row)
        for r in refs:
            if r.label in missing and (r.label not in named or not any(
                    (named[r.label].record_id, named[r.label].doi, named[r.label].title))):
                named[r.label] = r
        wanted = list(named.values())
        links = study_store.link_targets(reader=reader, state=read_review_state(reader),
                                         refs=wanted, source=str(path))
        made = study_store.write_studies(writer=writer, links=links)
        studies |= {label.lower(): sid for label, sid in made.items()}
    written = write_values(writer=writer, form=form, form_id=form_id, reviewer_id=reviewer_id,
                           entries=[(studies[e.study.lower()], e.path, e.value)
                                    for e in entries])
    return len(rows), written


def import_extraction(*, session: Session, form: Form, form_id: FormRef, path: Path,
                      reviewer: str, create_studies: bool = False) -> tuple[int, int]:
    """:func:`write_import` in a session (the demo, PostgreSQL)."""
    return write_import(writer=session_writer(session), form=form, form_id=form_id,
                        path=path, reviewer=reviewer, create_studies=create_studies)
