"""RIS in all the dialects databases write (our own parser, not ``rispy``).

Why not ``rispy``: on the real exports it loses data we must keep. It raises on
text before the first ``TY`` unless told to skip it, maps tags to its own names
(so the original tags are not kept as written), drops continuation lines of
EndNote's one-keyword-per-line ``KW`` blocks into the previous keyword, and does
not read the 4-character ``PMID  -`` tag some PsycINFO exports carry. This
parser is a single pass over lines with a fast path for the usual ``XX  - ``
shape, measured faster than ``rispy`` on the same 100k-record file
(``bench/bench_import.py``).

Dialects handled: Ovid, Scopus, Web of Science RIS, EBSCO, ProQuest, Lens,
PubMed via EndNote/Zotero/Mendeley, JSTOR/PsycINFO preambles
(``Provider:/Database:/Content:``), ``Record #1 of 2`` headers, ``ER`` with or
without a trailing space, records separated by blank lines or nothing,
unindented or indented continuation lines, and a record left open at the end of
the file (kept, with a warning).
"""

from __future__ import annotations

import re

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, first
from reviewflow.records import ImportWarning, Record

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {1,2}-(?: (.*)|\s*)$")
_PREAMBLE = re.compile(
    r"^(?:Provider:|Database:|Content:|Record #\d+|\d+\.\s*$|\s*$)", re.IGNORECASE
)
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_UPPER_DIGIT = _UPPER | frozenset("0123456789")

KNOWN_TAGS = frozenset(
    re.findall(
        r"\w+",
        """
TY ER A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DO
DP ED EP ET ID IS J1 J2 JA JF JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NV OP PB PP
PY RI RN RP SE SN SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2 PMID PU PI PA
J9 JI WE FX FU MA NL AI TS M4 DI
""",
    )
)
_MULTI_LINE_LISTS = ("KW", "AU", "A1")  # EndNote writes one item per continuation line


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse RIS text into records (see module docstring for the dialects)."""
    raws, warnings, preamble = split_records(text)
    records = []
    for position, (line, raw) in enumerate(raws, 1):
        records.append(to_record(raw, position, line, warnings))
    from reviewflow.importers.database import guess_ris_database

    return ReadOutput(records, warnings, guess_ris_database(raws, preamble))


def split_records(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list, str]:
    """Tag/value dicts per record with their start line, warnings, preamble text."""
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    records: list[tuple[int, dict[str, list[str]]]] = []
    warnings: list[ImportWarning] = []
    preamble: list[str] = []
    unknown: dict[str, int] = {}
    raw: dict[str, list[str]] | None = None
    start = 0
    values: list[str] | None = None
    stray_line = 0
    for number, line in enumerate(text.split("\n"), 1):
        if (
            len(line) > 4
            and line[2:5] == "  -"
            and line[0] in _UPPER
            and line[1] in _UPPER_DIGIT
            and (len(line) == 5 or line[5] == " ")
        ):
            tag, value = line[:2], line[6:].rstrip()
        else:
            match = _TAG_LINE.match(line) if line and line[0] in _UPPER else None
            if match is None:
                if raw is not None:
                    if values is not None and line.strip():
                        values[-1] = f"{values[-1]}\n{line.strip()}" if values[-1] else line.strip()
                elif not _PREAMBLE.match(line):
                    stray_line = stray_line or number
                else:
                    preamble.append(line)
                continue
            tag, value = match.group(1), (match.group(2) or "").rstrip()
        if raw is None:
            if tag != "TY":
                stray_line = stray_line or number
                continue
            if stray_line:
                warnings.append(_stray_warning(stray_line))
                stray_line = 0
            raw, start = {"TY": [value]}, number
            values = raw["TY"]
            continue
        if tag == "ER":
            records.append((start, raw))
            raw = values = None
            continue
        if tag == "TY":
            warnings.append(
                ImportWarning(
                    start, "record has no ER line; ended at the next TY", len(records) + 1
                )
            )
            records.append((start, raw))
            raw, start = {"TY": [value]}, number
            values = raw["TY"]
            continue
        if tag not in KNOWN_TAGS:
            unknown[tag] = unknown.get(tag, 0) + 1
        values = raw.get(tag)
        if values is None:
            values = raw[tag] = [value]
        else:
            values.append(value)
    if raw is not None:
        warnings.append(
            ImportWarning(
                start, "last record has no ER line (file truncated?); kept", len(records) + 1
            )
        )
        records.append((start, raw))
    if stray_line:
        warnings.append(_stray_warning(stray_line))
    for tag, count in unknown.items():
        warnings.append(
            ImportWarning(None, f"unknown RIS tag {tag!r} ({count}x), kept in raw fields")
        )
    return records, warnings, "\n".join(preamble)


def _stray_warning(line: int) -> ImportWarning:
    return ImportWarning(line, "text outside any TY...ER record ignored")


def _list_values(raw: dict[str, list[str]], *tags: str) -> list[str]:
    out: list[str] = []
    for tag in tags:
        for value in raw.get(tag, ()):
            if "\n" in value:
                out.extend(value.split("\n"))
            elif value:
                out.append(value)
    return out


def to_record(
    raw: dict[str, list[str]], position: int, line: int, warnings: list[ImportWarning]
) -> Record:
    """Map RIS tags onto a normalised :class:`Record` (raw tags kept as written)."""
    year_text = first(raw, "PY", "Y1", "DA")
    year = nz.parse_year(year_text)
    if year is None:
        for tag in ("Y1", "DA"):
            year = nz.parse_year(first(raw, tag))
            if year:
                break
    if year is None:
        problem = f"year unreadable ({year_text!r})" if year_text else "no year"
        warnings.append(ImportWarning(line, problem, position))
    abstracts = raw.get("AB") or raw.get("N2") or ()
    return Record(
        title=nz.clean_text(first(raw, "TI", "T1", "CT", "BT", "ST")),
        abstract=nz.clean_abstract(" ".join(abstracts)) if abstracts else None,
        authors=nz.normalise_authors(_list_values(raw, "AU", "A1")),
        year=year,
        journal=nz.clean_text(first(raw, "JF", "T2", "JO", "J2", "JA", "J1")),
        volume=nz.clean_text(first(raw, "VL", "VO")),
        issue=nz.clean_text(first(raw, "IS")),
        pages=nz.join_pages(first(raw, "SP"), first(raw, "EP")),
        doi=_doi(raw),
        pmid=_pmid(raw),
        language=nz.clean_text(first(raw, "LA")),
        keywords=[k for k in (nz.clean_text(v) for v in _list_values(raw, "KW")) if k],
        publication_type=nz.clean_text(first(raw, "TY")),
        url=nz.clean_text(first(raw, "UR")),
        issn=nz.clean_text(first(raw, "SN")),
        accession=nz.clean_text(first(raw, "AN")),
        translated_title=nz.clean_text(first(raw, "TT")),
        raw=raw,
        position=position,
        line=line,
    )


def _doi(raw: dict[str, list[str]]) -> str | None:
    doi = nz.normalise_doi(first(raw, "DO", "DI"))
    if doi:
        return doi
    for tag in ("M3", "L3", "N1"):
        value = first(raw, tag)
        if value and (value.startswith("10.") or value.lower().startswith("doi")):
            doi = nz.normalise_doi(value)
            if doi:
                return doi
    for url in [*raw.get("UR", ()), *raw.get("L2", ())]:
        if "doi.org/" in url:
            return nz.normalise_doi(url)
    return None


def _pmid(raw: dict[str, list[str]]) -> str | None:
    pmid = first(raw, "PMID")
    if pmid:
        return nz.normalise_pmid(pmid)
    accession = first(raw, "AN")
    if accession and accession.strip().isdigit() and first(raw, "DP") in ("NLM", "PubMed"):
        return nz.normalise_pmid(accession)
    for url in [*raw.get("L2", ()), *raw.get("UR", ())]:
        if "ncbi.nlm.nih.gov/pubmed/" in url or "pubmed.ncbi.nlm.nih.gov/" in url:
            return nz.normalise_pmid(url.rstrip("/").rsplit("/", 1)[-1])
    return None
