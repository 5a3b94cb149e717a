"""Records as matching sees them."""

from __future__ import annotations

from reviewflow.fulltext.matching import RecordKey
from reviewflow.records import Record


def record_key(record_id: int, record: Record) -> RecordKey:
    return RecordKey(record_id=record_id, title=record.title,
                     translated_title=record.translated_title, doi=record.doi,
                     pmid=record.pmid, first_author=record.authors[0] if record.authors else None,
                     year=record.year)
