"""Hard evidence against a merge. Any rule that fires beats every similarity.

Each rule returns a verdict naming itself so a person can see *why* two
near-identical records were kept apart. Notices (erratum, retraction,
comment) and conference abstracts of a later paper are "related": they belong
with the study but must never replace it.
"""

from __future__ import annotations

import re

from reviewflow.dedup.journals import journal_compatible
from reviewflow.dedup.normalise import Norm
from reviewflow.dedup.verdict import Outcome, Reason, Verdict

_DIGITS = re.compile(r"\d+")


def _verdict(outcome: Outcome, kind: Reason, reason: str | None = None) -> Verdict:
    return Verdict(outcome, 0.0, reason or kind.value, kind)


_SUB_DOI = re.compile(r"^[./](?:s|sm|suppl?|supplementary|sd|g|t|f)?\d{0,4}$")


def different_doi(a_doi: str, b_doi: str) -> bool:
    """Two DOIs for two publications; a component DOI ('.../pone.0123.s001', a supplement
    file or figure of the article) names a part of the same one."""
    if not (a_doi and b_doi) or a_doi == b_doi:
        return False
    short, long = sorted((a_doi, b_doi), key=len)
    return not (long.startswith(short) and _SUB_DOI.match(long[len(short):]))


def _page_number(page: str) -> int | None:
    match = _DIGITS.search(page)
    return int(match.group()) if match else None


def different_pages(a_start: str, b_start: str) -> bool:
    """First pages of the same kind that disagree.

    Only like is compared with like: print page with print page, 'S12' with
    'S14'. An electronic locator ('a1754', 'e70933') and a print page can both
    be right for one article, so that mismatch is no evidence.
    """
    if not a_start or not b_start:
        return False
    if a_start[0].isdigit() != b_start[0].isdigit():
        return False
    pa, pb = _page_number(a_start), _page_number(b_start)
    return pa is not None and pb is not None and pa != pb


def pages_conflict(a: Norm, b: Norm) -> bool:
    """Different first pages, unless one database kept only the last page ('488' vs '487-488')."""
    if not different_pages(a.page_start, b.page_start):
        return False
    a_end, b_end = a.page_end or a.page_start, b.page_end or b.page_start
    same_last = a_end == b_end and sum(c.isdigit() for c in a_end) >= 2
    return not same_last and not _article_number_vs_count(a, b)


def online_first(a: Norm, b: Norm) -> bool:
    """One is the ahead-of-print version of the other (see :func:`_online_first`)."""
    return _online_first(a, b) or _online_first(b, a)


def _online_first(a: Norm, b: Norm) -> bool:
    """*a* is the ahead-of-print version: no volume yet, its own PDF paginated 1..N,
    where the issue gave the same article N pages further on ('1-6' vs '2422-2427')."""
    if a.volume or not b.volume or a.page_start != "1" or not a.page_end.isdigit():
        return False
    if not (b.page_start.isdigit() and b.page_end.isdigit()):
        return False
    return abs(int(a.page_end) - (int(b.page_end) - int(b.page_start) + 1)) <= 1


def _article_number_vs_count(a: Norm, b: Norm) -> bool:
    """'106482' (an article number) vs '11' (its page count): not two different places."""
    if a.page_end or b.page_end:
        return False
    long, short = sorted((a.page_start, b.page_start), key=len, reverse=True)
    return long.isdigit() and short.isdigit() and len(long) >= 5 and len(short) <= 3


def different_volumes(a_vol: str, b_vol: str, a_issue: tuple[str, ...] = (),
                      b_issue: tuple[str, ...] = ()) -> bool:
    """Volumes that disagree, unless one database shifted an issue or supplement number
    ('10 SUPPL. 1') into the volume field."""
    if not (a_vol and b_vol and a_vol.isdigit() and b_vol.isdigit()) or a_vol == b_vol:
        return False
    return a_vol not in b_issue and b_vol not in a_issue


def different_issues(a_issue: str, b_issue: str) -> bool:
    """Issue numbers that disagree.

    Only 1-2 digit values count: a monthly or weekly journal has at most 52
    issues a volume, and longer 'issue' values are mostly record numbers a
    reference manager wrote into the field (or whole-number issues that no
    other database copies).
    """
    return bool(a_issue and b_issue and a_issue.isdigit() and b_issue.isdigit()
                and len(a_issue) <= 2 and len(b_issue) <= 2 and a_issue != b_issue)


def same_first_page(a: Norm, b: Norm) -> bool:
    """Same first page, letting one database drop a letter prefix ('c37-c42' vs '37-42',
    'e123' vs '123'). A supplement 'S12' is another place than page 12, so not 's'."""
    if a.page_start == b.page_start:
        return bool(a.page_start)
    pa, pb = _unprefixed(a.page_start), _unprefixed(b.page_start)
    if not pa or pa != pb:
        return False
    ea, eb = _unprefixed(a.page_end), _unprefixed(b.page_end)
    return ea == eb or not (a.page_end and b.page_end)


def _unprefixed(page: str) -> str:
    if len(page) > 1 and page[0].isalpha() and page[0] != "s" and page[1:].isdigit():
        return page[1:]
    return page if page.isdigit() else ""


def conflict(a: Norm, b: Norm, title_sim: float | None,
             printed_twice: bool = False) -> Verdict | None:
    """The first hard rule that forbids merging *a* and *b*, or None.

    *printed_twice*: the caller established that both are one text printed at
    two places of one issue (see :func:`compare.printed_twice`), so pages differ
    by nature.
    """
    if a.notice != b.notice:
        kinds = sorted(filter(None, (a.notice, b.notice)))
        if title_sim is not None and title_sim >= 0.6:
            return _verdict("related", Reason.NOTICE_VS_ARTICLE,
                            f"{kinds[0]} notice vs article")
        return _verdict("distinct", Reason.NOTICE_VS_OTHER,
                        f"{kinds[0]} notice vs another record")
    if different_doi(a.doi, b.doi):
        return _verdict("distinct", Reason.DIFFERENT_DOIS)
    if a.pmid and b.pmid and a.pmid != b.pmid:
        return _verdict("distinct", Reason.DIFFERENT_PMIDS)
    if abstract_vs_paper(a, b) and not same_place(a, b) and (
        title_sim is not None and title_sim >= 0.8
    ):
        return _verdict("related", Reason.ABSTRACT_VS_PAPER)
    if pages_conflict(a, b) and not printed_twice:
        return _verdict("distinct", Reason.DIFFERENT_PAGES)
    if different_volumes(a.volume, b.volume, a.issue_numbers, b.issue_numbers):
        return _verdict("distinct", Reason.DIFFERENT_VOLUMES)
    if a.title_numbers and b.title_numbers and a.title_numbers != b.title_numbers \
            and not same_place(a, b):
        return _verdict("distinct", Reason.DIFFERENT_TITLE_NUMBERS,
                        "different numbers in title (part/phase/series)")
    return None


def abstract_vs_paper(a: Norm, b: Norm) -> bool:
    """One is a meeting abstract/paper, the other demonstrably a regular article."""
    a_meeting, b_meeting = a.conference or a.supplement, b.conference or b.supplement
    return (a_meeting and b.full_paper) or (b_meeting and a.full_paper)


def same_place(a: Norm, b: Norm) -> bool:
    """Same DOI, same page range, or same volume and first page (or issue): one
    publication, however each database labelled it."""
    if a.doi and a.doi == b.doi:
        return True
    if a.page_start and a.page_end and a.page_end != a.page_start \
            and (a.page_start, a.page_end) == (b.page_start, b.page_end) \
            and (not a.year or not b.year or a.year == b.year):
        return True
    if not a.volume or a.volume != b.volume:
        return False
    return bool((a.page_start and a.page_start == b.page_start)
                or (not (a.page_start and b.page_start) and a.issue and a.issue == b.issue))


def soft_conflicts(a: Norm, b: Norm) -> list[str]:
    """Disagreements that forbid an automatic merge unless the pages agree.

    Issue fields are often junk (EndNote record numbers), a number in one
    title only may be a citation added by a database, and journal names come
    abbreviated or translated in ways no rule fully decodes: none is decisive.
    """
    found = []
    if different_issues(a.issue, b.issue):
        found.append("different issues")
    if a.title_numbers != b.title_numbers:
        found.append("number in one title only")
    if a.journal_tokens and b.journal_tokens and not journal_compatible(a.journal, b.journal):
        found.append("different journal names")
    return found
