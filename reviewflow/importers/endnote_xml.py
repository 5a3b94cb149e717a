"""EndNote XML (written by EndNote, Zotero, Mendeley; stdlib ElementTree).

The standard library's ElementTree is correct and fast here (C accelerated);
no third-party parser is needed. What needs care: every value may be wrapped in
``<style face=... font=... size=...>`` (EndNote) or not (Zotero, Mendeley), so
values are read with ``itertext()``; EndNote writes ``&#xD;`` for line breaks
inside fields; the file is often one single line, so the "line" of a record is
found from the offset of its ``<record>`` tag. A malformed file (truncated
download) raises :class:`InputError` with the line the XML parser stopped at.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from reviewflow.errors import InputError
from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, add, every, first, line_of, line_starts
from reviewflow.records import ImportWarning, Record

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTAINERS = frozenset(
    {
        "record",
        "contributors",
        "authors",
        "secondary-authors",
        "tertiary-authors",
        "subsidiary-authors",
        "translated-authors",
        "titles",
        "periodical",
        "alt-periodical",
        "keywords",
        "dates",
        "pub-dates",
        "urls",
        "related-urls",
        "pdf-urls",
        "web-urls",
        "image-urls",
        "foreign-keys",
    }
)
_PUBMED_PROVIDERS = ("nlm", "pubmed", "medline")


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse EndNote XML into records (``raw`` keys are the XML element names)."""
    body = _DECLARATION.sub("", text, count=1)
    offset = len(text) - len(body)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        line = exc.position[0] if hasattr(exc, "position") else None
        raise InputError(source, line, f"EndNote XML is not well-formed ({exc})") from None
    starts = line_starts(text)
    offsets = [m.start() + offset for m in re.finditer(r"<record[\s>]", body)]
    warnings: list[ImportWarning] = []
    records = []
    for position, element in enumerate(root.iter("record"), 1):
        line = line_of(starts, offsets[position - 1]) if position <= len(offsets) else 1
        records.append(to_record(_flatten(element), position, line, warnings))
    database = None
    if records:
        database = first(records[0].raw, "remote-database-name", "remote-database-provider")
    return ReadOutput(records, warnings, "PubMed" if database == "NLM" else database)


def _flatten(record: ET.Element) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {}
    stack = list(record)[::-1]
    while stack:
        element = stack.pop()
        if element.tag in _CONTAINERS:
            stack.extend(list(element)[::-1])
            continue
        value = "".join(element.itertext()).replace("\r", "\n").strip()
        add(raw, element.tag, value)
        name = element.get("name")
        if name and element.tag == "ref-type":
            add(raw, "ref-type-name", name)
    return raw


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map EndNote XML elements onto a normalised :class:`Record`."""
    year = nz.parse_year(first(raw, "year", "date"))
    if year is None:
        warnings.append(ImportWarning(line, "no year (<dates><year>)", position))
    return Record(
        title=nz.clean_text(first(raw, "title")),
        abstract=nz.clean_abstract(first(raw, "abstract")),
        authors=nz.normalise_authors(every(raw, "author")),
        year=year,
        journal=nz.clean_text(first(raw, "full-title", "secondary-title", "abbr-1")),
        volume=nz.clean_text(first(raw, "volume")),
        issue=nz.clean_text(first(raw, "number", "issue")),
        pages=nz.expand_pages(first(raw, "pages")),
        doi=nz.normalise_doi(first(raw, "electronic-resource-num")),
        pmid=_pmid(raw),
        language=nz.clean_text(first(raw, "language")),
        keywords=[k for k in (nz.clean_text(v) for v in every(raw, "keyword")) if k],
        publication_type=nz.clean_text(first(raw, "ref-type-name")),
        url=nz.clean_text(first(raw, "url")),
        issn=nz.clean_text(first(raw, "isbn")),
        accession=nz.clean_text(first(raw, "accession-num")),
        translated_title=nz.clean_text(first(raw, "translated-title")),
        raw=raw,
        position=position,
        line=line,
    )


def _pmid(raw: dict[str, list[str]]) -> str | None:
    """Accession numbers are PMIDs only when the record says it came from PubMed."""
    accession = (first(raw, "accession-num") or "").strip()
    provider = (first(raw, "remote-database-provider", "remote-database-name") or "").lower()
    if accession.isdigit() and any(name in provider for name in _PUBMED_PROVIDERS):
        return nz.normalise_pmid(accession)
    for url in every(raw, "url"):
        if "ncbi.nlm.nih.gov/pubmed/" in url or "pubmed.ncbi.nlm.nih.gov/" in url:
            return nz.normalise_pmid(url.rstrip("/").rsplit("/", 1)[-1])
    return None
