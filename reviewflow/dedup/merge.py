"""Building the kept record of a duplicate group from the best fields.

Each database is good at something different: PubMed has full journal names
and PMIDs, Embase long abstracts, WoS DOIs, one source full given names. The
kept record takes, field by field, the most informative original value, so a
merge never loses information the group had.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from reviewflow.dedup.normalise import Norm, norm_doi, norm_pages
from reviewflow.records import Record


def choose_kept(members: list[int], norms: list[Norm], records: list[Record]) -> int:
    """The most complete member (ties: the earliest) keeps its identity."""
    return max(members, key=lambda i: (norms[i].n_fields, len(records[i].abstract or ""), -i))


def _title_quality(title: str | None) -> tuple[int, int]:
    if not title:
        return (0, 0)
    stripped = title.strip()
    bracketed = stripped.startswith("[") and stripped.rstrip(".").endswith("]")
    shouting = stripped.isupper()
    return (0 if bracketed or shouting else 1, len(stripped))


def _longest(values: list[str | None]) -> str | None:
    present = [v for v in values if v and v.strip()]
    return max(present, key=len) if present else None


def _most_common(values: list[str | None]) -> str | None:
    present = [v for v in values if v]
    return Counter(present).most_common(1)[0][0] if present else None


def _best_pages(values: list[str | None]) -> str | None:
    ranged = [v for v in values if v and all(norm_pages(v))]
    return ranged[0] if ranged else _longest(values)


def merged_record(members: list[int], kept: int, records: list[Record]) -> Record:
    """A copy of the kept record completed with the best value of each field."""
    group = [records[kept]] + [records[i] for i in members if i != kept]
    base = records[kept]
    dois = [norm_doi(r.doi) for r in group]
    counts = Counter(d for d in dois if d)
    # ties go to the shorter DOI: the article's, not one of its '.s001' component DOIs
    doi_choice = max(counts, key=lambda d: (counts[d], -len(d))) if counts else None
    return replace(
        base,
        title=max((r.title for r in group), key=_title_quality) or base.title,
        abstract=_longest([r.abstract for r in group]),
        authors=max((r.authors for r in group),
                    key=lambda a: (len(a), sum(len(x) for x in a))),
        year=base.year or next((r.year for r in group if r.year), None),
        journal=_longest([r.journal for r in group]),
        volume=base.volume or _most_common([r.volume for r in group]),
        issue=base.issue or _most_common([r.issue for r in group]),
        pages=_best_pages([r.pages for r in group]),
        doi=next((r.doi for r, d in zip(group, dois, strict=True) if d == doi_choice), None)
        if doi_choice else base.doi,
        pmid=base.pmid or _most_common([r.pmid for r in group]),
        keywords=list(dict.fromkeys(k for r in group for k in r.keywords)),
        language=base.language or _most_common([r.language for r in group]),
        publication_type=base.publication_type or _most_common(
            [r.publication_type for r in group]),
        url=base.url or _most_common([r.url for r in group]),
        issn=base.issn or _most_common([r.issn for r in group]),
        translated_title=base.translated_title or _most_common(
            [r.translated_title for r in group]),
        raw=dict(base.raw),
    )
