"""Stored records as plain :class:`~reviewflow.records.Record` objects, read through the
read seam: ``export records`` writes them without importing the ORM (issue 22)."""

from __future__ import annotations

import json
from collections.abc import Collection

from reviewflow.records import Record
from reviewflow.store.reader import Reader

_COLUMNS = ("title", "abstract", "authors_json", "year", "journal", "volume", "issue", "pages",
            "doi", "pmid", "language", "keywords_json", "publication_type", "url", "issn",
            "accession", "translated_title")


def read_records(reader: Reader, ids: Collection[int] | None = None
                 ) -> list[tuple[int, Record]]:
    """Every stored record with its id (or those of ``ids``), by id."""
    if ids is not None and not ids:
        return []
    out = []
    where = "" if ids is None else f" WHERE id IN ({', '.join('?' for _ in ids)})"
    for rid, *values in reader.rows(f"SELECT id, {', '.join(_COLUMNS)} FROM record{where} "
                                    "ORDER BY id", tuple(ids or ())):
        row = dict(zip(_COLUMNS, values, strict=True))
        row["authors"] = json.loads(row.pop("authors_json") or "[]")
        row["keywords"] = json.loads(row.pop("keywords_json") or "[]")
        out.append((rid, Record(**row)))
    return out


def read_sources(reader: Reader) -> dict[int, list[str]]:
    """record -> the databases of the imports it came from (one per provenance row)."""
    sources: dict[int, list[str]] = {}
    for record_id, database in reader.rows(
            'SELECT p.record_id, i."database" FROM record_provenance AS p '
            "JOIN search_import AS i ON i.id = p.import_id ORDER BY p.id"):
        sources.setdefault(record_id, []).append(database)
    return sources
