"""EndNote tagged / Refer (``%0``, ``%A``, ``%T``; ``.enw``; our own parser).

No maintained Python package reads it. A record is a block of ``%X value``
lines separated by blank lines; ``%0`` (the reference type) is usually first
but not always: the AIS eLibrary export starts records with ``%T`` and omits
``%0`` in most of them, so records are split on blank lines, never on ``%0``.
"""

from __future__ import annotations

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, add, every, first
from reviewflow.records import ImportWarning, Record


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse EndNote tagged text."""
    raws, warnings = split_records(text)
    records = [to_record(raw, pos, line, warnings) for pos, (line, raw) in enumerate(raws, 1)]
    return ReadOutput(records, warnings, None)


def split_records(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list[ImportWarning]]:
    """Blank-line separated ``%X`` blocks with their start lines."""
    records: list[tuple[int, dict[str, list[str]]]] = []
    warnings: list[ImportWarning] = []
    raw: dict[str, list[str]] = {}
    start, last = 0, None
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if not line.strip():
            if raw:
                records.append((start, raw))
            raw, last = {}, None
            continue
        if line.startswith("%") and len(line) >= 2 and (len(line) == 2 or line[2] == " "):
            if not raw:
                start = number
            tag = line[:2]
            add(raw, tag, line[3:].rstrip())
            last = raw[tag]
        elif last is not None:
            last[-1] = f"{last[-1]}\n{line.strip()}"
        else:
            warnings.append(ImportWarning(number, f"line is not an EndNote field: {line[:40]!r}"))
    if raw:
        records.append((start, raw))
    return records, warnings


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map EndNote tags onto a normalised :class:`Record`."""
    year = nz.parse_year(first(raw, "%D", "%8"))
    if year is None:
        warnings.append(ImportWarning(line, "no year (%D)", position))
    keywords = [part for value in every(raw, "%K") for part in value.split("\n")]
    return Record(
        title=nz.clean_text(first(raw, "%T")),
        abstract=nz.clean_abstract(first(raw, "%X")),
        authors=nz.normalise_authors(every(raw, "%A")),
        year=year,
        journal=nz.clean_text(first(raw, "%J", "%B")),
        volume=nz.clean_text(first(raw, "%V")),
        issue=nz.clean_text(first(raw, "%N")),
        pages=nz.expand_pages(first(raw, "%P")),
        doi=nz.normalise_doi(first(raw, "%R")),
        pmid=None,
        language=nz.clean_text(first(raw, "%G")),
        keywords=[k for k in (nz.clean_text(v) for v in keywords) if k],
        publication_type=nz.clean_text(first(raw, "%0")),
        url=nz.clean_text(first(raw, "%U")),
        issn=nz.clean_text(first(raw, "%@")),
        accession=nz.clean_text(first(raw, "%M")),
        translated_title=None,
        raw=raw,
        position=position,
        line=line,
    )
