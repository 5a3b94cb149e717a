"""Keeping the form text in the store, one version per distinct text.

The review folder's ``extraction_form.toml`` is the editable copy; whenever its
text differs from the latest stored version a new version is stored, so every
value points at the exact form it was entered against.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import (
    FORM_FILE,
    Form,
    default_form_text,
    example_form_text,
    parse_form,
)
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # showing the form reads through the read seam, without the ORM
    from sqlmodel import Session

    from reviewflow.store.db import Store


@dataclass(frozen=True)
class StoredForm:
    """The latest stored version of the form text."""

    id: int
    version: int
    definition: str


def latest_form_row(store: Store) -> StoredForm | None:
    with store.session() as s:
        return _read_latest(session_reader(s))


def _read_latest(reader: Reader) -> StoredForm | None:
    found = reader.rows("SELECT id, version, definition FROM extraction_form "
                        "ORDER BY id DESC LIMIT 1")
    return StoredForm(*found[0]) if found else None


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
    """:func:`read_form_in_force` in one session."""
    with store.session() as s:
        return read_form_in_force(session_reader(s), folder)


def read_form_in_force(reader: Reader, folder: Path | None = None) -> FormInForce:
    """The form in force: the folder's file, else the latest stored, else the shipped
    RCT default; read and parsed, never stored here."""
    path = folder / FORM_FILE if folder is not None else None
    latest = _read_latest(reader)
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
    return FormInForce(form, text, latest.id if same and latest else None)


def store_form(ref: FormRef, *, writer: Writer) -> int | None:
    """The stored id of ``ref``, storing its text as the next version in the caller's
    transaction when it is not the latest yet."""
    if not isinstance(ref, FormInForce):
        return ref
    if ref.stored_id is not None:
        return ref.stored_id
    latest = _read_latest(writer.reader)
    if latest is not None and latest.definition == ref.text:
        return latest.id
    return writer.insert("extraction_form", name=ref.form.name, definition=ref.text,
                         version=(latest.version + 1) if latest is not None else 1)


def record_form(ref: FormRef, *, session: Session) -> int | None:
    """:func:`store_form` in a session."""
    return store_form(ref, writer=session_writer(session))


def current_form(*, session: Session, folder: Path | None = None) -> tuple[int, Form]:
    """The form in force (see :func:`form_in_force`), stored in the caller's transaction
    as a new version if its text is not the latest stored one: for setting a review up
    in code. Commands and screens never call it; they pass the :class:`FormInForce` and
    record it with their first write, so reading the review never writes to it."""
    pending = read_form_in_force(session_reader(session), folder)
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
