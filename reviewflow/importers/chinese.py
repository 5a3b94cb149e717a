"""CNKI and Wanfang exports: NoteExpress ``{Field}: value`` and CNKI E-Study text.

No Python package reads either, so both parsers are ours.

NoteExpress (CNKI ``.net``, Wanfang ``.NET``): one ``{Field}: value`` per line,
records separated by one or two blank lines. CNKI joins repeated values with
``;;`` in one field (and sometimes Chinese author names with ``,``); Wanfang
repeats the field and adds ``{Translated Title}``/``{Translated Author}``. A
value may wrap onto a line without ``{`` (a line break inside an address), and
titles may contain the full-width colon ``：``, so we split only on ``}:``.

CNKI E-Study: ``Key-中文名: value`` lines; each record starts at ``DataType:``
with no blank line between records; fields may be missing (no ``Year-年``:
fall back to ``PubTime-出版时间``); abstracts begin with ``<正>``; author lists
end with ``;``.

Chinese names are kept exactly as written (no "Family, Given" reordering: the
family name already comes first); English names in these exports are written
given-name first and are reordered.
"""

from __future__ import annotations

import re

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, add, every, first
from reviewflow.records import ImportWarning, Record

_CJK = re.compile(r"[\u3400-\u9fff]")
_ESTUDY_KEY = re.compile(r"^(DataType|[A-Za-z]+-[^:：\s]+)[:：]\s?(.*)$")


def _names(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for piece in value.split(";"):
            if _CJK.search(piece):
                out.extend(re.split(r"[,，、]", piece))
            else:
                out.append(piece)
    return nz.normalise_authors([name for name in out if name.strip()], given_first=True)


def _keywords(values: list[str]) -> list[str]:
    return nz.split_list(";".join(values), ";；")


# ---------------------------------------------------------------- NoteExpress


def parse_noteexpress(
    text: str, source: str = "<text>", mapping: dict[str, str] | None = None
) -> ReadOutput:
    """Parse a CNKI/Wanfang NoteExpress file."""
    raws, warnings = _split_noteexpress(text)
    records = [_noteexpress_record(raw, p, line, warnings) for p, (line, raw) in enumerate(raws, 1)]
    return ReadOutput(records, warnings, _noteexpress_database(raws))


def _noteexpress_database(raws: list[tuple[int, dict[str, list[str]]]]) -> str | None:
    providers = " ".join(first(raw, "Database Provider") or "" for _, raw in raws[:20])
    if "万方" in providers or "wanfang" in providers.lower():
        return "Wanfang"
    if "CNKI" in providers.upper() or "知网" in providers:
        return "CNKI"
    return None


def _field_end(line: str) -> int:
    """Index of the ``}`` closing a ``{Field}:`` (ASCII or full-width colon), else -1."""
    if not line.startswith("{"):
        return -1
    close = line.find("}")
    return close if close > 0 and line[close + 1 : close + 2] in (":", "：") else -1


def _split_noteexpress(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list]:
    """Blank lines do not end a record on their own: CNKI writes runs of blank
    lines *inside* an address field. After a gap, a new record starts only at
    ``{Reference Type}`` or at a field the current record already has."""
    records: list[tuple[int, dict[str, list[str]]]] = []
    warnings: list[ImportWarning] = []
    raw: dict[str, list[str]] = {}
    start, last, gap = 0, None, False
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if not line.strip():
            gap = True
            continue
        close = _field_end(line)
        if close > 0:
            key = line[1:close].rstrip(",")
            if raw and (key == "Reference Type" or (gap and key in raw)):
                records.append((start, raw))
                raw = {}
            if not raw:
                start = number
            add(raw, key, line[close + 2 :].strip())
            last = raw[key]
        elif last is not None:
            last[-1] = f"{last[-1]}\n{line.strip()}"
        else:
            warnings.append(ImportWarning(number, f"line is not a {{Field}}: {line[:40]!r}"))
        gap = False
    if raw:
        records.append((start, raw))
    return records, warnings


def _noteexpress_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    year = nz.parse_year(first(raw, "Year", "Date"))
    if year is None:
        warnings.append(ImportWarning(line, "no year ({Year})", position))
    return Record(
        title=nz.clean_text(first(raw, "Title")),
        abstract=nz.clean_abstract(first(raw, "Abstract")),
        authors=_names(every(raw, "Author")),
        year=year,
        journal=nz.clean_text(first(raw, "Journal", "Secondary Title")),
        volume=nz.clean_text(first(raw, "Volume")),
        issue=nz.clean_text(first(raw, "Issue")),
        pages=nz.expand_pages(first(raw, "Pages")),
        doi=nz.normalise_doi(first(raw, "DOI")),
        pmid=None,
        language=nz.clean_text(first(raw, "Language")),
        keywords=_keywords(every(raw, "Keywords")),
        publication_type=nz.clean_text(first(raw, "Reference Type")),
        url=nz.clean_text(first(raw, "URL")),
        issn=nz.clean_text(first(raw, "ISBN/ISSN", "ISBN")),
        accession=None,
        translated_title=nz.clean_text(first(raw, "Translated Title")),
        raw=raw,
        position=position,
        line=line,
    )


# ---------------------------------------------------------------- CNKI E-Study


def parse_estudy(
    text: str, source: str = "<text>", mapping: dict[str, str] | None = None
) -> ReadOutput:
    """Parse a CNKI E-Study export (records start at ``DataType:``)."""
    records: list[Record] = []
    warnings: list[ImportWarning] = []
    raw: dict[str, list[str]] | None = None
    start, last = 0, None
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), 1):
        if not line.strip():
            continue
        match = _ESTUDY_KEY.match(line)
        if match and match.group(1) == "DataType":
            if raw is not None:
                records.append(_estudy_record(raw, len(records) + 1, start, warnings))
            raw, start = {}, number
        if raw is None:
            warnings.append(ImportWarning(number, "text before the first DataType: ignored"))
            continue
        if match:
            key = match.group(1)
            add(raw, key, match.group(2).strip())
            last = raw[key]
        elif last is not None:
            last[-1] = f"{last[-1]}\n{line.strip()}"
    if raw is not None:
        records.append(_estudy_record(raw, len(records) + 1, start, warnings))
    return ReadOutput(records, warnings, "CNKI")


def _estudy_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    def get(name: str) -> str | None:
        return next((v[0] for k, v in raw.items() if k.split("-", 1)[0] == name and v), None)

    year = nz.parse_year(get("Year") or get("PubTime"))
    if year is None:
        warnings.append(ImportWarning(line, "no year (Year-年 / PubTime-出版时间)", position))
    return Record(
        title=nz.clean_text(get("Title")),
        abstract=nz.clean_abstract(get("Summary")),
        authors=_names([get("Author") or ""]),
        year=year,
        journal=nz.clean_text(get("Source")),
        volume=nz.clean_text(get("Roll")),
        issue=nz.clean_text(get("Period")),
        pages=nz.expand_pages(get("Page")),
        doi=nz.normalise_doi(get("DOI")),
        pmid=None,
        language=None,
        keywords=_keywords([get("Keyword") or ""]),
        publication_type=nz.clean_text(get("SrcDatabase")),
        url=nz.clean_text(get("Link")),
        issn=nz.clean_text(get("ISSN")),
        accession=None,
        translated_title=None,
        raw=raw,
        position=position,
        line=line,
    )
