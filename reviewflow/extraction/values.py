"""Extracted values: writing them, and the session wrappers of their readers.

What a reviewer's value is, what consensus settles and what counts as agreed is
read in :mod:`reviewflow.extraction.reconcile` (over the read seam, SQL held once);
here those readers run in a session's transaction, so a write sees its own rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import Form, normalise_value
from reviewflow.extraction.form_versions import FormRef, store_form
from reviewflow.extraction.reconcile import (
    Discrepancy,
    Key,
    Reconciled,
    StudyProgress,
    read_consensus_values,
    read_progress,
    read_reconciled,
    read_reviewer_values,
    same_value,
)
from reviewflow.store.reader import session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the session wrappers (TUI, PostgreSQL); the write seam never loads it
    from sqlmodel import Session

    from reviewflow.store.db import Store

__all__ = ["Discrepancy", "Key", "Reconciled", "StudyProgress", "consensus_values",
           "progress", "reconcile", "resolve", "reviewer_values", "same_value", "set_value",
           "set_values", "write_consensus", "write_values"]


def reviewer_values(session: Session, study_id: int | None = None, *,
                    as_merged: bool = True) -> dict[Key, str | None]:
    """Each reviewer's current value per (study, reviewer, path); later rows win."""
    return read_reviewer_values(session_reader(session), study_id, as_merged=as_merged)


def consensus_values(session: Session, study_id: int | None = None, *,
                     as_merged: bool = True) -> dict[tuple[int, str], str | None]:
    return read_consensus_values(session_reader(session), study_id, as_merged=as_merged)


def write_values(*, writer: Writer, form: Form, form_id: FormRef, reviewer_id: int,
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
    rows: list[tuple[int, str, str | None]] = []
    if consensus:
        current = {(sid, reviewer_id, p): v
                   for (sid, p), v in read_consensus_values(writer.reader).items()}
    else:
        current = read_reviewer_values(writer.reader)
    for study_id, path, value in checked:
        key = (study_id, reviewer_id, path)
        if key not in current and value is None or current.get(key, "\0") == value:
            continue
        rows.append((study_id, path, value))
        current[key] = value
    if rows:
        stored_id = store_form(form_id, writer=writer)  # only when values change
        now = datetime.now(UTC)  # one action, one time
        writer.insert_many(
            "extraction_value",
            ("study_id", "form_id", "reviewer_id", "field_path", "value", "is_consensus", "at"),
            [(study_id, stored_id, reviewer_id, path, value, consensus, now)
             for study_id, path, value in rows])
    return len(rows)


def set_values(*, session: Session, form: Form, form_id: FormRef, reviewer_id: int,
               entries: Iterable[tuple[int, str, str | None]], consensus: bool = False) -> int:
    """:func:`write_values` in a session (the TUI, the demo, PostgreSQL)."""
    return write_values(writer=session_writer(session), form=form, form_id=form_id,
                        reviewer_id=reviewer_id, entries=entries, consensus=consensus)


def set_value(*, session: Session, form: Form, form_id: FormRef, study_id: int,
              reviewer_id: int, path: str, value: str | None) -> str | None:
    """Save one field (the TUI saves each field as it is left); returns the stored text."""
    set_values(session=session, form=form, form_id=form_id, reviewer_id=reviewer_id,
               entries=[(study_id, path, value)])
    return reviewer_values(session, study_id).get((study_id, reviewer_id, path))


def write_consensus(*, writer: Writer, form: Form, form_id: FormRef, study_id: int,
                    reviewer_id: int, path: str, value: str | None) -> None:
    """Settle a field by consensus (or arbiter): the value analyses will use."""
    form.field_def(path)
    write_values(writer=writer, form=form, form_id=form_id, reviewer_id=reviewer_id,
                 entries=[(study_id, path, value)], consensus=True)


def resolve(*, session: Session, form: Form, form_id: FormRef, study_id: int,
            reviewer_id: int, path: str, value: str | None) -> None:
    """:func:`write_consensus` in a session."""
    write_consensus(writer=session_writer(session), form=form, form_id=form_id,
                    study_id=study_id, reviewer_id=reviewer_id, path=path, value=value)


def reconcile(store: Store) -> Reconciled:
    """Consensus, else agreement of every extractor of the study; else a discrepancy."""
    with store.session() as s:
        return read_reconciled(session_reader(s))


def progress(store: Store) -> list[StudyProgress]:
    """Per study: how far each extractor got, what is agreed, what is still open."""
    with store.session() as s:
        return read_progress(session_reader(s))
