"""RIS in all the dialects databases write (our own parser, not ``rispy``).

Why not ``rispy`` (0.10, checked on every real RIS file in the corpus): it
reads the same record counts, but it renames tags to its own field names, so
the original tags are not kept as written; it files the 4-character
``PMID  -`` tag that PsycINFO writes as an unparsed line under
``unknown_tag[None]``; it raised ``KeyError('access_date')`` on a real
sequence (a JSTOR record followed by a PsycINFO record); and it keeps no line
numbers, which our error messages and provenance need. Its speed is the bar:
this parser turns the text into raw tag records at least as fast in the same
run (``bench/bench_import.py``), using one C-level ``findall`` per file.

Dialects handled: Ovid, Scopus, Web of Science RIS, EBSCO, ProQuest, Lens,
PubMed via EndNote/Zotero/Mendeley, JSTOR/PsycINFO preambles
(``Provider:/Database:/Content:``), ``Record #1 of 2`` headers, ``ER`` with or
without a trailing space, records separated by blank lines or nothing,
unindented or indented continuation lines, and a record left open at the end of
the file (kept, with a warning).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reviewflow.importers import normalize as nz
from reviewflow.importers.base import ReadOutput, gc_paused
from reviewflow.records import ImportWarning, Record
from reviewflow.titles import is_latin

# A tag line ("XX  - value", anchored on a literal "\n" so the regex engine can
# skip ahead fast) plus every following line that is not a tag line.
_TAG_LINES = re.compile(
    r"\n([A-Z][A-Z0-9]{1,3}) {1,2}-(?: ([^\n]*[^\s])?)?[ \t]*(?=\n)"
    r"((?:\n(?![A-Z][A-Z0-9]{1,3} {1,2}-(?: |[ \t]*\n))[^\n]*)*)"
)
_TY_LINES = re.compile(r"\nTY {1,2}-(?= |[ \t]*\n)")
_PREAMBLE = re.compile(
    r"^(?:Provider:|Database:|Content:|Record #\d+|\d+\.\s*$|\s*$)", re.IGNORECASE
)

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


def parse(text: str, source: str = "<text>", mapping: dict[str, str] | None = None) -> ReadOutput:
    """Parse RIS text into records (see module docstring for the dialects)."""
    raws, warnings, preamble = split_records(text)
    records = []
    for position, (line, raw) in enumerate(raws, 1):
        records.append(to_record(raw, position, line, warnings))
    from reviewflow.importers.database import guess_ris_database

    database, mix = guess_ris_database(raws, preamble)
    if mix:
        warnings.append(ImportWarning(
            None, f"records come from several databases ({mix}); PRISMA counts records per "
            "database search: import each database's own export, or name this file's source "
            "with --database",
        ))
    return ReadOutput(records, warnings, database)


def split_records(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list, str]:
    """Tag/value dicts per record with their start line, warnings, preamble text.

    Speed: one C-level ``findall`` returns every tag line together with the
    non-tag lines that follow it (continuations, blank lines, preambles), so the
    Python loop runs once per tag line and does almost nothing in the usual case.
    """
    with gc_paused():
        return _split(text)


def _split(text: str) -> tuple[list[tuple[int, dict[str, list[str]]]], list, str]:
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    text = f"\n{text}\n"
    state = _SplitState()
    first = _TAG_LINES.search(text)
    if first is None:
        state.gap(text, 0, None)
        return [], state.finish(), "\n".join(state.preamble)
    state.gap(text[: first.start()], 0, None)
    clean = _split_clean(text, first.start())
    if clean is not None:
        state.records.extend(clean)
        _warn_unknown_tags(state.records, state)
        return state.records, state.finish(), "\n".join(state.preamble)
    line = text.count("\n", 0, first.start() + 1)
    records = state.records
    raw: dict[str, list[str]] | None = None
    values: list[str] | None = None
    start = 0
    for tag, value, more in _TAG_LINES.findall(text, first.start()):
        if raw is None:
            if tag == "TY":
                state.flush_stray()
                raw, start = {"TY": [value]}, line
                values = raw["TY"]
            else:
                state.stray(line)
        elif tag == "ER":
            records.append((start, raw))
            raw = values = None
        elif tag == "TY":
            state.warn(start, "no ER line; record ended at the next TY", len(records) + 1)
            records.append((start, raw))
            raw, start = {"TY": [value]}, line
            values = raw["TY"]
        else:
            values = raw.get(tag)
            if values is None:
                values = raw[tag] = [value]
            else:
                values.append(value)
        if more:
            state.gap(more, line, values if raw is not None else None)
            line += more.count("\n")
        line += 1
    if raw is not None:
        state.warn(start, "last record has no ER line (file truncated?); kept", len(records) + 1)
        records.append((start, raw))
    _warn_unknown_tags(records, state)
    return records, state.finish(), "\n".join(state.preamble)


def _split_clean(text: str, begin: int) -> list[tuple[int, dict[str, list[str]]]] | None:
    """The common case, faster: every record TY..ER, nothing but blank lines between.

    Returns None at the first irregularity (text between records, a missing
    ER); the general loop then reads the file and reports it. Line numbers are
    not tracked here: start lines come from one pass over the ``TY`` lines.
    """
    raws: list[dict[str, list[str]]] = []
    raw: dict[str, list[str]] | None = None
    values: list[str] = []
    for tag, value, more in _TAG_LINES.findall(text, begin):
        if raw is None:
            if tag != "TY":
                return None
            raw = {"TY": [value]}
            values = raw["TY"]
        elif tag == "ER":
            raws.append(raw)
            raw = None
        elif tag == "TY":
            return None
        else:
            found = raw.get(tag)
            if found is None:
                values = raw[tag] = [value]
            else:
                found.append(value)
                values = found
        if more and not more.isspace():
            if raw is None:
                return None
            _continue(values, more)
    if raw is not None:
        return None
    starts = [match.start() for match in _TY_LINES.finditer(text, begin)]
    if len(starts) != len(raws):
        return None
    lines, line, previous = [], 0, 0
    for start in starts:
        line += text.count("\n", previous, start + 1)
        previous = start + 1
        lines.append(line)
    return list(zip(lines, raws, strict=True))


def _continue(values: list[str], more: str) -> None:
    """Append continuation lines to the last value, one ``\\n`` per line."""
    for text in more.split("\n"):
        stripped = text.strip()
        if stripped:
            values[-1] = f"{values[-1]}\n{stripped}" if values[-1] else stripped


def _warn_unknown_tags(records: list[tuple[int, dict[str, list[str]]]], state: _SplitState) -> None:
    """One warning per non-standard tag, with its count (checked once per record, not per line)."""
    seen: set[str] = set()
    for _, raw in records:
        seen.update(raw)
    for tag in sorted(seen - KNOWN_TAGS):
        count = sum(len(raw.get(tag, ())) for _, raw in records)
        state.warn(None, f"unknown RIS tag {tag!r} ({count}x), kept in raw fields", None)


# Ovid's RIS puts a record number ("12.") before each record and its link lines after
# it: known export furniture, not lost data, so no warning.
_OVID_FURNITURE = re.compile(r"\s*(?:\d+\.\s*$|Link to the (?:Ovid Full Text|External Link))")


class _SplitState:
    """The rare paths of :func:`split_records`: continuations, preambles, stray text."""

    def __init__(self) -> None:
        self.records: list[tuple[int, dict[str, list[str]]]] = []
        self.warnings: list[ImportWarning] = []
        self.preamble: list[str] = []
        self.stray_line = 0

    def warn(self, line: int | None, message: str, position: int | None) -> None:
        self.warnings.append(ImportWarning(line, message, position))

    def stray(self, line: int) -> None:
        self.stray_line = self.stray_line or line

    def flush_stray(self) -> None:
        if self.stray_line:
            self.warn(self.stray_line, "text outside any TY...ER record ignored", None)
            self.stray_line = 0

    def finish(self) -> list[ImportWarning]:
        self.flush_stray()
        return self.warnings

    def gap(self, chunk: str, line: int, values: list[str] | None) -> None:
        """Lines after the tag line on ``line``: continuations in a record, else preamble."""
        if not chunk.strip():
            return
        for number, text in enumerate(chunk.split("\n"), line):
            stripped = text.strip()
            if not stripped:
                continue
            if values is not None:
                values[-1] = f"{values[-1]}\n{stripped}" if values[-1] else stripped
            elif _PREAMBLE.match(text):
                self.preamble.append(text)
            elif not _OVID_FURNITURE.match(text):
                self.stray(number)


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
    """Map RIS tags onto a normalised :class:`Record` (raw tags kept as written).

    ``one`` holds each tag's first value, built once per record: this function
    runs 100,000 times in the benchmark, and one dict lookup per field is much
    cheaper than a helper call. (A tag whose *first* value is empty counts as
    empty, even if it repeats with a value later; exports do not do that.)
    """
    one = {tag: values[0] for tag, values in raw.items()}
    get = one.get
    year_text = get("PY") or get("Y1") or get("DA")
    year = nz.parse_year(year_text)
    if year is None:
        year = nz.parse_year(get("Y1")) or nz.parse_year(get("DA"))
    if year is None:
        problem = f"year unreadable ({year_text!r})" if year_text else "no year"
        warnings.append(ImportWarning(line, problem, position))
    abstracts = raw.get("AB") or raw.get("N2")
    title = nz.clean_text(get("TI") or get("T1") or get("CT") or get("BT") or get("ST"))
    t2_title = _t2_translation(title, get)
    return Record(
        title=title,
        abstract=nz.clean_abstract(" ".join(abstracts)) if abstracts else None,
        authors=nz.normalise_authors(_list_values(raw, "AU", "A1")),
        year=year,
        journal=nz.clean_text(
            get("JF") or (None if t2_title else get("T2")) or get("JO") or get("J2")
            or get("JA") or get("J1")
        ),
        volume=nz.clean_text(get("VL") or get("VO")),
        issue=nz.clean_text(get("IS")),
        pages=nz.join_pages(get("SP"), get("EP")),
        doi=_doi(raw, get),
        pmid=_pmid(raw, get),
        language=nz.clean_text(get("LA")),
        keywords=nz.clean_list(_list_values(raw, "KW")),
        publication_type=nz.clean_text(get("TY")),
        url=nz.clean_text(get("UR")),
        issn=nz.clean_text(get("SN")),
        accession=nz.clean_text(get("AN")),
        translated_title=nz.clean_text(get("TT")) or t2_title,
        raw=raw,
        position=position,
        line=line,
    )


def _doi(raw: dict[str, list[str]], get: Callable[[str], str | None]) -> str | None:
    doi = nz.normalise_doi(get("DO") or get("DI"))
    if doi:
        return doi
    for tag in ("M3", "L3", "N1"):
        value = get(tag)
        if value and (value.startswith("10.") or value.lower().startswith("doi")):
            doi = nz.normalise_doi(value)
            if doi:
                return doi
    for url in [*raw.get("UR", ()), *raw.get("L2", ())]:
        if "doi.org/" in url:
            return nz.normalise_doi(url)
    return None


def _pmid(raw: dict[str, list[str]], get: Callable[[str], str | None]) -> str | None:
    pmid = get("PMID")
    if pmid:
        return nz.normalise_pmid(pmid)
    accession = get("AN")
    if accession and accession.strip().isdigit() and get("DP") in ("NLM", "PubMed"):
        return nz.normalise_pmid(accession)
    for url in [*raw.get("L2", ()), *raw.get("UR", ())]:
        if "ncbi.nlm.nih.gov/pubmed/" in url or "pubmed.ncbi.nlm.nih.gov/" in url:
            return nz.normalise_pmid(url.rstrip("/").rsplit("/", 1)[-1])
    return None


def _t2_translation(title: str | None, get: Callable[[str], str | None]) -> str | None:
    """``T2`` when a database put the title's translation there, not the journal.

    Some Chinese databases' RIS carries the English title in ``T2`` and the journal
    in ``JO``/``JF``: T2 counts as the translation only when the record names its
    journal elsewhere and T2 is in the other script than the title.
    """
    t2 = nz.clean_text(get("T2"))
    if not (t2 and title and not get("TT")):
        return None
    if not any(get(tag) for tag in ("JF", "JO", "J2", "JA", "J1")):
        return None
    return t2 if is_latin(t2) != is_latin(title) else None
