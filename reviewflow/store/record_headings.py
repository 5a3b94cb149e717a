"""What a listing shows of a record (titles, language, year, journal), read through the
read seam: conflicts, dedup's queue and related pairs name records by these lines,
and answer without the ORM (issue 22)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reviewflow.store.reader import Reader
from reviewflow.titles import titles_of

_CHUNK = 500  # ids per IN (...) list: far below every driver's parameter limit


@dataclass(frozen=True)
class RecordHeading:
    """A record as one line of a listing."""

    id: int
    title: str | None
    translated_title: str | None
    language: str | None
    year: int | None
    journal: str | None

    def line(self, width: int | None = None) -> str:
        """Original-language title, then English, then the language (as ``titles_of``)."""
        return titles_of(self.title, self.translated_title, self.language).line(width)


def read_record_headings(reader: Reader, ids: Iterable[int]) -> dict[int, RecordHeading]:
    """The headings of the records ``ids`` (ids with no record are left out)."""
    wanted = sorted(set(ids))
    found: dict[int, RecordHeading] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        for row in reader.rows("SELECT id, title, translated_title, language, year, journal "
                               f"FROM record WHERE id IN ({', '.join('?' for _ in chunk)})",
                               chunk):
            found[row[0]] = RecordHeading(*row)
    return found
