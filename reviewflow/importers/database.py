"""Guess which database a file came from, for the PRISMA "records identified" box.

The user can always say ``--database``; this guess only fills the gap when they
do not. It looks at the tell-tale fields each vendor writes (``DB  - Scopus``,
Scopus/Lens/EBSCO/Ovid URLs, ``AN  - WOS:``, ``DP  - NLM``) in every record,
and returns ``None`` rather than a wrong guess: a reference-manager library
whose records came from several databases is no one database's search, and
naming it after its largest share would put the others' records in the wrong
PRISMA row.
"""

from __future__ import annotations

import re
from collections import Counter

Raw = dict[str, list[str]]

_EBSCO_CODES = {
    "psyh": "APA PsycInfo (EBSCO)",
    "aph": "Academic Search Premier (EBSCO)",
    "i3h": "Criminal Justice Abstracts (EBSCO)",
    "cin20": "CINAHL (EBSCO)",
    "rzh": "CINAHL (EBSCO)",
    "eric": "ERIC (EBSCO)",
    "mdc": "MEDLINE (EBSCO)",
}
_URL_HINTS = (
    ("scopus.com", "Scopus"),
    ("lens.org", "Lens"),
    ("dimensions.ai", "Dimensions"),
    ("proquest.com", "ProQuest"),
    ("jstor.org", "JSTOR"),
    ("embase.com", "Embase"),
    ("webofscience.com", "Web of Science"),
    ("WOS:", "Web of Science"),
    ("cochranelibrary.com", "Cochrane Library"),
    ("ieeexplore.ieee.org", "IEEE Xplore"),
)
_OVID_DB = re.compile(r"[?&]D=([a-z]+)", re.IGNORECASE)
_OVID_NAMES = {
    "psyc": "Ovid PsycINFO",
    "emed": "Ovid Embase",
    "emez": "Ovid Embase",
    "medl": "Ovid MEDLINE",
    "prem": "Ovid MEDLINE",
    "cctr": "Cochrane CENTRAL (Ovid)",
}


# A file is named after a database when at least this share of the records
# that show where they came from agree (a few strays: records added by hand).
DOMINANT_SHARE = 0.8


def guess_ris_database(
    records: list[tuple[int, Raw]], preamble: str = ""
) -> tuple[str | None, str | None]:
    """(database, mix) of a RIS file, from its preamble or its records, in one pass.

    ``database`` is None when unknown or mixed; ``mix`` ("Web of Science 8,
    Dimensions 5, Lens 4") is set only when several databases share the records
    and none dominates, for the import's warning.
    """
    match = re.search(r"^Database:\s*(.+)$", preamble, re.MULTILINE)
    if match:
        return match.group(1).strip(), None
    votes = Counter(guess for _, raw in records if (guess := _guess_one(raw)))
    if not votes:
        return None, None
    name, count = votes.most_common(1)[0]
    if count >= DOMINANT_SHARE * votes.total():
        return name, None
    return None, ", ".join(f"{db} {n}" for db, n in votes.most_common())


def _guess_one(raw: Raw) -> str | None:
    db = _first(raw, "DB")
    dp = _first(raw, "DP")
    if db:
        code = db.strip()
        if code.lower() in _EBSCO_CODES:
            return _EBSCO_CODES[code.lower()]
        if dp and "ebsco" in dp.lower():
            return f"{code} (EBSCO)"
        if "proquest" in " ".join(raw.get("UR", [])).lower():
            return f"{code} (ProQuest)"
        return code
    if dp and dp.upper() in ("NLM", "PUBMED"):
        return "PubMed"
    return _guess_from_text(raw)


def _guess_from_text(raw: Raw) -> str | None:
    urls = " ".join(raw.get("UR", []) + raw.get("L2", []) + raw.get("AN", []))
    ovid = _OVID_DB.search(urls) if "ovid" in urls.lower() else None
    if ovid:
        key = ovid.group(1).lower()[:4]
        return _OVID_NAMES.get(key, "Ovid")
    for needle, name in _URL_HINTS:
        if needle in urls:
            return name
    notes = " ".join(raw.get("N1", []))
    if "Web of Science" in notes:
        return "Web of Science"
    if "ebscohost" in urls.lower():
        return "EBSCO"
    return None


def _first(raw: Raw, key: str) -> str | None:
    values = raw.get(key)
    return values[0] if values else None
