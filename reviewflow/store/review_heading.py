"""The review row as a report or a summary of findings heads its pages, read through the
read seam (``report`` and ``grade sof`` answer without the ORM on SQLite, issue 22)."""

from __future__ import annotations

from dataclasses import dataclass

from reviewflow.errors import ReviewflowError
from reviewflow.store.reader import Reader


@dataclass(frozen=True)
class ReviewHeading:
    title: str
    question: str | None


def read_review_heading(reader: Reader) -> ReviewHeading:
    found = reader.rows("SELECT title, question FROM review ORDER BY id LIMIT 1")
    if not found:
        raise ReviewflowError("the store has no review row")
    return ReviewHeading(*found[0])
