"""BibTeX (Zotero, Scopus, WoS, ACM, DBLP, EBSCO, Wiley ... exports) via ``bibtexparser`` 2.

``bibtexparser`` is correct on the real files (nested braces, ``@string``,
BOM and blank lines before ``@``, multi-line values) and we use it as is; it
runs at a few thousand entries per second, enough for BibTeX exports. Two
things we add: an entry with a repeated field (Scopus writes two ``keywords``)
comes back from it as a "failed" block, which we still read, keeping every
value and warning; any other block it cannot parse is an :class:`InputError`
naming its line, because dropping it would silently lose a record. LaTeX
escapes (``{\\"o}``) are decoded not with ``pylatexenc`` (a bibtexparser
dependency, too slow here) but by :func:`detex`, in record fields only: ``raw``
keeps every value exactly as written.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import bibtexparser
from bibtexparser.model import DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from reviewflow.errors import InputError
from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, add, every, first
from reviewflow.records import ImportWarning, Record

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse BibTeX; ``raw`` keeps ``ENTRYTYPE``, ``ID`` and every field (lower-cased)."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # its problems come back to us as blocks; we report them
    try:
        library = bibtexparser.parse_string(text.lstrip("\ufeff"))
    finally:
        logger.setLevel(level)
    records: list[Record] = []
    warnings: list[ImportWarning] = []
    for block in library.blocks:
        entry = _entry_of(block, source, warnings)
        if entry is None:
            continue
        raw: dict[str, list[str]] = {"ENTRYTYPE": [entry.entry_type], "ID": [entry.key]}
        for fld in entry.fields:
            add(raw, fld.key.lower(), str(fld.value))
        line = (entry.start_line or 0) + 1
        records.append(to_record(raw, len(records) + 1, line, warnings))
    sources = {first(r.raw, "source") for r in records[:20]} - {None}
    database = sources.pop() if len(sources) == 1 else None
    if database is None and any("scopus.com" in (r.url or "") for r in records[:5]):
        database = "Scopus"
    return ReadOutput(records, warnings, database)


def _entry_of(block: object, source: str, warnings: list[ImportWarning]) -> Entry | None:
    if isinstance(block, Entry):
        return block
    if isinstance(block, DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        line = (block.start_line or 0) + 1
        keys = ", ".join(sorted(block.duplicate_keys))
        warnings.append(ImportWarning(line, f"entry repeats field(s) {keys}; all values kept"))
        return entry
    if isinstance(block, ParsingFailedBlock):
        line = (block.start_line or 0) + 1
        raise InputError(source, line, f"BibTeX entry cannot be parsed ({block.error})")
    return None


_ACCENTS = {
    "'": "\u0301",
    '"': "\u0308",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_ACCENT = re.compile(r"""\\(['"`^~=.]|[uvHckr](?=\s*\{))\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z]))""")
_SYMBOLS = {
    "\\&": "&",
    "\\%": "%",
    "\\_": "_",
    "\\$": "$",
    "\\#": "#",
    "\\ss": "\u00df",
    "\\o": "\u00f8",
    "\\O": "\u00d8",
    "\\aa": "\u00e5",
    "\\AA": "\u00c5",
    "\\ae": "\u00e6",
    "\\AE": "\u00c6",
    "\\l": "\u0142",
    "\\L": "\u0141",
    "\\i": "i",
    "\\textendash": "\u2013",
    "\\textemdash": "\u2014",
    "~": " ",
}
_SYMBOL = re.compile(
    "|".join(
        re.escape(k) + (r"(?![A-Za-z])" if k[-1].isalpha() else "")
        for k in sorted(_SYMBOLS, key=len, reverse=True)
    )
)
_FORMAT_COMMAND = re.compile(
    r"\\(?:textit|textbf|emph|textsc|textrm|mathrm|textsuperscript|"
    r"textsubscript|url|mbox)\s*(?=\{)"
)


def detex(value: str) -> str:
    """Decode the LaTeX that reference managers write (accents, escapes, braces).

    Our own small table instead of ``pylatexenc``: on the Zotero BibTeX file
    pylatexenc took 10 s for 300 values, this takes milliseconds, and the
    accents and escapes below are all that exporters produce. Unknown commands
    are left as written (the raw field always keeps the original).
    """
    if "\\" in value:
        value = _SYMBOL.sub(lambda m: _SYMBOLS[m.group(0)], _FORMAT_COMMAND.sub("", value))
        value = _ACCENT.sub(_accent, value)
        value = unicodedata.normalize("NFC", value)
    elif "~" in value:
        value = value.replace("~", " ")
    if "{" in value or "}" in value:
        value = value.replace("{", "").replace("}", "")
    return value


def _accent(match: re.Match[str]) -> str:
    letter = match.group(2) or match.group(3)
    return letter + _ACCENTS[match.group(1)]


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map BibTeX fields onto a normalised :class:`Record` (LaTeX decoded)."""
    fields = {key: [detex(value) for value in values] for key, values in raw.items()}
    year = nz.parse_year(first(fields, "year", "date"))
    if year is None:
        warnings.append(ImportWarning(line, "no year", position))
    authors = [name for value in every(fields, "author") for name in _AND.split(value)]
    keywords = nz.split_list("; ".join(every(fields, "keywords", "author_keywords")), ";,")
    return Record(
        title=nz.clean_text(first(fields, "title")),
        abstract=nz.clean_abstract(first(fields, "abstract")),
        authors=nz.normalise_authors(authors),
        year=year,
        journal=nz.clean_text(first(fields, "journal", "journaltitle", "booktitle")),
        volume=nz.clean_text(first(fields, "volume")),
        issue=nz.clean_text(first(fields, "number", "issue")),
        pages=nz.expand_pages((first(fields, "pages") or "").replace("--", "-")),
        doi=nz.normalise_doi(first(fields, "doi")),
        pmid=nz.normalise_pmid(first(fields, "pmid", "pubmed")),
        language=nz.clean_text(first(fields, "language")),
        keywords=keywords,
        publication_type=nz.clean_text(first(fields, "ENTRYTYPE")),
        url=nz.clean_text(first(fields, "url")),
        issn=nz.clean_text(first(fields, "issn")),
        accession=nz.clean_text(first(fields, "unique-id", "eprint", "accession")),
        translated_title=None,
        raw=raw,
        position=position,
        line=line,
    )
