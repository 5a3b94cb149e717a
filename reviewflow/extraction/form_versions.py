"""Keeping the form text in the store, one version per distinct text.

The review folder's ``extraction_form.toml`` is the editable copy; whenever its
text differs from the latest stored version a new version is stored, so every
value points at the exact form it was entered against.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

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
        return s.exec(
            select(models.ExtractionForm).order_by(col(models.ExtractionForm.id).desc())
        ).first()


def store_form_text(store: Store, text: str, source: str = FORM_FILE) -> tuple[int, Form]:
    """Store ``text`` as a new version unless it equals the latest; return (form id, form)."""
    form = parse_form(text, source)
    latest = latest_form_row(store)
    if latest is not None and latest.definition == text:
        return int(latest.id or 0), form
    version = (latest.version + 1) if latest is not None else 1
    row = models.ExtractionForm(name=form.name, version=version, definition=text)
    with store.write() as s:
        s.add(row)
        s.flush()
        form_id = int(row.id or 0)
    return form_id, form


def current_form(store: Store, folder: Path | None = None) -> tuple[int, Form]:
    """The form in force: the folder's file (stored if changed), else the latest stored,
    else the shipped RCT default (stored as version 1)."""
    path = folder / FORM_FILE if folder is not None else None
    if path is not None and path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ReviewflowError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        return store_form_text(store, text, str(path))
    latest = latest_form_row(store)
    if latest is not None:
        return int(latest.id or 0), parse_form(latest.definition, f"stored form v{latest.version}")
    return store_form_text(store, default_form_text(), "default form")


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
