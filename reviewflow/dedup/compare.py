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

from reviewflow.dedup.journals import journal_compatible
from reviewflow.dedup.normalise import Norm, fold
from reviewflow.dedup.rules import conflict, online_first, same_first_page, soft_conflicts
from reviewflow.dedup.verdict import Verdict

DISTINCT = Verdict("distinct", 0.0, "dissimilar")


def contained(a: Norm, b: Norm) -> bool:
    """One title is the other without its subtitle ('Anxiety about data hacking')."""
    short, long = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    return bool(short) and len(short.split()) >= 3 and long.startswith(short + " ")


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


ABSTRACT_MIN = 400


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
    return any(_cjk(x) == _cjk(y) for x in filter(None, (a.title, a.alt_title))
               for y in filter(None, (b.title, b.alt_title)))


def _cjk(name: str) -> bool:
    return not name.isascii() and any("\u3400" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af"
                                      for c in name)


def author_similarity(a: Norm, b: Norm) -> float | None:
    """0-1 agreement of author lists; None when one side has no authors, or when the
    names are written in different scripts ('李爽' vs 'Li, S'): that is no disagreement."""
    if not a.surnames or not b.surnames:
        return None
    if a.surnames[0].isascii() != b.surnames[0].isascii() and (
        _cjk(a.surnames[0]) or _cjk(b.surnames[0])
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
    if t is None or t < 0.98 or _generic(a, b) or a.notice or b.notice \
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
    if t < 0.98 or (_generic(a, b) and not _long_cjk(a, b)) or a.notice or b.notice \
            or not _full_author_match(a, b, author_similarity(a, b)):
        return False
    same_year = a.year is not None and a.year == b.year
    if blocked.reason == "different DOIs":
        return same_abstract(a, b) or (same_year and same_first_page(a, b))
    return same_year and blocked.reason in ("different pages", "different volumes")


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


def _long_cjk(a: Norm, b: Norm) -> bool:
    """Both titles Chinese/Japanese/Korean and 12+ characters: as specific as a long
    English title, though :func:`_generic` counts each one as a single word."""
    return all(_cjk(t) and len(t) >= 12 for t in (a.title, b.title))


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
            return Verdict("certain", 1.0, "same trial registration")
        return Verdict("distinct", 0.0, "different trial registrations")
    entry, other = (a, b) if a.registration else (b, a)
    if entry.registration in other.cited_trials:
        return Verdict("related", 0.9, "trial registration vs a report citing it")
    if t is not None and t >= 0.9 and not (other.cited_trials - {entry.registration}):
        return Verdict("related", t, "trial registration vs a report with its title")
    return Verdict("distinct", 0.0, "trial registration vs another record")


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


def _generic(a: Norm, b: Norm) -> bool:
    """Short titles ('Editorial', 'Reply', 'Introduction') say little on their own."""
    return min(len(a.title), len(b.title)) < 30 or min(
        len(a.title.split()), len(b.title.split())
    ) < 5


def compare(a: Norm, b: Norm) -> Verdict:
    """Judge whether records *a* and *b* report the same publication."""
    a, b = unshift(a, b), unshift(b, a)
    t = title_similarity(a, b) if a.title and b.title and _same_script(a, b) else None
    if a.registration or b.registration:
        return registration_verdict(a, b, t)
    same_id = bool((a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid))
    blocked = conflict(a, b, t)
    if blocked is not None and blocked.reason.endswith("notice vs article") \
            and not notice_concerns(a, b, t):
        return Verdict("distinct", 0.0, blocked.reason.replace("article", "another record"))
    if blocked is not None and blocked.reason == "different pages":
        if printed_twice(a, b, t) and conflict(a, b, t, printed_twice=True) is None:
            return Verdict("certain", 0.95, "same title, all authors, journal, volume, issue: "
                           "one text printed twice in the issue")
        if online_first(a, b) and t is not None and t >= 0.9 \
                and conflict(a, b, t, printed_twice=True) is None:
            # the same length at another place: likely, but a person should confirm
            return Verdict("possible", _score(t, author_similarity(a, b), 1),
                           "ahead-of-print pages 1-N vs the print pages")
    if blocked is not None and blocked.reason == "different pages" and same_id \
            and article_number_vs_pages(a, b) and same_report(a, b, t):
        return Verdict("certain", 0.95, "same identifier, title and authors; an article "
                       "number vs the article's own pages 1-N")
    if blocked is not None:
        if same_id and blocked.outcome == "distinct" and (t is None or t >= 0.9):
            return Verdict("possible", 0.9, f"same identifier but {blocked.reason}")
        if blocked.outcome == "distinct" and t is not None and published_twice(a, b, t, blocked):
            return Verdict("possible", _score(t, author_similarity(a, b), 0),
                           f"{blocked.reason}, yet same title and authors: printed twice or "
                           "a data error?")
        return blocked
    au = author_similarity(a, b)
    support, found = _support(a, b)
    score = _score(t, au, support)
    if same_id:
        return _same_identifier(a, b, t, au, found, score)
    if t is None:
        return _without_title(a, b, au, support, found, score)
    certain = _certain(a, b, t, au, found)
    if certain:
        return Verdict("certain", score, certain)
    authors_ok = au is not None and au >= 0.75
    if t >= 0.85 and (authors_ok or support >= 2 or au is None):
        return Verdict("possible", score, f"title {t:.2f}")
    if t >= 0.7 and authors_ok and support >= 2:
        return Verdict("possible", score, f"title {t:.2f}, authors, " + ", ".join(found))
    if authors_ok and {"pages", "volume", "year"} <= set(found):
        return Verdict("possible", score, "same authors, volume, pages (title differs)")
    return Verdict("distinct", score, f"title {t:.2f}")


def _certain(a: Norm, b: Norm, t: float, au: float | None, found: list[str]) -> str:
    """The reason for an automatic merge, or '' when the pair is not certain."""
    years_close = a.year is None or b.year is None or abs(a.year - b.year) <= 1
    if not years_close:
        return ""
    soft = soft_conflicts(a, b)
    if soft == ["different journal names"] and t >= 0.98 and _full_author_match(a, b, au) \
            and {"volume", "issue", "year"} <= set(found):
        return f"title {t:.2f}, all authors, volume, issue, year (journal name translated?)"
    if soft and not _real_pages(a, found):
        return ""
    authors_ok = au is not None and au >= 0.75
    support = len(found)
    generic = _generic(a, b)
    why = ", ".join(found)
    if t >= 0.95:
        need = 3 if generic else 2
        if authors_ok and support >= need and ("pages" in found or not generic):
            return f"title {t:.2f}, authors, {why}"
        if au is None and support >= need + 1 and "pages" in found:
            return f"title {t:.2f}, no authors, {why}"
    if t >= 0.9 and authors_ok and support >= 3 and "pages" in found and not generic:
        return f"title {t:.2f}, authors, {why}"
    if (t >= 0.75 or contained(a, b)) and au is not None and au >= 0.9 \
            and _real_pages(a, found) and "year" in found \
            and ("volume" in found or "journal" in found):
        return f"same authors, place, pages, year; title {t:.2f}"
    if au is not None and au >= 0.9 and _same_range(a, b) and not soft_conflicts(a, b) \
            and {"volume", "year", "journal"} <= set(found):
        return f"same authors, journal, volume, page range, year; title {t:.2f} (translated?)"
    if t >= 0.95 and _real_pages(a, found) and {"volume", "year", "journal"} <= set(found):
        return f"title {t:.2f}, journal, volume, pages, year (authors differ)"
    if t >= 0.98 and au is not None and au >= 0.99 and _unpaged_twin(a, b, found):
        return f"title {t:.2f}, authors, {why}; pages on one side at most"
    if t >= 0.98 and not generic and same_abstract(a, b):
        return f"title {t:.2f}, same abstract" + (f", {why}" if why else "")
    if t >= 0.98 and not generic and _full_author_match(a, b, au) and (
        "year" in found or "journal" in found
    ):
        return f"title {t:.2f}, all authors, " + why
    if not soft and headed(a, b) and au is not None and au >= 0.99 \
            and {"journal", "year"} <= set(found):
        return "same title behind a column heading in one database; all authors, " + why
    return ""


def _unpaged_twin(a: Norm, b: Norm, found: list[str]) -> bool:
    """A short title ('ESICON 2017 Abstracts') is enough when every field present agrees,
    down to volume and issue, and at most one record has pages (nothing tells them apart)."""
    return (not (a.page_start and b.page_start) and not a.notice
            and min(len(a.title.split()), len(b.title.split())) >= 3
            and {"volume", "issue", "year", "journal"} <= set(found))


def same_abstract(a: Norm, b: Norm) -> bool:
    """Both have a substantial abstract and the two are (nearly) the same text."""
    if min(len(a.abstract), len(b.abstract)) < ABSTRACT_MIN:
        return False
    return fuzz.ratio(fold(a.abstract), fold(b.abstract), score_cutoff=95) >= 95


def _full_author_match(a: Norm, b: Norm, au: float | None) -> bool:
    return au is not None and au >= 0.99 and min(len(a.surnames), len(b.surnames)) >= 2


def _real_pages(a: Norm, found: list[str]) -> bool:
    """Same first page that says something: 2+ digits, or page 1 of a shared range."""
    return "pages" in found and (sum(c.isdigit() for c in a.page_start) >= 2
                                 or sum(c.isdigit() for c in a.page_end) >= 2)


def _same_range(a: Norm, b: Norm) -> bool:
    """Same first and last page, a multi-page article: one article however titled."""
    return bool(a.page_start and a.page_end and a.page_start == b.page_start
                and a.page_end == b.page_end and a.page_end != a.page_start)


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
        return Verdict("certain", max(score, 0.95), f"same {ident}")
    return Verdict("possible", score, f"same {ident}, titles differ")


def _without_title(a: Norm, b: Norm, au: float | None, support: int, found: list[str],
                   score: float) -> Verdict:
    if support >= 3 and (au is None or au >= 0.75):
        return Verdict("possible", score, "no title; " + ", ".join(found))
    return Verdict("distinct", score, "no title")
