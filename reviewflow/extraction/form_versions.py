"""Keeping the form text in the store, one version per distinct text.

The review folder's ``extraction_form.toml`` is the editable copy; whenever its
text differs from the latest stored version a new version is stored, so every
value points at the exact form it was entered against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import (
    FORM_FILE,
    Form,
    default_form_text,
    example_form_text,
    parse_form,
)
from reviewflow.store import models
from reviewflow.store.db import Store


def latest_form_row(store: Store) -> models.ExtractionForm | None:
    with store.session() as s:
        return _latest_row(s)


def _latest_row(session: Session) -> models.ExtractionForm | None:
    return session.exec(
        select(models.ExtractionForm).order_by(col(models.ExtractionForm.id).desc())
    ).first()


def store_form_text(*, session: Session, text: str, source: str = FORM_FILE
                    ) -> tuple[int, Form]:
    """Store ``text`` as a new version unless it equals the latest, in the caller's
    transaction; return (form id, form)."""
    form = parse_form(text, source)
    form_id = record_form(FormInForce(form, text, None), session=session)
    return int(form_id or 0), form


@dataclass(frozen=True)
class FormInForce:
    """The form in force as read, before anything is stored: a command that writes
    values records it (:func:`record_form`) in the same transaction as its writes, so
    a refused input leaves the store as it was."""

    form: Form
    text: str
    stored_id: int | None  # None: this text is not the latest stored version yet


FormRef = int | FormInForce | None


def form_in_force(store: Store, folder: Path | None = None) -> FormInForce:
    """The form in force: the folder's file, else the latest stored, else the shipped
    RCT default; read and parsed, never stored here."""
    with store.session() as s:
        return _in_force(s, folder)


def _in_force(session: Session, folder: Path | None) -> FormInForce:
    path = folder / FORM_FILE if folder is not None else None
    latest = _latest_row(session)
    if path is not None and path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ReviewflowError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        form = parse_form(text, str(path))
    elif latest is not None:
        text = latest.definition
        form = parse_form(text, f"stored form v{latest.version}")
    else:
        text = default_form_text()
        form = parse_form(text, "default form")
    same = latest is not None and latest.definition == text
    return FormInForce(form, text, int(latest.id or 0) if same and latest else None)


def record_form(ref: FormRef, *, session: Session) -> int | None:
    """The stored id of ``ref``, storing its text as the next version in the caller's
    transaction when it is not the latest yet."""
    if not isinstance(ref, FormInForce):
        return ref
    if ref.stored_id is not None:
        return ref.stored_id
    latest = _latest_row(session)
    if latest is not None and latest.definition == ref.text:
        return int(latest.id or 0)
    row = models.ExtractionForm(name=ref.form.name, definition=ref.text,
                                version=(latest.version + 1) if latest is not None else 1)
    session.add(row)
    session.flush()
    return int(row.id or 0)


def current_form(*, session: Session, folder: Path | None = None) -> tuple[int, Form]:
    """The form in force (see :func:`form_in_force`), stored in the caller's transaction
    as a new version if its text is not the latest stored one: for setting a review up
    in code. Commands and screens never call it; they pass the :class:`FormInForce` and
    record it with their first write, so reading the review never writes to it."""
    pending = _in_force(session, folder)
    form_id = record_form(pending, session=session)
    return int(form_id or 0), pending.form


def write_default_form(folder: Path, example: str | None = None) -> tuple[Path, bool]:
    """Copy the shipped generic form (or a worked example) into the review folder,
    never overwriting one already there (it may hold the review's edits).

    Returns the path and whether it was written now."""
    path = folder / FORM_FILE
    text = example_form_text(example) if example else default_form_text()
    if path.exists():
        return path, False
    path.write_text(text, encoding="utf-8")
    return path, True
