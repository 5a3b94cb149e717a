"""Incremental runs (``fresh``): only pairs with a record no earlier run saw count.

The review store passes the records imported since the last run as fresh; what
an earlier run decided about two older records must stand unchanged.
"""

from __future__ import annotations

from dataclasses import replace

from reviewflow.dedup import deduplicate
from reviewflow.records import Record

ARTICLE = Record(
    title="Tranexamic acid in patients undergoing coronary-artery surgery",
    authors=["Myles, P. S.", "Smith, J. A.", "Forbes, A."],
    year=2017, journal="New England Journal of Medicine", volume="376", issue="2",
    pages="136-148", doi="10.1056/NEJMoa1606424",
)
ERRATUM = Record(
    title="Correction: Tranexamic acid in patients undergoing coronary-artery surgery",
    authors=["Myles, P. S."], year=2018, journal="N Engl J Med", volume="378",
    pages="782",
)
OTHER = Record(title="Dexamethasone for cardiac surgery: a randomised trial",
               authors=["Dieleman, J. M."], year=2012, journal="JAMA",
               volume="308", pages="1761-1767")


def test_everything_fresh_is_the_full_run() -> None:
    records = [ARTICLE, ERRATUM, OTHER]
    full, fresh = deduplicate(records), deduplicate(records, fresh={0, 1, 2})
    assert [(p.a, p.b) for p in full.related] == [(p.a, p.b) for p in fresh.related] == [(0, 1)]


def test_pairs_of_two_older_records_are_not_judged_again() -> None:
    result = deduplicate([ARTICLE, ERRATUM, OTHER], fresh={2})
    assert (result.groups, result.queued, result.related) == ([], [], [])


def test_a_new_copy_joins_the_older_record_which_stays_kept() -> None:
    older = replace(ARTICLE, doi=None)
    medline = replace(ARTICLE, authors=["Myles PS", "Smith JA", "Forbes A"],
                      journal="N Engl J Med", pages="136-48", pmid="27774838",
                      abstract="Background: Tranexamic acid reduces the risk of bleeding " * 10)
    result = deduplicate([older, ERRATUM, medline], fresh={2})
    (group,) = result.groups
    assert group.members == [0, 2] and group.kept == 0  # the more complete copy is new
    assert group.merged.abstract == medline.abstract and group.merged.pmid == "27774838"
    assert [(p.a, p.b) for p in result.related] == [(1, 2)]  # only the new record's pair
    assert deduplicate([older, ERRATUM, medline]).groups[0].kept == 2  # one-shot choice


def test_a_new_record_does_not_join_two_older_ones() -> None:
    """Two older copies an earlier run left apart (here: as if a person kept them apart)
    stay apart even when a new copy is certain with both; the second link is queued."""
    pubmed = replace(ARTICLE, doi=None, journal="N Engl J Med", pages="136-48")
    embase = replace(ARTICLE, doi=None, journal="New Engl. J. Med.", pages="136-148")
    result = deduplicate([ARTICLE, pubmed, embase], fresh={2})
    assert len(result.groups) == 1 and 2 in result.groups[0].members
    assert len(result.groups[0].members) == 2
    assert [(p.a, p.b) for p in result.queued] in ([(0, 2)], [(1, 2)])
