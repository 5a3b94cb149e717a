"""Where the real-world differences between databases are seeded.

Some differences come with the layouts themselves and touch every record
(MEDLINE's "123-9" pages, Ovid's ``http://dx.doi.org/`` DOIs, WoS capitals,
Embase's "and" in journal names). The ones below are placed on chosen reports so
the README can say exactly where they are.
"""

from __future__ import annotations

from collections.abc import Callable

from samplegen.model import Person, Pub
from samplegen.names import HYPHENATED

# quirk -> (database, study keys of the included trials' main reports)
SEEDED: dict[str, tuple[str, list[str]]] = {
    "no_doi": ("embase", ["OA-AD-2", "IBD-2"]),
    "no_doi_central": ("central", ["OA-BM-3", "MS-2", "SLE-1"]),
    "doi_url": ("central", ["OA-UC-3", "IBD-4", "RA-2"]),
    "doi_upper": ("wos", ["OA-AD-4", "SLE-5", "MS-4", "OA-UC-1"]),
    "title_case": ("embase", ["OA-BM-2", "IBD-5", "MS-1", "SPA-1"]),
    "title_upper": ("central", ["SLE-4", "OA-AD-2"]),
    "authors_upper": ("central", ["OA-BM-1", "IBD-1", "RA-1", "OA-UC-4"]),
    "pages_in_sp": ("central", ["OA-UC-1", "SLE-1", "OA-AD-4"]),
    "hyphen_given": ("wos", ["SLE-1", "IBD-5", "OA-UC-3", "SSC-1", "RA-1"]),
    "journal_abbrev": ("central", ["OA-BM-2", "OA-UC-4", "SLE-4", "IBD-2", "MS-3"]),
    "no_abstract": ("central", ["OA-AD-4", "MS-4"]),
    "ahead_of_print": ("pubmed", ["MS-4", "IBD-4"]),
    "twice": ("embase", ["IBD-5", "OA-AD-2"]),
}
EPUB_PREVIOUS_YEAR = ["OA-BM-2", "SLE-4", "IBD-6", "MS-3", "OA-UC-4"]
NO_DOI_AT_ALL = ["OA-BM-4", "SLE-3", "IBD-3"]


def seed_quirks(pubs: list[Pub], add_db: Callable[[Pub, str], None]) -> None:
    """Apply :data:`SEEDED` to the main reports; conference abstracts get their own treatment.

    A quirk only shows if the report is in that database, so ``add_db`` puts it there.
    """
    main = {p.study_key: p for p in pubs if p.category == "included RCT"}
    for quirk, (db, keys) in SEEDED.items():
        for key in keys:
            add_db(main[key], db)
            main[key].add_quirk(db, quirk.removesuffix("_central"))
    for key in SEEDED["hyphen_given"][1]:
        _ensure_hyphenable(main[key])
    for key in EPUB_PREVIOUS_YEAR:
        main[key].epub_year = main[key].year - 1
        main[key].month = 1 + main[key].month % 3  # printed early in the year after the epub
    for key in NO_DOI_AT_ALL:
        main[key].doi = None
    for p in pubs:
        if p.kind == "conference":
            p.add_quirk("central", "no_abstract")
            p.add_quirk("embase", "title_case")


def _ensure_hyphenable(pub: Pub) -> None:
    """Give the first author a two-syllable given name so the WoS hyphen quirk shows."""
    if any(a.given in HYPHENATED for a in pub.authors):
        return
    first = pub.authors[0]
    zh = (first.zh or "")[:1] + "晓明"
    pub.authors[0] = Person(first.family, "Xiaoming", zh)
