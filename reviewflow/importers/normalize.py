"""The one place where field values are normalised, so every format agrees.

Dedup compares records from different databases; if RIS and MEDLINE readers
each cleaned DOIs or authors their own way, the same article would look like
two. Every reader therefore fills a :class:`~reviewflow.records.Record` only
through these functions. They are pure, cheap (checked on the 100k-record
bench) and never raise on odd input: they return ``None`` instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
_DOI = re.compile(r"10\.\d{3,9}/\S+")
_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|https?://doi\.org/)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_YYYYMMDD = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)")
_PAGES = re.compile(r"^([A-Za-z]*)(\d+)\s*[-\u2010-\u2015]+\s*([A-Za-z]*)(\d+)$")
_PMID = re.compile(r"(?<!\d)(\d{1,9})(?!\d)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "du",
        "la",
        "le",
        "ter",
        "ten",
    ]
)


def clean_text(value: str | None) -> str | None:
    """Unescape HTML entities, drop markup tags, collapse whitespace; None if empty."""
    if not value:
        return None
    if "<" not in value and "&" not in value and "  " not in value and value.isprintable():
        # Fast path (most values): printable means the only whitespace is " ".
        return value.strip() or None
    if "<" in value:
        value = _TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
        if "<" in value:  # entities may have hidden tags (&lt;p&gt;)
            value = _TAG.sub(" ", value)
    return " ".join(value.split()) or None


def clean_list(values: Iterable[str]) -> list[str]:
    """:func:`clean_text` over a list (keywords), dropping empties; the common
    already-clean value is handled inline, without a function call."""
    out = []
    for value in values:
        if value and "<" not in value and "&" not in value and "  " not in value and (
            value.isprintable()
        ):
            value = value.strip()
            if value:
                out.append(value)
        else:
            cleaned = clean_text(value)
            if cleaned:
                out.append(cleaned)
    return out


def clean_abstract(value: str | None) -> str | None:
    """Like :func:`clean_text` plus the CNKI markers ``<正>`` and ``(#br)``."""
    if value and ("<正>" in value or "(#br)" in value):
        value = value.replace("<正>", " ").replace("(#br)", " ")
    return clean_text(value)


def normalise_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix or trailing punctuation, else None."""
    if not value:
        return None
    value = value.strip()
    if "%2" in value or "%2" in value.lower():
        value = value.replace("%2F", "/").replace("%2f", "/")
    value = _DOI_PREFIX.sub("", value)
    match = _DOI.search(value)
    if not match:
        return None
    doi = match.group(0).rstrip(".,;)]}>").lower()
    if doi.endswith("[doi]"):
        doi = doi[:-5]
    return doi or None


def normalise_pmid(value: str | None) -> str | None:
    """The PubMed identifier as a digit string (``"PMID: 123"`` -> ``"123"``)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return value.lstrip("0") or None
    match = _PMID.search(value)
    return match.group(1).lstrip("0") or None if match else None


def parse_year(value: str | None) -> int | None:
    """The first plausible year in a date string (``2016/09//``, ``20170812`` -> 2017)."""
    if not value:
        return None
    match = _YEAR.search(value) or _YYYYMMDD.search(value)
    return int(match.group(1)) if match else None


def expand_pages(value: str | None) -> str | None:
    """Write page ranges in full: ``123-9`` -> ``123-129``, ``S12-9`` -> ``S12-S19``."""
    value = clean_text(value)
    if not value:
        return None
    match = _PAGES.match(value)
    if not match:
        return value
    prefix, first, end_prefix, last = match.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if prefix and not end_prefix:
        end_prefix = prefix
    if _digits_key(last) < _digits_key(first):
        return value
    if prefix == end_prefix and first == last:
        return f"{prefix}{first}"
    return f"{prefix}{first}-{end_prefix}{last}"


def _digits_key(digits: str) -> tuple[int, str]:
    """Order of a digit string without int() (which refuses over 4,300 digits)."""
    digits = digits.lstrip("0") or "0"
    return len(digits), digits


def join_pages(start: str | None, end: str | None) -> str | None:
    """Combine separate start/end page fields, then expand."""
    start = clean_text(start)
    end = clean_text(end)
    if start and end and "-" not in start:
        return expand_pages(f"{start}-{end}")
    return expand_pages(start or end)


def normalise_author(name: str, *, given_first: bool = False) -> str | None:
    """One author as ``"Family, Given"``.

    ``given_first`` is for sources that write ``"Joseph Rottman"`` (IEEE, CNKI
    English names). Without it a comma-less name is only reordered when it is
    clearly ``"Family INITIALS"`` (``"Lim SM"``, ``"Behan L."``), because RIS and
    MEDLINE put the family name first and a comma-less value there is usually a
    group author ("World Health Organization") that must stay as written.
    Chinese names (CJK characters) are kept unchanged.
    """
    if (
        "," in name
        and name.isascii()
        and name.isprintable()
        and "<" not in name
        and "&" not in name
        and "  " not in name
        and "," in (trimmed := name.strip(" ;,"))  # "Lim SM ," is comma-less once trimmed
    ):  # fast path for the usual clean ASCII "Family, Given" (same result as below)
        family, _, given = trimmed.partition(",")
        family, given = family.strip(), given.strip()
        return (f"{family}, {given}" if given else family) or None
    name = clean_text(name)
    if not name:
        return None
    name = name.strip(" ;,")
    if not name or _CJK.search(name):
        return name or None
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip()
        return f"{family}, {given}" if given else family
    parts = name.split(" ")
    if len(parts) < 2:
        return name
    if _INITIALS.match(parts[-1]) and parts[-1].replace(".", "").replace("-", "").isupper():
        return f"{' '.join(parts[:-1])}, {parts[-1]}"
    if not given_first:
        return name
    return _given_first_to_family(parts)


def _given_first_to_family(parts: list[str]) -> str:
    cut = len(parts) - 1
    while cut > 1 and parts[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return f"{' '.join(parts[cut:])}, {' '.join(parts[:cut])}"


def normalise_authors(names: Iterable[str], *, given_first: bool = False) -> list[str]:
    """Normalise a list of names, dropping empty ones."""
    out = []
    for name in names:
        author = normalise_author(name, given_first=given_first)
        if author:
            out.append(author)
    return out


def split_list(value: str | None, separators: str = ";") -> list[str]:
    """Split a delimited field (keywords, authors) into clean, non-empty items."""
    if not value:
        return []
    items = [value]
    for sep in separators:
        items = [piece for item in items for piece in item.split(sep)]
    return [text for text in (clean_text(item) for item in items) if text]
