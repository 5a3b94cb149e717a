"""Recognise an export's format from its content (file names lie).

WoS tagged files arrive named ``.ris`` or ``.ciw``, RIS arrives as ``.txt``,
Ovid's tagged output as ``.cgi``/``.ovd``. So detection reads the first
kilobytes and looks for each format's unmistakable marks, most specific first;
the extension only breaks ties between table formats.
"""

from __future__ import annotations

import re
from pathlib import Path

from reviewflow.importers.encoding import decode
from reviewflow.importers.tabular import detect_layout

_RIS_TY = re.compile(r"^TY {1,2}- ?", re.MULTILINE)
_WOS = re.compile(r"^(?:FN .*\n(?:VR .*\n)?)?PT [A-Z]\s*$", re.MULTILINE)
_OVID = re.compile(r"^<\d+\.\s*>\s*$", re.MULTILINE)
_MEDLINE = re.compile(r"^(?:PMID|OWN |STAT)- ", re.MULTILINE)
_MEDLINE_TAGS = re.compile(r"^[A-Z]{2,4} ?- ", re.MULTILINE)
_ENDNOTE = re.compile(r"^%[0ATDJ] ", re.MULTILINE)
_NOTEEXPRESS = re.compile(r"^\{(?:Reference Type|Title|Author)\}[:：]", re.MULTILINE)
_ESTUDY = re.compile(r"^DataType[:：]\s*\d", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_ENDNOTE_XML = re.compile(r"<xml>\s*<records>|<records>\s*<record>")

FORMATS_BY_EXTENSION = {".xlsx": "excel", ".xlsm": "excel"}


def detect_format(source: str | Path | bytes, name: str | None = None) -> str:
    """Format name for a path or raw bytes (``name`` helps only for tables)."""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        name = name or path.name
        with path.open("rb") as fh:
            data = fh.read(65536)
    if data[:4] == b"PK\x03\x04":
        return "excel"
    text, _ = decode(data[:65536])
    return detect_text(text, name)


def detect_text(text: str, name: str | None = None) -> str:
    """Format name for decoded text; ``unknown`` when nothing matches."""
    head = text[:65536].lstrip("\ufeff")
    checks = (
        ("endnote_xml", _ENDNOTE_XML),
        ("cnki_estudy", _ESTUDY),
        ("noteexpress", _NOTEEXPRESS),
        ("ovid", _OVID),
        ("wos", _WOS),
        ("ris", _RIS_TY),
    )
    for fmt, pattern in checks:
        if pattern.search(head):
            return fmt
    if _MEDLINE.search(head) and len(_MEDLINE_TAGS.findall(head)) >= 3:
        return "medline"
    if _ENDNOTE.search(head):
        return "endnote_tagged"
    if _BIBTEX.search(head):
        return "bibtex"
    return _table_format(head, name)


def _table_format(head: str, name: str | None) -> str:
    first_line = head.split("\n", 1)[0]
    separators = sum(first_line.count(sep) for sep in (",", ";", "\t"))
    suffix = Path(name).suffix.lower() if name else ""
    if separators >= 1 and (suffix in (".csv", ".tsv", ".txt", "") or separators >= 3):
        import csv

        header = next(csv.reader([first_line], delimiter=_guess_sep(first_line)))
        return detect_layout(header)
    return "unknown"


def _guess_sep(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep])
