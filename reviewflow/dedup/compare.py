"""Judging one candidate pair: certain, possible, related or distinct.

Merging two different studies loses one of them from the review for good, so
hard evidence *against* a merge is checked first and always wins (see
:mod:`reviewflow.dedup.rules`). Only then do similarities count, and an
automatic merge needs a near-identical title *plus* independent bibliographic
support (pages, volume, journal, DOI...), or a shared identifier.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from reviewflow.dedup.normalise import Norm, journal_compatible
from reviewflow.dedup.rules import conflict, soft_conflicts
from reviewflow.dedup.verdict import Verdict

DISTINCT = Verdict("distinct", 0.0, "dissimilar")


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
    if min(len(x), len(y)) >= 4 and fuzz.ratio(x, y) >= 80:
        return True
    # compound names: 'sberrosoussan' vs 'sberro', 'vanlaere' vs 'laere'
    return min(len(x), len(y)) >= 4 and (x.endswith(y) or y.endswith(x) or x.startswith(y)
                                         or y.startswith(x))


def author_similarity(a: Norm, b: Norm) -> float | None:
    """0-1 agreement of author lists; None when one side has no authors."""
    if not a.surnames or not b.surnames:
        return None
    first = _surname_match(a.surnames[0], b.surnames[0])
    sa, sb = a.surnames[:10], b.surnames[:10]
    shared = sum(any(_surname_match(x, y) for y in sb) for x in sa)
    overlap = shared / min(len(sa), len(sb))
    if not first:
        # first author dropped or order changed in one database
        return min(overlap, 0.8) if overlap >= 0.6 and shared >= 2 else overlap * 0.5
    return 0.6 + 0.4 * overlap


def _support(a: Norm, b: Norm) -> tuple[int, list[str]]:
    """Independent bibliographic agreements (each must be present on both sides)."""
    found = []
    if a.page_start and a.page_start == b.page_start:
        found.append("pages")
    if a.volume and a.volume == b.volume:
        found.append("volume")
    if a.issue and a.issue == b.issue:
        found.append("issue")
    if a.journal_tokens and b.journal_tokens and journal_compatible(
        a.journal_tokens, b.journal_tokens
    ):
        found.append("journal")
    if a.year and a.year == b.year:
        found.append("year")
    return len(found), found


def _generic(a: Norm, b: Norm) -> bool:
    """Short titles ('Editorial', 'Reply', 'Introduction') say little on their own."""
    return min(len(a.title), len(b.title)) < 30 or min(
        len(a.title.split()), len(b.title.split())
    ) < 5


def compare(a: Norm, b: Norm) -> Verdict:
    """Judge whether records *a* and *b* report the same publication."""
    t = title_similarity(a, b) if a.title and b.title else None
    blocked = conflict(a, b, t)
    if blocked is not None:
        return blocked
    au = author_similarity(a, b)
    support, found = _support(a, b)
    score = _score(t, au, support)
    same_id = (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)
    if same_id:
        return _same_identifier(a, b, t, au, score)
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
    if soft_conflicts(a, b) and not _real_pages(a, found):
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
    if t >= 0.75 and au is not None and au >= 0.9 and _real_pages(a, found) \
            and {"volume", "year"} <= set(found):
        return f"same authors, volume, page range, year; title {t:.2f}"
    return ""


def _real_pages(a: Norm, found: list[str]) -> bool:
    """Same first page that is a real page number (not '1' or a bare locator)."""
    return "pages" in found and len(a.page_start) >= 2 and a.page_start[0].isdigit()


def _score(t: float | None, au: float | None, support: int) -> float:
    parts = [(0.6, t if t is not None else 0.5), (0.25, au if au is not None else 0.5),
             (0.15, min(support, 4) / 4)]
    return round(sum(w * v for w, v in parts), 4)


def _same_identifier(a: Norm, b: Norm, t: float | None, au: float | None,
                     score: float) -> Verdict:
    ident = "DOI" if a.doi and a.doi == b.doi else "PMID"
    if (t is None or t >= 0.8) and (au is None or au >= 0.5):
        return Verdict("certain", max(score, 0.95), f"same {ident}")
    return Verdict("possible", score, f"same {ident}, titles differ")


def _without_title(a: Norm, b: Norm, au: float | None, support: int, found: list[str],
                   score: float) -> Verdict:
    if support >= 3 and (au is None or au >= 0.75):
        return Verdict("possible", score, "no title; " + ", ".join(found))
    return Verdict("distinct", score, "no title")
