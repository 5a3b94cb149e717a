"""CSV and Excel exports: PubMed CSV, Scopus CSV, Embase.com CSV, and any other table.

Python's ``csv`` module is correct on quoted multi-line fields (the Embase
"newpage" file, the ASySD CSVs) and fast, so we use it; pandas would guess
dtypes (PMIDs as floats, "NA" as missing) and lose the exact text. Excel goes
through ``openpyxl`` in read-only mode.

Known layouts are recognised by their header and mapped exactly; any other
table is read through column-name aliases (``Title``/``Article Title``/
``Document Title`` ...), and the user can pass ``mapping`` (``{"title":
"Headline", "authors": "Writers"}``) to name columns we cannot guess. Every
column of every row is kept in ``raw`` under its header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from reviewflow.errors import InputError
from reviewflow.formula_guard import restore
from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput
from reviewflow.records import ImportWarning, Record

FIELDS = (
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "page_start",
    "page_end",
    "doi",
    "pmid",
    "language",
    "keywords",
    "publication_type",
    "url",
    "issn",
    "accession",
    "translated_title",
)
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "item title", "primary title", "ti"),
    "abstract": ("abstract", "abstract note", "ab", "summary"),
    "authors": ("author full names", "authors", "author", "author names", "au", "creators"),
    "year": ("publication year", "year", "py", "pubyear", "date", "publication date"),
    "journal": (
        "journal",
        "source title",
        "publication title",
        "journal/book",
        "journal title",
        "publication",
        "secondary title",
        "so",
    ),
    "volume": ("volume", "journal volume", "vl"),
    "issue": ("issue", "number", "journal issue"),
    "pages": ("pages", "page", "pg"),
    "page_start": ("page start", "start page", "sp"),
    "page_end": ("page end", "end page", "ep"),
    "doi": ("doi", "item doi", "di"),
    "pmid": ("pmid", "pubmed id", "pubmed_id"),
    "language": ("language", "language of original document", "la"),
    "keywords": ("author keywords", "keywords", "manual tags", "kw"),
    "publication_type": ("document type", "item type", "content type", "publication type", "type"),
    "url": ("url", "link", "open url link"),
    "issn": ("issn",),
    "accession": ("eid", "accession number", "an", "ut (unique wos id)"),
    "translated_title": ("original title", "translated title"),
}
_AND = re.compile(r"\s+and\s+")
_SCOPUS_ID = re.compile(r"\s*\(\d+\)\s*$")
_PUBMED_CITATION = re.compile(
    r";\s*(?P<volume>[^(:;]+)?(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.;]+)"
)
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.*?)\s+\((?P<year>\d{4})\)\s+(?P<volume>[^:\s(]+)?(?::(?P<issue>[^\s(]+))?"
    r"(?:\s+\((?P<pages>[^)]*)\))?"
)


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse a CSV (comma, semicolon or tab separated)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(source, 1, "the table is empty")
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = ((line, [restore(cell) for cell in row]) for line, row in _numbered(reader))
    return parse_rows(rows, source, mapping)


def parse_excel(data: bytes, source: str, mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse the first sheet of an ``.xlsx`` workbook."""
    from openpyxl import load_workbook

    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged zip/xml
        raise InputError(source, None, f"not a readable Excel workbook ({exc})") from None
    if not values.worksheets:
        raise InputError(source, None, "the workbook has no sheet")
    notes: list[ImportWarning] = []
    rows = _excel_rows(values.worksheets[0], formulas.worksheets[0], notes)
    try:
        out = parse_rows(rows, source, mapping)
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet fails while its rows are read
        raise InputError(source, None, f"not a readable Excel workbook ({exc})") from None
    out.warnings[:0] = notes
    return out


def _excel_rows(values: Any, formulas: Any, notes: list[ImportWarning]
                ) -> Iterable[tuple[int, list[str]]]:
    """Cell texts; a formula cell keeps its stored value, else its formula text and a warning.

    openpyxl gives None for a formula no spreadsheet program has computed (a file
    written by a script), which made a title like ``=HYPERLINK(url, "Title")`` an
    untitled record without a word.
    """
    for number, (row, raw) in enumerate(zip(values.iter_rows(values_only=True),
                                            formulas.iter_rows(values_only=True),
                                            strict=False), 1):
        cells = []
        for i, cell in enumerate(row):
            source = raw[i] if i < len(raw) else None
            if cell is None and isinstance(source, str) and source.startswith("="):
                notes.append(ImportWarning(number, f"column {i + 1}: a formula with no stored "
                                           f"value; its text was kept ({source[:40]})"))
                cell = source
            cells.append("" if cell is None else restore(str(cell)))
        yield number, cells


class _RowError(csv.Error):
    """A CSV error that knows the line it happened on."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line


def _numbered(reader: csv._reader) -> Iterable[tuple[int, list[str]]]:
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the size limit: say where
            raise _RowError(start, str(exc)) from None
        yield start, row
        start = reader.line_num + 1


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


# Trial registers' CSV exports: their columns, by our field names. ClinicalTrials.gov
# has two layouts (the site before and after its 2023 redesign); WHO ICTRP one.
REGISTER_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "ctgov_csv": {
        "title": ("study title", "title"),
        "abstract": ("brief summary",),
        "accession": ("nct number",),
        "year": ("first posted", "study first posted", "start date"),
        "url": ("study url", "url"),
        "publication_type": ("study type",),
        "keywords": ("conditions",),
    },
    "ictrp_csv": {
        "title": ("public title", "scientific title"),
        "translated_title": (),
        "accession": ("trialid",),
        "year": ("date registration", "date_registration"),
        "url": ("web address",),
        "publication_type": ("study type",),
        "keywords": ("condition",),
    },
}
REGISTER_NAMES = {"ctgov_csv": "ClinicalTrials.gov", "ictrp_csv": "WHO ICTRP"}


def detect_layout(header: list[str]) -> str:
    """Which known export a header belongs to (``csv`` when none)."""
    names = {h.strip().lower() for h in header}
    if "nct number" in names and ({"study title", "title"} & names):
        return "ctgov_csv"
    if "trialid" in names and ({"public title", "scientific title"} & names):
        return "ictrp_csv"
    if {"pmid", "title", "authors", "citation"} <= names:
        return "pubmed_csv"
    if "eid" in names or ("source title" in names and "author(s) id" in names):
        return "scopus_csv"
    if any(name.startswith("emtree") for name in names) or {"author names", "source"} <= names:
        return "embase_csv"
    return "csv"


def parse_rows(
    rows: Iterable[tuple[int, list[str]]], source: str, mapping: dict[str, str] | None = None
) -> ReadOutput:
    """Records from numbered rows whose first row is the header."""
    iterator = iter(rows)
    try:
        _, header = next(iterator)
    except (StopIteration, csv.Error) as exc:
        raise InputError(source, 1, f"no header row ({exc or 'empty table'})") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    layout = detect_layout(header)
    columns = _columns(header, mapping, source, REGISTER_COLUMNS.get(layout))
    records: list[Record] = []
    warnings: list[ImportWarning] = []
    try:
        for line, row in iterator:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                warnings.append(
                    ImportWarning(line, f"row has {len(row)} cells, header has {len(header)}")
                )
            raw = {name: [value] for name, value in zip(header, row, strict=False) if name}
            records.append(_record(raw, columns, layout, len(records) + 1, line, warnings))
    except csv.Error as exc:
        raise InputError(source, getattr(exc, "line", None), f"CSV cannot be read ({exc})"
                         ) from None
    database = {"pubmed_csv": "PubMed", "scopus_csv": "Scopus", "embase_csv": "Embase",
                **REGISTER_NAMES}.get(layout)
    return ReadOutput(records, warnings, database)


def _columns(header: list[str], mapping: dict[str, str] | None, source: str,
             layout_columns: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """Field -> column: a known layout's own columns first, then the generic aliases."""
    by_lower = {h.lower(): h for h in header}
    columns: dict[str, str] = {}
    for fld, aliases in {**ALIASES, **(layout_columns or {})}.items():
        for alias in aliases:
            if alias in by_lower:
                columns[fld] = by_lower[alias]
                break
    for fld, column in (mapping or {}).items():
        if fld not in FIELDS:
            raise InputError(source, None, f"mapping names unknown field {fld!r}; known: {FIELDS}")
        if column not in header:
            raise InputError(source, 1, f"mapping column {column!r} is not in the header")
        columns[fld] = column
    if "title" not in columns:
        raise InputError(
            source, 1, "no title column found; name it with --mapping '{\"title\": ...}'"
        )
    return columns


def _record(
    raw: dict[str, list[str]],
    columns: dict[str, str],
    layout: str,
    position: int,
    line: int,
    warnings: list[ImportWarning],
) -> Record:
    def get(fld: str) -> str | None:
        column = columns.get(fld)
        value = raw.get(column, [""])[0] if column else ""
        return value if value and value.strip() and value.strip() != "NA" else None

    extra = _layout_fields(layout, raw)
    year = nz.parse_year(get("year")) or extra.get("year")
    if year is None:
        warnings.append(ImportWarning(line, "no year", position))
    return Record(
        title=nz.clean_text(get("title")),
        abstract=nz.clean_abstract(get("abstract")),
        authors=_authors(get("authors"), layout),
        year=year,
        journal=nz.clean_text(get("journal") or extra.get("journal")),
        volume=nz.clean_text(get("volume") or extra.get("volume")),
        issue=nz.clean_text(get("issue") or extra.get("issue")),
        pages=nz.expand_pages(get("pages") or extra.get("pages"))
        or nz.join_pages(get("page_start"), get("page_end")),
        doi=nz.normalise_doi(get("doi")),
        pmid=nz.normalise_pmid(get("pmid") or extra.get("pmid")),
        language=nz.clean_text(get("language")),
        keywords=nz.split_list(get("keywords"), "|" if layout in REGISTER_COLUMNS else ";"),
        publication_type=nz.clean_text(get("publication_type"))
        or ("Trial registration" if layout in REGISTER_COLUMNS else None),
        url=nz.clean_text(get("url")),
        issn=nz.clean_text(get("issn")),
        accession=nz.clean_text(get("accession")),
        translated_title=nz.clean_text(get("translated_title")),
        raw=raw,
        position=position,
        line=line,
    )


def _layout_fields(layout: str, raw: dict[str, list[str]]) -> dict:
    """Fields packed into one column by a known layout (citation strings, Zotero Extra)."""
    out: dict = {}
    if layout == "pubmed_csv":
        match = _PUBMED_CITATION.search(raw.get("Citation", [""])[0])
        if match:
            out.update({k: v for k, v in match.groupdict().items() if v})
    elif layout == "embase_csv":
        match = _EMBASE_SOURCE.match(raw.get("Source", [""])[0])
        if match:
            out.update({k: v for k, v in match.groupdict().items() if v})
            out["year"] = int(match.group("year"))
    extra = raw.get("Extra", [""])[0]
    if "PMID:" in extra:
        out["pmid"] = extra.split("PMID:", 1)[1].split()[0]
    return out


def _authors(value: str | None, layout: str) -> list[str]:
    if not value:
        return []
    value = value.strip().rstrip(".") if layout == "pubmed_csv" else value.strip()
    if ";" in value:
        names = [_SCOPUS_ID.sub("", name) for name in value.split(";")]
        return nz.normalise_authors(names)
    if " and " in value:  # BibTeX-style lists (bib-dedupe, Zotero-derived CSVs)
        return nz.normalise_authors(_AND.split(value))
    pieces = [piece.strip() for piece in value.split(",")]
    if len(pieces) > 1 and all(" " in piece for piece in pieces if piece):
        return nz.normalise_authors(pieces, given_first=layout == "csv")
    return nz.normalise_authors([value])
