"""Judging one candidate pair: certain, possible, related or distinct.

Merging two different studies loses one of them from the review for good, so
hard evidence *against* a merge is checked first and always wins (see
:mod:`reviewflow.dedup.rules`). Only then do similarities count, and an
automatic merge needs a near-identical title *plus* independent bibliographic
support (pages, volume, journal, DOI...), or a shared identifier.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz

from reviewflow.dedup.agreement import (
    cjk,
    contained,
    full_author_match,
    generic,
    same_abstract,
)
from reviewflow.dedup.certain import (  # noqa: F401  (CERTAIN_RULES: the table, re-exported)
    AUTHORS_OK,
    CERTAIN_RULES,
    TITLE_CLOSE,
    certain_merge,
)
from reviewflow.dedup.journals import journal_compatible
from reviewflow.dedup.normalise import Norm
from reviewflow.dedup.rules import conflict, online_first, same_first_page
from reviewflow.dedup.verdict import Outcome, Reason, Verdict

DISTINCT = Verdict("distinct", 0.0, "dissimilar", Reason.DISSIMILAR)


def title_similarity(a: Norm, b: Norm) -> float:
    """0-1 similarity of titles, tolerant of truncation and translated titles."""
    best = 0.0
    for ta in filter(None, (a.title, a.alt_title)):
        for tb in filter(None, (b.title, b.alt_title)):
            score = fuzz.ratio(ta, tb) / 100
            short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
            if len(short) >= 60 and long.startswith(short):
                score = max(score, 0.97)  # one database truncated the title
            best = max(best, score)
    return best


def _surname_match(x: str, y: str) -> bool:
    if x == y:
        return True
    if min(len(x), len(y)) >= 3 and (x.startswith(y) or y.startswith(x)):
        return True  # a dropped last letter: 'che' / 'chen'

    if min(len(x), len(y)) >= 4 and fuzz.ratio(x, y) >= 80:
        return True
    # compound names: 'sberrosoussan' vs 'sberro', 'vanlaere' vs 'laere'
    return min(len(x), len(y)) >= 4 and (x.endswith(y) or y.endswith(x) or x.startswith(y)
                                         or y.startswith(x))


def _author_match(a: Norm, i: int, b: Norm, j: int) -> bool:
    """Same person: surnames agree, or family and given names were swapped."""
    x, y = a.surnames[i], b.surnames[j]
    if _surname_match(x, y):
        return True
    if x in b.name_words[j] or y in a.name_words[i]:
        return True
    # 'Tong, H' / 'Hua, T': Chinese family and given names swapped, initials only
    return a.initials[i] == y[:1] and b.initials[j] == x[:1] and a.initials[i] != ""


def _same_script(a: Norm, b: Norm) -> bool:
    """Some pair of titles is written in one script; a Chinese title and an English one
    cannot be compared (that is no evidence either way)."""
    return any(cjk(x) == cjk(y) for x in filter(None, (a.title, a.alt_title))
               for y in filter(None, (b.title, b.alt_title)))


def author_similarity(a: Norm, b: Norm) -> float | None:
    """0-1 agreement of author lists; None when one side has no authors, or when the
    names are written in different scripts ('李爽' vs 'Li, S'): that is no disagreement."""
    if not a.surnames or not b.surnames:
        return None
    if a.surnames[0].isascii() != b.surnames[0].isascii() and (
        cjk(a.surnames[0]) or cjk(b.surnames[0])
    ):
        return None
    first = a.surnames[0] == b.surnames[0] or _author_match(a, 0, b, 0)
    na, nb = min(len(a.surnames), 10), min(len(b.surnames), 10)
    exact = set(b.surnames[:nb])
    shared = sum(a.surnames[x] in exact or any(_author_match(a, x, b, y) for y in range(nb))
                 for x in range(na))
    overlap = shared / min(na, nb)
    if not first:
        # first author dropped or order changed in one database
        return min(overlap, 0.8) if overlap >= 0.6 and shared >= 2 else overlap * 0.5
    return 0.6 + 0.4 * overlap


def unshift(a: Norm, b: Norm) -> Norm:
    """*a* with its fields moved back when a database shifted them one place: no volume,
    the volume in the issue field and the issue in the pages field ('-, 26, 9' vs
    '26, 9, 1746'). The pages of *a* are then unknown."""
    if a.volume or not a.issue or a.issue != b.volume or not b.issue \
            or a.page_start != b.issue or a.page_end not in ("", a.page_start):
        return a
    return replace(a, volume=b.volume, issue=b.issue, page_start="", page_end="",
                   full_paper=False)


def printed_twice(a: Norm, b: Norm, t: float | None) -> bool:
    """One abstract printed at two places of the same issue (program and abstract book).

    Everything but the first page agrees: near-identical long title, the same
    3+ authors in full, journal, volume, issue and year, and neither has the
    page range of a full paper (for a meeting abstract,
    no issue on either side is enough: a meeting has one abstract book). An
    erratum or a reply would be marked or have other authors, and comes in a
    later issue.
    """
    if t is None or t < 0.98 or generic(a, b) or a.notice or b.notice \
            or a.full_paper or b.full_paper:
        return False
    meeting = a.conference or b.conference or a.supplement or b.supplement
    if not (a.volume and (a.issue or (meeting and not b.issue)) and a.year and a.journal_tokens):
        return False
    if (a.volume, a.issue, a.year) != (b.volume, b.issue, b.year) or a.surnames != b.surnames \
            or len(a.surnames) < 3 or a.initials != b.initials:
        return False
    return journal_compatible(a.journal, b.journal) and a.title_numbers == b.title_numbers


def published_twice(a: Norm, b: Norm, t: float, blocked: Verdict) -> bool:
    """Two records of one text that a hard rule keeps apart, for a person to judge.

    Same long title and every author (2+); then either two DOIs with the same
    abstract or the same year and page (a double publication, or a DOI pasted
    from another record), or different pages/volumes in the same year (one
    abstract printed by two journals, or a page range mistyped by one
    database). Never merged: the rule that fired still holds.
    """
    if t < 0.98 or (generic(a, b) and not _longcjk(a, b)) or a.notice or b.notice \
            or not full_author_match(a, b, author_similarity(a, b)):
        return False
    same_year = a.year is not None and a.year == b.year
    if blocked.kind is Reason.DIFFERENT_DOIS:
        return same_abstract(a, b) or (same_year and same_first_page(a, b))
    return same_year and blocked.kind in (Reason.DIFFERENT_PAGES, Reason.DIFFERENT_VOLUMES)


def _support(a: Norm, b: Norm) -> tuple[int, list[str]]:
    """Independent bibliographic agreements (each must be present on both sides)."""
    found = []
    if same_first_page(a, b):
        found.append("pages")
    if a.volume and a.volume == b.volume:
        found.append("volume")
    if a.issue and a.issue == b.issue:
        found.append("issue")
    if a.journal_tokens and b.journal_tokens and journal_compatible(a.journal, b.journal):
        found.append("journal")
    if a.year and a.year == b.year:
        found.append("year")
    return len(found), found


def _longcjk(a: Norm, b: Norm) -> bool:
    """Both titles Chinese/Japanese/Korean and 12+ characters: as specific as a long
    English title, though :func:`_generic` counts each one as a single word."""
    return all(cjk(t) and len(t) >= 12 for t in (a.title, b.title))


def registration_verdict(a: Norm, b: Norm, t: float | None) -> Verdict:
    """A trial-register entry: its number decides.

    Two entries with one number are one registration exported by two registers
    (ClinicalTrials.gov and ICTRP, or CENTRAL); two numbers are two trials,
    whatever the titles. An entry and a report of the trial are two records of
    one study, never duplicates: related when the report cites the number (or
    repeats the registered title), so the team can link them as one study.
    """
    if a.registration and b.registration:
        if a.registration == b.registration:
            return _named("certain", 1.0, Reason.SAME_REGISTRATION)
        return _named("distinct", 0.0, Reason.DIFFERENT_REGISTRATIONS)
    entry, other = (a, b) if a.registration else (b, a)
    if entry.registration in other.cited_trials:
        return _named("related", 0.9, Reason.REGISTRATION_CITED)
    if t is not None and t >= REGISTERED_TITLE and not (other.cited_trials - {entry.registration}):
        return _named("related", t, Reason.REGISTRATION_TITLE)
    return _named("distinct", 0.0, Reason.REGISTRATION_OTHER)


def _named(outcome: Outcome, score: float, kind: Reason) -> Verdict:
    """A verdict whose readable reason is the kind's own wording."""
    return Verdict(outcome, score, kind.value, kind)


def article_number_vs_pages(a: Norm, b: Norm) -> bool:
    """One record gives the article number ('5', 'e1234'), the other the article's
    own pages ('1-20'): online-only journals number their articles, and some
    databases copy the PDF's page range instead. Not two places in a volume, so
    not the 'clearly different page ranges' that forbid a merge."""
    def one_to_n(n: Norm) -> bool:
        return n.page_start == "1" and n.page_end.isdigit() and int(n.page_end) > 1

    def number_only(n: Norm) -> bool:
        return bool(n.page_start) and not n.page_end and n.page_start != "1"

    return (one_to_n(a) and number_only(b)) or (one_to_n(b) and number_only(a))


def same_report(a: Norm, b: Norm, t: float | None) -> bool:
    """Title, authors and year agree: with one identifier, the same report for certain."""
    au = author_similarity(a, b)
    return (t is not None and t >= 0.95 and au is not None and au >= 0.8
            and a.year == b.year and a.title_numbers == b.title_numbers)


def notice_concerns(a: Norm, b: Norm, t: float | None) -> bool:
    """Does the erratum/retraction/comment among *a*, *b* concern the other record?

    A notice repeats its article's title, but formulaic trial titles ('MSC from
    umbilical cord in SLE: a randomised trial' / '... from bone marrow in SLE ...')
    are alike too. So beyond a near-identical title, the notice must also sit in
    the article's journal or share its authors, as a correction does.
    """
    if t is None or t < 0.6:
        return False
    if t >= 0.98:
        return True
    same_journal = bool(a.journal and b.journal) and journal_compatible(a.journal, b.journal)
    au = author_similarity(a, b)
    return t >= 0.8 and (same_journal or (au is not None and au >= 0.6))


# Thresholds (0-1 title and author similarity) of the verdicts below; the automatic
# merge's own are in reviewflow.dedup.certain.
REGISTERED_TITLE = 0.9  # a report repeating a registration's title
TITLE_LIKE = 0.85
TITLE_WEAK = 0.7


def compare(a: Norm, b: Norm) -> Verdict:
    """Judge whether records *a* and *b* report the same publication."""
    a, b = unshift(a, b), unshift(b, a)
    t = title_similarity(a, b) if a.title and b.title and _same_script(a, b) else None
    if a.registration or b.registration:
        return registration_verdict(a, b, t)
    same_id = bool((a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid))
    blocked = conflict(a, b, t)
    if blocked is not None:
        return _blocked(a, b, t, same_id, blocked)
    return _scored(a, b, t, same_id)


def _blocked(a: Norm, b: Norm, t: float | None, same_id: bool, blocked: Verdict) -> Verdict:
    """A hard rule fired: it stands, save for the exceptions named here, each for a person
    to see (or, for one text printed twice, certain)."""
    if blocked.kind is Reason.NOTICE_VS_ARTICLE and not notice_concerns(a, b, t):
        return Verdict("distinct", 0.0, blocked.reason.replace("article", "another record"),
                       Reason.NOTICE_VS_OTHER)
    if blocked.kind is Reason.DIFFERENT_PAGES:
        exception = _pages_exception(a, b, t, same_id)
        if exception is not None:
            return exception
    if same_id and blocked.outcome == "distinct" and (t is None or t >= TITLE_CLOSE):
        return Verdict("possible", 0.9, f"same identifier but {blocked.reason}",
                       Reason.SAME_ID_BLOCKED)
    if blocked.outcome == "distinct" and t is not None and published_twice(a, b, t, blocked):
        return Verdict("possible", _score(t, author_similarity(a, b), 0),
                       f"{blocked.reason}, yet same title and authors: printed twice or "
                       "a data error?", Reason.PUBLISHED_TWICE)
    return blocked


def _pages_exception(a: Norm, b: Norm, t: float | None, same_id: bool) -> Verdict | None:
    """Different first pages that are one publication after all (or may be)."""
    if printed_twice(a, b, t) and conflict(a, b, t, printed_twice=True) is None:
        return Verdict("certain", 0.95, "same title, all authors, journal, volume, issue: "
                       "one text printed twice in the issue", Reason.PRINTED_TWICE_IN_ISSUE)
    if online_first(a, b) and t is not None and t >= TITLE_CLOSE \
            and conflict(a, b, t, printed_twice=True) is None:
        # the same length at another place: likely, but a person should confirm
        return Verdict("possible", _score(t, author_similarity(a, b), 1),
                       "ahead-of-print pages 1-N vs the print pages", Reason.ONLINE_FIRST)
    if same_id and article_number_vs_pages(a, b) and same_report(a, b, t):
        return Verdict("certain", 0.95, "same identifier, title and authors; an article "
                       "number vs the article's own pages 1-N", Reason.ARTICLE_NUMBER_VS_PAGES)
    return None


def _scored(a: Norm, b: Norm, t: float | None, same_id: bool) -> Verdict:
    """No hard rule against the pair: similarity decides, certain only by a named rule."""
    au = author_similarity(a, b)
    support, found = _support(a, b)
    score = _score(t, au, support)
    if same_id:
        return _same_identifier(a, b, t, au, found, score)
    if t is None:
        return _without_title(a, b, au, support, found, score)
    certain = certain_merge(a, b, t, au, found)
    if certain is not None:
        kind, why = certain
        return Verdict("certain", score, why, kind)
    authors_ok = au is not None and au >= AUTHORS_OK
    if t >= TITLE_LIKE and (authors_ok or support >= 2 or au is None):
        return Verdict("possible", score, f"title {t:.2f}", Reason.TITLE)
    if t >= TITLE_WEAK and authors_ok and support >= 2:
        return Verdict("possible", score, f"title {t:.2f}, authors, " + ", ".join(found),
                       Reason.TITLE_AUTHORS)
    if authors_ok and {"pages", "volume", "year"} <= set(found):
        return Verdict("possible", score, "same authors, volume, pages (title differs)",
                       Reason.AUTHORS_PLACE)
    return Verdict("distinct", score, f"title {t:.2f}", Reason.DISSIMILAR)


def _score(t: float | None, au: float | None, support: int) -> float:
    parts = [(0.6, t if t is not None else 0.5), (0.25, au if au is not None else 0.5),
             (0.15, min(support, 4) / 4)]
    return round(sum(w * v for w, v in parts), 4)


def _same_identifier(a: Norm, b: Norm, t: float | None, au: float | None, found: list[str],
                     score: float) -> Verdict:
    ident = "DOI" if a.doi and a.doi == b.doi else "PMID"
    titles_agree = t is None or t >= 0.8 or contained(a, b)
    # a translated title: same identifier, same authors, same volume and pages
    located = {"volume", "pages"} <= set(found) and (
        (au is not None and au >= 0.75) or (t is not None and t >= 0.9))
    if (titles_agree and (au is None or au >= 0.5)) or located:
        return Verdict("certain", max(score, 0.95), f"same {ident}", Reason.SAME_IDENTIFIER)
    return Verdict("possible", score, f"same {ident}, titles differ",
                   Reason.SAME_IDENTIFIER_TITLES_DIFFER)


def _without_title(a: Norm, b: Norm, au: float | None, support: int, found: list[str],
                   score: float) -> Verdict:
    if support >= 3 and (au is None or au >= AUTHORS_OK):
        return Verdict("possible", score, "no title; " + ", ".join(found),
                       Reason.NO_TITLE_SUPPORTED)
    return Verdict("distinct", score, "no title", Reason.NO_TITLE)
