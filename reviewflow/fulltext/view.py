"""A record's full text as the screens show it: file, pages, where the PDF is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from reviewflow.fulltext.pdftext import TextLayer
from reviewflow.fulltext.state import Status, fulltext_states, pages_of
from reviewflow.fulltext.storage import resolve
from reviewflow.store import models


@dataclass(frozen=True)
class FullTextView:
    record_id: int
    file_name: str
    path: Path | None  # None when the review folder is unknown (a --db-only store)
    pages: tuple[str, ...]
    text_layer: TextLayer


def fulltext_view(session: Session, record_ids: Iterable[int],
                  folder: Path | None) -> FullTextView | None:
    """The first of ``record_ids`` (a study's reports, primary first) with an attached PDF."""
    states = fulltext_states(session)
    for rid in record_ids:
        state = states.get(rid)
        if state is None or state.status is not Status.ATTACHED or state.file_id is None:
            continue
        row = session.get(models.FullTextFile, state.file_id)
        if row is None:
            continue
        path = resolve(row.stored_as, row.mode, folder, row.sha256) if folder is not None \
            else Path(row.stored_as) if row.mode == "link" else None
        return FullTextView(rid, row.original_name, path, tuple(pages_of(session, row.id or 0)),
                            TextLayer(row.text_layer))
    return None


def has_fulltext(session: Session, record_id: int) -> bool:
    state = fulltext_states(session).get(record_id)
    return state is not None and state.status is Status.ATTACHED
