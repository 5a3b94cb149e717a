"""Hard evidence against a merge. Any rule that fires beats every similarity.

Each rule returns a verdict naming itself so a person can see *why* two
near-identical records were kept apart. Notices (erratum, retraction,
comment) and conference abstracts of a later paper are "related": they belong
with the study but must never replace it.
"""

from __future__ import annotations

import re

from reviewflow.dedup.normalise import Norm
from reviewflow.dedup.verdict import Outcome, Verdict

_DIGITS = re.compile(r"\d+")


def _verdict(outcome: Outcome, reason: str) -> Verdict:
    return Verdict(outcome, 0.0, reason)


def different_doi(a_doi: str, b_doi: str) -> bool:
    return bool(a_doi and b_doi and a_doi != b_doi)


def _page_number(page: str) -> int | None:
    match = _DIGITS.search(page)
    return int(match.group()) if match else None


def different_pages(a_start: str, b_start: str) -> bool:
    """First pages that disagree ('e70933' = '70933', 'S131' = '131')."""
    if not a_start or not b_start:
        return False
    pa, pb = _page_number(a_start), _page_number(b_start)
    return pa is not None and pb is not None and pa != pb


def different_volumes(a_vol: str, b_vol: str) -> bool:
    return bool(a_vol and b_vol and a_vol.isdigit() and b_vol.isdigit() and a_vol != b_vol)


def conflict(a: Norm, b: Norm, title_sim: float | None) -> Verdict | None:
    """The first hard rule that forbids merging *a* and *b*, or None."""
    if a.notice != b.notice:
        kinds = sorted(filter(None, (a.notice, b.notice)))
        return _verdict("related", f"{kinds[0]} notice vs article")
    if different_doi(a.doi, b.doi):
        return _verdict("distinct", "different DOIs")
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return _verdict("distinct", "different PMIDs")
    if (a.conference or a.supplement) != (b.conference or b.supplement) and (
        title_sim is None or title_sim >= 0.8
    ):
        return _verdict("related", "conference abstract vs full paper")
    if different_pages(a.page_start, b.page_start):
        return _verdict("distinct", "different pages")
    if different_volumes(a.volume, b.volume):
        return _verdict("distinct", "different volumes")
    if title_sim is not None and title_sim >= 0.8 and a.title_numbers != b.title_numbers:
        return _verdict("distinct", "different numbers in title (part/phase/series)")
    return None
