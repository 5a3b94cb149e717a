"""The public entry point: one file in, a :class:`ParseResult` out, or a clear error.

Everything that is the same for all formats lives here so readers stay small:
reading bytes, refusing empty/binary files, decoding, detecting the format,
and turning "no records found" into an :class:`InputError` that names the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from pathlib import Path

from reviewflow.errors import InputError
from reviewflow.importers.base import Reader, ReadOutput, gc_paused
from reviewflow.importers.detect import detect_text
from reviewflow.importers.encoding import decode, is_probably_binary
from reviewflow.records import ImportWarning, ParseResult
from reviewflow.wording import plural


class _Readers(Mapping[str, Reader]):
    """Format name -> reader, each reader's module imported when a file needs it: a
    command reading one RIS file does not load the BibTeX, CNKI or XML readers
    (``reviewflow import`` of a small file answers in the time the CLI starts)."""

    def __init__(self, where: dict[str, tuple[str, str]]) -> None:
        self._where = where

    def __getitem__(self, name: str) -> Reader:
        module, function = self._where[name]
        reader: Reader = getattr(import_module(f"reviewflow.importers.{module}"), function)
        return reader

    def __contains__(self, name: object) -> bool:
        return name in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


READERS: Mapping[str, Reader] = _Readers({
    "ris": ("ris", "parse"),
    "medline": ("medline", "parse"),
    "ovid": ("ovid", "parse"),
    "wos": ("wos", "parse"),
    "endnote_xml": ("endnote_xml", "parse"),
    "endnote_tagged": ("endnote_tagged", "parse"),
    "bibtex": ("bibtex", "parse"),
    "noteexpress": ("chinese", "parse_noteexpress"),
    "cnki_estudy": ("chinese", "parse_estudy"),
    "pubmed_csv": ("tabular", "parse"),
    "scopus_csv": ("tabular", "parse"),
    "embase_csv": ("tabular", "parse"),
    "ctgov_csv": ("tabular", "parse"),
    "ictrp_csv": ("tabular", "parse"),
    "csv": ("tabular", "parse"),
})
FORMAT_ALIASES = {
    "nbib": "medline",
    "pubmed": "medline",
    "ciw": "wos",
    "wos_tagged": "wos",
    "enw": "endnote_tagged",
    "xml": "endnote_xml",
    "bib": "bibtex",
    "net": "noteexpress",
    "estudy": "cnki_estudy",
    "xlsx": "excel",
    "tsv": "csv",
}
FORMATS = sorted([*READERS, "excel"])
MAX_BYTES = 2 * 1024**3


def read_file(
    path: str | Path, *, format: str | None = None, mapping: dict[str, str] | None = None
) -> ParseResult:
    """Read one export file; raise :class:`InputError` when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read file ({exc.strerror or exc})") from None
    return read_bytes(data, name=str(path), format=format, mapping=mapping)


def read_bytes(
    data: bytes,
    *,
    name: str = "<bytes>",
    format: str | None = None,
    mapping: dict[str, str] | None = None,
) -> ParseResult:
    """Like :func:`read_file` for bytes already in memory (``name`` is for messages)."""
    fmt = _canonical(format, name)
    if not data.strip():
        raise InputError(name, None, "file is empty")
    if fmt == "excel" or (fmt is None and data[:4] == b"PK\x03\x04"):
        from reviewflow.importers.tabular import parse_excel

        out = parse_excel(data, name, mapping)
        return _result(out, "excel", "xlsx", name)
    if is_probably_binary(data):
        raise InputError(name, None, "file is binary, not a text export")
    text, encoding = decode(data)
    text, nul_note = _without_nul(text)
    fmt = fmt or detect_text(text, name)
    if fmt == "unknown":
        raise InputError(
            name, 1, f"format not recognised; pass --format (one of: {', '.join(FORMATS)})"
        )
    with gc_paused():
        out = READERS[fmt](text, name, mapping)
    if encoding == "cp1252":
        out.warnings.insert(0, ImportWarning(None, "not valid UTF-8; read as Windows-1252"))
    if nul_note is not None:
        out.warnings.insert(0, nul_note)
    return _result(out, fmt, encoding, name)


def _without_nul(text: str) -> tuple[str, ImportWarning | None]:
    """The text with NUL characters removed, and a warning saying where the first was.

    PostgreSQL cannot store NUL in text and SQLite can; removing them here, before
    any backend sees the records, makes a review import the same on both (a NUL
    in the first 8 KB already marks the file binary and refuses it).
    """
    first = text.find("\x00")
    if first < 0:
        return text, None
    count = text.count("\x00")
    line = text.count("\n", 0, first) + 1
    return text.replace("\x00", ""), ImportWarning(
        line, f"{plural(count, 'NUL character')} removed (first on line {line}); they are not text")


def _canonical(format: str | None, name: str) -> str | None:
    if format is None:
        return None
    fmt = FORMAT_ALIASES.get(format.lower(), format.lower())
    if fmt not in READERS and fmt != "excel":
        raise InputError(name, None, f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    return fmt


def _result(out: ReadOutput, fmt: str, encoding: str, name: str) -> ParseResult:
    if not out.records:
        raise InputError(name, None, f"no records found (read as {fmt})")
    if fmt in ("pubmed_csv", "scopus_csv", "embase_csv", "ctgov_csv", "ictrp_csv", "csv") \
            and out.database is None:
        fmt = "csv"
    return ParseResult(out.records, fmt, encoding, out.database, out.warnings)
