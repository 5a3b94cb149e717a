"""Web of Science tagged plain text (``FN``/``PT J`` ... ``ER``/``EF``; our own parser).

This is the "Other reference software / Plain text / Full record" export, also
saved as ``.ciw`` or even ``.txt``/``.ris``; the Zoological Record and other
databases on the WoS platform write the same layout. No maintained Python
parser keeps the raw tags and line numbers (``rispy`` reads it only as a
special mode and loses multi-line ``AU`` lists' order guarantees), so we parse
it: two-character tags, continuation lines indented by three spaces (one value
per line for ``AU``/``AF``/``CR``, wrapped text elsewhere), a record ending at
``ER`` and the file at ``EF`` (often without a final newline).
"""

from __future__ import annotations

import re

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, every, first
from reviewflow.records import ImportWarning, Record

_LIST_TAGS = frozenset({"AU", "AF", "CR", "BA", "BF", "ED", "C1", "RI", "OI", "CA", "GP"})
_EMAIL = re.compile(r"\s*\([^()]*@[^()]*\)\s*")


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse WoS tagged text; list tags keep one value per continuation line."""
    raws, warnings, header = split_records(text)
    records = [to_record(raw, pos, line, warnings) for pos, (line, raw) in enumerate(raws, 1)]
    return ReadOutput(records, warnings, _database(header, raws))


def split_records(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list, str]:
    """Records with start lines, warnings, and the ``FN`` header text."""
    records: list[tuple[int, dict[str, list[str]]]] = []
    warnings: list[ImportWarning] = []
    header = ""
    raw: dict[str, list[str]] | None = None
    start, tag = 0, ""
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("   ") or line.startswith("\t"):
            if raw is not None and tag in raw:
                _continue(raw[tag], tag, line.strip())
            continue
        tag, value = line[:2], line[3:].rstrip()
        if raw is None:
            if tag == "PT":
                raw, start = {"PT": [value]}, number
            elif tag == "FN":
                header = value
            elif tag not in ("VR", "EF"):
                warnings.append(
                    ImportWarning(number, f"line outside a PT...ER record: {line[:40]!r}")
                )
            continue
        if tag == "ER":
            records.append((start, raw))
            raw = None
        elif tag == "EF":
            break
        elif tag in raw:
            raw[tag].append(value)
        else:
            raw[tag] = [value]
    if raw is not None:
        warnings.append(
            ImportWarning(
                start, "last record has no ER line (file truncated?); kept", len(records) + 1
            )
        )
        records.append((start, raw))
    return records, warnings, header


def _continue(values: list[str], tag: str, text: str) -> None:
    if tag in _LIST_TAGS:
        values.append(text)
    else:
        values[-1] = f"{values[-1]} {text}" if values[-1] else text


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map WoS tags onto a normalised :class:`Record`."""
    year = nz.parse_year(first(raw, "PY", "EA", "PD"))
    if year is None:
        warnings.append(ImportWarning(line, "no year (PY)", position))
    authors = [_EMAIL.sub(" ", name) for name in (every(raw, "AF") or every(raw, "AU"))]
    return Record(
        title=nz.clean_text(first(raw, "TI")),
        abstract=nz.clean_abstract(first(raw, "AB")),
        authors=nz.normalise_authors(authors),
        year=year,
        journal=nz.clean_text(first(raw, "SO")),
        volume=nz.clean_text(first(raw, "VL")),
        issue=nz.clean_text(first(raw, "IS")),
        pages=nz.join_pages(first(raw, "BP"), first(raw, "EP")) or nz.clean_text(first(raw, "AR")),
        doi=nz.normalise_doi(first(raw, "DI", "D2")),
        pmid=nz.normalise_pmid(first(raw, "PM")),
        language=nz.clean_text(first(raw, "LA")),
        keywords=nz.split_list("; ".join(every(raw, "DE", "ID")), ";"),
        publication_type=nz.clean_text(first(raw, "DT", "PT")),
        url=nz.clean_text(first(raw, "UR")),
        issn=nz.clean_text(first(raw, "SN", "EI")),
        accession=nz.clean_text(first(raw, "UT", "AN")),
        translated_title=None,
        raw=raw,
        position=position,
        line=line,
    )


def _database(header: str, raws: list[tuple[int, dict[str, list[str]]]]) -> str | None:
    accessions = [first(raw, "UT", "AN") or "" for _, raw in raws[:20]]
    if accessions and all(acc.startswith("ZOOR") for acc in accessions):
        return "Zoological Record (Web of Science)"
    if any(acc.startswith("WOS:") for acc in accessions) or "Web of Science" in header:
        return "Web of Science"
    return None
