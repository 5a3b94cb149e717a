"""Identifiers in a PDF's text and file name, and the keys records are matched on.

Matching compares "squashed" text: lower case, accents removed, everything but
letters and digits dropped. That survives what PDF text layers do to titles
(line breaks, hyphenation, ligatures split into spaces, and pypdf dropping the
spaces between words in some Hindawi PDFs) and works unchanged for Chinese,
which has no spaces to lose.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_DOI_BREAK = re.compile(r"(10\.\d{4,9}/\S*-)\s*\n\s*")  # a DOI broken after a hyphen
_PMID = re.compile(r"\bPMID\s*:?\s*(\d{4,8})\b", re.IGNORECASE)
_TRAILING = ".,;:]}>'\""
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
# Reference-manager file names: Zotero and Mendeley "Author - Year - Title",
# "Author et al. - Year - Title", "Author and Other - Year - Title"; EndNote and
# hand-made "Author_2014_Title" / "Author 2014 Title".
_NAME_PATTERN = re.compile(
    r"^(?P<author>[^\d]+?)(?:\s+et\s+al\.?)?\s*[-_ ]+\s*(?P<year>(?:19|20)\d{2})[a-z]?"
    r"\s*[-_ ]+\s*(?P<title>.+)$",
    re.IGNORECASE,
)


def squash(text: str | None) -> str:
    """Lower-case letters and digits only, accents and ligatures folded."""
    if not text:
        return ""
    for lig, plain in _LIGATURES.items():
        text = text.replace(lig, plain)
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _balanced(doi: str) -> str:
    """Strip trailing punctuation; a ``)`` only when it closes nothing in the DOI."""
    while doi and (doi[-1] in _TRAILING
                   or (doi[-1] == ")" and doi.count("(") < doi.count(")"))):
        doi = doi[:-1]
    return doi


def dois_in(text: str) -> list[str]:
    """DOI-looking strings in ``text`` (lower case), in order, without duplicates."""
    text = _DOI_BREAK.sub(r"\1", text)
    seen: dict[str, None] = {}
    for match in _DOI.finditer(text):
        doi = _balanced(match.group(0)).lower()
        if doi.endswith("[doi]"):
            doi = doi[:-5]
        if "/" in doi and len(doi) > 8:
            seen.setdefault(doi, None)
    return list(seen)


def doi_prefixes(found: str) -> list[str]:
    """``found`` and its prefixes that can end a DOI (text glued on after it).

    pypdf sometimes drops the space after a DOI (``10.1155/2016/4078215Volume``):
    a prefix counts when the next character starts a new word (not a digit or a
    lower-case letter continuing the DOI).
    """
    out = [found]
    for cut in range(len(found) - 1, 7, -1):
        nxt = found[cut]
        if not (nxt.isdigit() or nxt.islower()) or (found[cut - 1].isdigit() and nxt.isalpha()):
            out.append(_balanced(found[:cut]))
    return out


def pmids_in(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).lstrip("0") for m in _PMID.finditer(text)))


@dataclass(frozen=True)
class FileName:
    """What a PDF's file name says, in the common reference-manager patterns."""

    pmid: str | None = None
    doi_key: str | None = None  # squashed DOI, e.g. from 10.1186_s12916-014-0161-y.pdf
    author: str | None = None  # squashed family name of the first author
    year: int | None = None
    title: str | None = None


def parse_file_name(stem: str) -> FileName:
    """Read ``PMID.pdf``, ``DOI-with-underscores.pdf`` or ``Author - Year - Title.pdf``."""
    stem = stem.strip()
    if stem.isdigit() and 4 <= len(stem) <= 8:
        return FileName(pmid=stem.lstrip("0"))
    if re.match(r"^10[._]\d{4,9}[._/]", stem):
        return FileName(doi_key=squash(stem))
    match = _NAME_PATTERN.match(stem)
    if match:
        author = re.split(r"\s+(?:and|&|und|y)\s+|,", match.group("author"))[0]
        return FileName(author=squash(author), year=int(match.group("year")),
                        title=match.group("title").replace("_", " ").strip())
    return FileName()


def family_key(author: str | None) -> str:
    """The squashed family name of a "Family, Given" author string."""
    if not author:
        return ""
    return squash(author.split(",")[0])
