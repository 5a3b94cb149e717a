"""PubMed MEDLINE / ``.nbib`` text (our own parser).

No maintained Python MEDLINE parser is in our dependencies (Biopython's
``Medline`` would pull in all of Biopython and keeps no line numbers), and the
format is simple: a tag padded to four characters, ``"- "``, the value, and
continuation lines indented by six spaces. Records are separated by blank
lines; a new ``PMID-`` also starts a record, so a missing blank line cannot
merge two articles. ERIC's ``.nbib`` (``OWN - ERIC``, no PMID) is read the same.
"""

from __future__ import annotations

import re

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, add, every, first
from reviewflow.records import ImportWarning, Record

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- ?(.*)$")
_DOI_SUFFIX = re.compile(r"\s*\[doi\]\s*$", re.IGNORECASE)


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse MEDLINE text; each record keeps its tags as written in ``raw``."""
    raws, warnings = split_records(text)
    records = [to_record(raw, pos, line, warnings) for pos, (line, raw) in enumerate(raws, 1)]
    owners = {first(raw, "OWN") for _, raw in raws[:20]}
    database = "ERIC" if owners == {"ERIC"} else "PubMed"
    return ReadOutput(records, warnings, database)


def split_records(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list[ImportWarning]]:
    """Tag/value dicts per record with the line each starts on."""
    records: list[tuple[int, dict[str, list[str]]]] = []
    warnings: list[ImportWarning] = []
    raw: dict[str, list[str]] = {}
    start = 0
    last: list[str] | None = None
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if not line.strip():
            if raw:
                records.append((start, raw))
            raw, last = {}, None
            continue
        if line[0] == " ":
            if last is None:
                warnings.append(ImportWarning(number, "indented line outside a field ignored"))
            else:
                last[-1] = f"{last[-1]} {line.strip()}"
            continue
        match = _TAG_LINE.match(line)
        if match is None:
            if last is not None:  # unindented continuation: keep the text
                last[-1] = f"{last[-1]} {line.strip()}"
            else:
                warnings.append(
                    ImportWarning(number, f"line is not a MEDLINE field: {line[:40]!r}")
                )
            continue
        tag, value = match.group(1), match.group(2).rstrip()
        if tag == "PMID" and "PMID" in raw:
            records.append((start, raw))
            raw = {}
        if not raw:
            start = number
        add(raw, tag, value)
        last = raw[tag]
    if raw:
        records.append((start, raw))
    return records, warnings


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map MEDLINE tags onto a normalised :class:`Record`."""
    year = nz.parse_year(first(raw, "DP", "DEP", "EDAT"))
    if year is None:
        warnings.append(ImportWarning(line, "no year (DP)", position))
    authors = every(raw, "FAU") or every(raw, "AU")
    return Record(
        title=nz.clean_text(first(raw, "TI", "BTI")),
        abstract=nz.clean_abstract(first(raw, "AB")),
        authors=nz.normalise_authors(authors + every(raw, "CN")),
        year=year,
        journal=nz.clean_text(first(raw, "JT", "TA")),
        volume=nz.clean_text(first(raw, "VI")),
        issue=nz.clean_text(first(raw, "IP")),
        pages=nz.expand_pages(first(raw, "PG")),
        doi=_doi(raw),
        pmid=nz.normalise_pmid(first(raw, "PMID")),
        language=nz.clean_text(first(raw, "LA")),
        keywords=[k for k in (nz.clean_text(v) for v in every(raw, "OT", "MH")) if k],
        publication_type=nz.clean_text(first(raw, "PT")),
        url=None,
        issn=_issn(first(raw, "IS", "ISSN")),
        accession=nz.clean_text(first(raw, "OID")),
        translated_title=nz.clean_text(first(raw, "TT")),
        raw=raw,
        position=position,
        line=line,
    )


def _doi(raw: dict[str, list[str]]) -> str | None:
    for value in every(raw, "LID", "AID"):
        if "[doi]" in value or "doi.org" in value:
            doi = nz.normalise_doi(_DOI_SUFFIX.sub("", value))
            if doi:
                return doi
    return None


def _issn(value: str | None) -> str | None:
    if not value:
        return None
    return nz.clean_text(value.split("(")[0].replace("ISSN-", ""))
