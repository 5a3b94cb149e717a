"""Ovid's own tagged output (``<1. >`` record markers; our own parser).

Ovid writes this for its "EndNote" (``.cgi``) and "Citavi" (``.ovd``) direct
exports and for plain "Fields: Complete Reference" saves. No Python library
reads it. Records start at ``<N. >``; tags are padded (``VN  -``, ``DB  -``,
``UI  -``). Continuation lines are normally indented by six spaces, but the
EndNote flavour writes structured abstracts with *unindented* continuation
lines (``Method(s): ...``), so any non-tag line continues the previous field.
"""

from __future__ import annotations

import re

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, add, every, first
from reviewflow.records import ImportWarning, Record

_MARKER = re.compile(r"^<(\d+)\.\s*>\s*$")
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) +- ?(.*)$")
_SOURCE_JOURNAL = re.compile(r"^(?P<journal>[^.]+)\.")
_SOURCE_NUMBERS = re.compile(
    r"\s(?P<volume>\d+)\s*\((?P<issue>[^)]*)\)\s*(?:\((?P<pages>[^)]*)\))?,"
)
_LIST_TAGS = frozenset({"AU", "MH", "OD", "KW", "IN", "FA"})


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse Ovid tagged text."""
    raws, warnings = split_records(text)
    records = [to_record(raw, pos, line, warnings) for pos, (line, raw) in enumerate(raws, 1)]
    database = first(raws[0][1], "DB") if raws else None
    return ReadOutput(records, warnings, f"Ovid {database}" if database else "Ovid")


def split_records(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list[ImportWarning]]:
    """Records (with the marker line as start) and warnings."""
    records: list[tuple[int, dict[str, list[str]]]] = []
    warnings: list[ImportWarning] = []
    raw: dict[str, list[str]] | None = None
    start, last = 0, None
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        marker = _MARKER.match(line)
        if marker:
            if raw is not None:
                records.append((start, raw))
            raw, start, last = {"_number": [marker.group(1)]}, number, None
            continue
        if not line.strip():
            continue
        match = _TAG_LINE.match(line)
        if raw is None:
            warnings.append(ImportWarning(number, "text before the first <N. > record ignored"))
            continue
        if match and not line.startswith(" "):
            tag = match.group(1)
            add(raw, tag, match.group(2).rstrip())
            last = raw[tag]
        elif last is not None:
            last[-1] = f"{last[-1]}\n{line.strip()}"
    if raw is not None:
        records.append((start, raw))
    return records, warnings


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map Ovid tags onto a normalised :class:`Record`."""
    source = first(raw, "SO") or ""
    source = source.replace("\n", " ")
    journal = _SOURCE_JOURNAL.match(source)
    numbers = _SOURCE_NUMBERS.search(source)
    year = nz.parse_year(first(raw, "YR", "DP", "YE")) or nz.parse_year(source)
    if year is None:
        warnings.append(ImportWarning(line, "no year (YR)", position))
    return Record(
        title=nz.clean_text(first(raw, "TI")),
        abstract=nz.clean_abstract(first(raw, "AB")),
        authors=nz.normalise_authors(_lines(every(raw, "AU"))),
        year=year,
        journal=nz.clean_text(first(raw, "JN", "JT", "JA") or (journal and journal["journal"])),
        volume=nz.clean_text(first(raw, "VO", "VI") or (numbers and numbers["volume"])),
        issue=nz.clean_text(first(raw, "IP") or (numbers and numbers["issue"])),
        pages=nz.expand_pages(first(raw, "PG")),
        doi=nz.normalise_doi(first(raw, "DO", "DI")),
        pmid=nz.normalise_pmid(first(raw, "PM")) if first(raw, "PM") else _medline_pmid(raw),
        language=nz.clean_text(first(raw, "LG", "LA")),
        keywords=[k for k in (nz.clean_text(v) for v in _lines(every(raw, "KW", "MH"))) if k],
        publication_type=nz.clean_text(first(raw, "PT", "ST")),
        url=nz.clean_text(first(raw, "UR", "XL")),
        issn=nz.clean_text(first(raw, "IS")),
        accession=nz.clean_text(first(raw, "UI", "AN")),
        translated_title=nz.clean_text(first(raw, "OT")),
        raw=raw,
        position=position,
        line=line,
    )


def _lines(values: list[str]) -> list[str]:
    return [part for value in values for part in value.split("\n")]


def _medline_pmid(raw: dict[str, list[str]]) -> str | None:
    database = (first(raw, "DB") or "").lower()
    return nz.normalise_pmid(first(raw, "UI")) if "medline" in database else None
