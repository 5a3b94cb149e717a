"""Write records as RIS, so a review's records can go back into any reference manager.

We write the *normalised* fields (one tag per value, pages split into
``SP``/``EP``), not the raw source tags: records imported from MEDLINE or CSV
have no RIS tags to replay, and normalised values are what the user screened.
Reading our output with :func:`reviewflow.importers.ris.parse` gives back the
same normalised records (tested), which is the round-trip the issue asks for.
The PMID goes in the 4-character ``PMID`` tag that PsycINFO also writes, which
our reader understands and other tools keep as an unknown tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from reviewflow.importers.normalize import join_pages
from reviewflow.records import Record

_RIS_TYPES = {
    "journal article": "JOUR",
    "article": "JOUR",
    "book": "BOOK",
    "book section": "CHAP",
    "chapter": "CHAP",
    "inbook": "CHAP",
    "incollection": "CHAP",
    "conference paper": "CPAPER",
    "inproceedings": "CPAPER",
    "conference proceedings": "CONF",
    "thesis": "THES",
    "phdthesis": "THES",
    "mastersthesis": "THES",
    "report": "RPRT",
    "techreport": "RPRT",
}
_RIS_TYPE = re.compile(r"^[A-Z]{2,6}$")
_RANGE = re.compile(r"^(\S+?)\s*-\s*(\S+)$")


def ris_type(publication_type: str | None) -> str:
    """The RIS ``TY`` for a record's publication type (``GEN`` when unknown)."""
    if not publication_type:
        return "GEN"
    if _RIS_TYPE.match(publication_type):
        return publication_type
    return _RIS_TYPES.get(publication_type.lower(), "GEN")


def write_ris(records: Iterable[Record], fh: TextIO, ids: Sequence[object] | None = None) -> int:
    """Write ``records`` to ``fh`` as RIS; ``ids`` (optional) go in ``ID``. Returns the count."""
    count = 0
    for index, record in enumerate(records):
        lines = _lines(record, None if ids is None else ids[index])
        fh.write("\n".join(lines))
        fh.write("\n\n")
        count += 1
    return count


def _lines(record: Record, record_id: object | None) -> list[str]:
    out = [f"TY  - {ris_type(record.publication_type)}"]

    def put(tag: str, value: object | None) -> None:
        if value is not None and str(value).strip():
            out.append(f"{tag}  - {_one_line(str(value))}")

    if record_id is not None:
        put("ID", record_id)
    put("TI", record.title)
    put("TT", record.translated_title)
    for author in record.authors:
        put("AU", author)
    put("PY", record.year)
    put("T2", record.journal)
    put("VL", record.volume)
    put("IS", record.issue)
    _put_pages(put, record.pages)
    put("DO", record.doi)
    if record.pmid:
        out.append(f"PMID  - {record.pmid}")
    put("AN", record.accession)
    put("SN", record.issn)
    put("LA", record.language)
    put("UR", record.url)
    for keyword in record.keywords:
        put("KW", keyword)
    put("AB", record.abstract)
    out.append("ER  - ")
    return out


def _put_pages(put: Callable[[str, object | None], None], pages: str | None) -> None:
    if not pages:
        return
    match = _RANGE.match(pages)
    # Split into SP/EP only when reading them back joins to the same text; anything
    # else ("1- 0", "iii-xi") goes out whole so the round trip keeps it as written.
    if match and join_pages(match.group(1), match.group(2)) == pages:
        put("SP", match.group(1))
        put("EP", match.group(2))
    else:
        put("SP", pages)


def _one_line(value: str) -> str:
    return " ".join(value.split()) if "\n" in value or "\r" in value else value.strip()
