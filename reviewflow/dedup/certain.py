"""The automatic merge: a table of named rules, tried in order.

A pair no hard rule forbids is merged automatically only when one of these rules
holds; each needs the title (or the authors and the place in the journal) AND
independent bibliographic support, and names itself (a :class:`Reason`) and the
sentence a person reads in the merge log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reviewflow.dedup.agreement import cjk as _cjk
from reviewflow.dedup.agreement import contained, full_author_match, generic, same_abstract
from reviewflow.dedup.normalise import Norm
from reviewflow.dedup.rules import soft_conflicts
from reviewflow.dedup.verdict import Reason

TITLE_NEAR = 0.98  # "the same title": truncation and punctuation aside
TITLE_SAME = 0.95
TITLE_CLOSE = 0.9
TITLE_PLACE = 0.75  # enough when authors, pages, year and place agree
AUTHORS_OK = 0.75
AUTHORS_SAME = 0.9
AUTHORS_ALL = 0.99


# Words that make a leading phrase a notice or a reply about the paper, not a heading over it.
_NOT_A_HEADING = frozenset({
    "reply", "replies", "response", "responses", "comment", "comments", "commentary", "re",
    "correction", "corrected", "erratum", "corrigendum", "retraction", "retracted",
    "withdrawn", "letter", "letters", "rebuttal", "discussion", "update", "updated",
    "continued", "addendum", "summary", "abstract", "editorial", "note", "notes", "reaction",
    "answer", "critique", "review", "reviewed", "appraisal", "synopsis", "digest",
    "protocol", "part", "version", "revisited", "again", "second", "follow", "extension",
})
# Chinese headings are one token ('述评', '读者来信'), so these are looked for inside it.
_NOT_A_HEADING_CJK = ("述评", "评论", "评述", "点评", "综述", "来信", "答复", "回复",
                      "更正", "勘误", "撤稿", "摘要", "续", "解读")


def headed(a: Norm, b: Norm) -> bool:
    """One title is the other behind a short column or section heading that only one
    database kept ('How I did it ... Upwork's CEO on how an introverted engineer learned
    to lead', 'Case study: ...'). The shorter title must be long enough to identify the
    paper on its own, and the heading must not make the record a reply, a notice, a
    summary or another part (see ``_NOT_A_HEADING``)."""
    short, long = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    if not long.endswith(" " + short):
        return False
    if not (len(short) >= 12 if _cjk(short) else len(short) >= 40 and len(short.split()) >= 6):
        return False
    head = long[: len(long) - len(short)].split()
    return 1 <= len(head) <= 4 and _NOT_A_HEADING.isdisjoint(head) and not any(
        word in token for token in head for word in _NOT_A_HEADING_CJK)


def _unpaged_twin(a: Norm, b: Norm, found: list[str]) -> bool:
    """A short title ('ESICON 2017 Abstracts') is enough when every field present agrees,
    down to volume and issue, and at most one record has pages (nothing tells them apart)."""
    return (not (a.page_start and b.page_start) and not a.notice
            and min(len(a.title.split()), len(b.title.split())) >= 3
            and {"volume", "issue", "year", "journal"} <= set(found))


def _real_pages(a: Norm, found: list[str]) -> bool:
    """Same first page that says something: 2+ digits, or page 1 of a shared range."""
    return "pages" in found and (sum(c.isdigit() for c in a.page_start) >= 2
                                 or sum(c.isdigit() for c in a.page_end) >= 2)


def _same_page_range(a: Norm, b: Norm) -> bool:
    """Same first and last page, a multi-page article: one article however titled."""
    return bool(a.page_start and a.page_end and a.page_start == b.page_start
                and a.page_end == b.page_end and a.page_end != a.page_start)


@dataclass(frozen=True)
class _Pair:
    """What the automatic-merge rules look at for one pair."""

    a: Norm
    b: Norm
    t: float
    au: float | None
    found: tuple[str, ...]  # agreeing fields in _support's order
    soft: tuple[str, ...]  # soft conflicts (rules.soft_conflicts)
    generic: bool  # a short title

    @property
    def why(self) -> str:
        return ", ".join(self.found)

    def has(self, *fields: str) -> bool:
        return set(fields) <= set(self.found)

    def authors_at_least(self, level: float) -> bool:
        return self.au is not None and self.au >= level

    @property
    def real_pages(self) -> bool:
        return _real_pages(self.a, list(self.found))


@dataclass(frozen=True)
class CertainRule:
    """One way to an automatic merge: when it holds, and the sentence a person reads."""

    kind: Reason
    holds: Callable[[_Pair], bool]
    says: Callable[[_Pair], str]


def _title_support(p: _Pair) -> bool:
    """Same title, the authors, and 2 agreeing fields (3 with pages for a short title)."""
    need = 3 if p.generic else 2
    return p.t >= TITLE_SAME and p.authors_at_least(AUTHORS_OK) and len(p.found) >= need \
        and (p.has("pages") or not p.generic)


def _title_support_no_authors(p: _Pair) -> bool:
    """Same title, no authors on one side: one more agreeing field, pages among them."""
    need = 3 if p.generic else 2
    return p.t >= TITLE_SAME and p.au is None and len(p.found) >= need + 1 and p.has("pages")


def _close_title_support(p: _Pair) -> bool:
    return p.t >= TITLE_CLOSE and p.authors_at_least(AUTHORS_OK) and len(p.found) >= 3 \
        and p.has("pages") and not p.generic


def _same_place(p: _Pair) -> bool:
    """Same authors at the same place of the same journal and year; the title reworded."""
    return (p.t >= TITLE_PLACE or contained(p.a, p.b)) and p.authors_at_least(AUTHORS_SAME) \
        and p.real_pages and p.has("year") and (p.has("volume") or p.has("journal"))


def _same_range(p: _Pair) -> bool:
    return p.authors_at_least(AUTHORS_SAME) and _same_page_range(p.a, p.b) and not p.soft \
        and p.has("volume", "year", "journal")


def _authors_differ(p: _Pair) -> bool:
    return p.t >= TITLE_SAME and p.real_pages and p.has("volume", "year", "journal")


def _unpaged(p: _Pair) -> bool:
    return p.t >= TITLE_NEAR and p.authors_at_least(AUTHORS_ALL) \
        and _unpaged_twin(p.a, p.b, list(p.found))


def _abstract(p: _Pair) -> bool:
    return p.t >= TITLE_NEAR and not p.generic and same_abstract(p.a, p.b)


def _all_authors(p: _Pair) -> bool:
    return p.t >= TITLE_NEAR and not p.generic and full_author_match(p.a, p.b, p.au) \
        and (p.has("year") or p.has("journal"))


def _headed(p: _Pair) -> bool:
    return not p.soft and headed(p.a, p.b) and p.authors_at_least(AUTHORS_ALL) \
        and p.has("journal", "year")


# Tried in order; the first that holds names the merge and says why.
CERTAIN_RULES: tuple[CertainRule, ...] = (
    CertainRule(Reason.TITLE_AUTHORS_SUPPORT, _title_support,
                lambda p: f"title {p.t:.2f}, authors, {p.why}"),
    CertainRule(Reason.TITLE_NO_AUTHORS, _title_support_no_authors,
                lambda p: f"title {p.t:.2f}, no authors, {p.why}"),
    CertainRule(Reason.TITLE_AUTHORS_SUPPORT, _close_title_support,
                lambda p: f"title {p.t:.2f}, authors, {p.why}"),
    CertainRule(Reason.SAME_PLACE, _same_place,
                lambda p: f"same authors, place, pages, year; title {p.t:.2f}"),
    CertainRule(Reason.SAME_RANGE, _same_range,
                lambda p: f"same authors, journal, volume, page range, year; title {p.t:.2f} "
                          "(translated?)"),
    CertainRule(Reason.AUTHORS_DIFFER, _authors_differ,
                lambda p: f"title {p.t:.2f}, journal, volume, pages, year (authors differ)"),
    CertainRule(Reason.UNPAGED_TWIN, _unpaged,
                lambda p: f"title {p.t:.2f}, authors, {p.why}; pages on one side at most"),
    CertainRule(Reason.SAME_ABSTRACT, _abstract,
                lambda p: f"title {p.t:.2f}, same abstract" + (f", {p.why}" if p.why else "")),
    CertainRule(Reason.ALL_AUTHORS, _all_authors,
                lambda p: f"title {p.t:.2f}, all authors, " + p.why),
    CertainRule(Reason.HEADED, _headed,
                lambda p: "same title behind a column heading in one database; all authors, "
                          + p.why),
)


def certain_merge(a: Norm, b: Norm, t: float, au: float | None,
             found: list[str]) -> tuple[Reason, str] | None:
    """The rule and reason for an automatic merge, or None when the pair is not certain.

    Before the rules: years more than one apart are never certain; a soft conflict
    (issue, a number in one title, journal name) is allowed only with a real page
    agreement, save a translated journal name when everything else agrees.
    """
    if a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        return None
    p = _Pair(a, b, t, au, tuple(found), tuple(soft_conflicts(a, b)), generic(a, b))
    if p.soft == ("different journal names",) and t >= TITLE_NEAR \
            and full_author_match(a, b, au) and p.has("volume", "issue", "year"):
        return Reason.JOURNAL_TRANSLATED, (f"title {t:.2f}, all authors, volume, issue, year "
                                           "(journal name translated?)")
    if p.soft and not p.real_pages:
        return None
    for rule in CERTAIN_RULES:
        if rule.holds(p):
            return rule.kind, rule.says(p)
    return None
