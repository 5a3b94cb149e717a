"""Small helpers shared by the per-database writers."""

from __future__ import annotations

import textwrap

from samplegen.model import Person, Pub

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def wrap(prefix: str, text: str, width: int, indent: str) -> list[str]:
    """``prefix`` + text wrapped at ``width`` columns, continuation lines start with ``indent``."""
    lines = textwrap.wrap(text, width=width - len(prefix), break_long_words=False,
                          break_on_hyphens=False) or [""]
    return [prefix + lines[0]] + [indent + line for line in lines[1:]]


def medline_pages(first: str, last: str) -> str:
    """MEDLINE drops the leading digits the last page shares with the first: 123-129 -> 123-9."""
    if not last or last == first:
        return first
    if len(first) == len(last):
        i = 0
        while i < len(last) - 1 and first[i] == last[i]:
            i += 1
        return f"{first}-{last[i:]}"
    return f"{first}-{last}"


def pub_date(pub: Pub) -> tuple[int, int]:
    """(year, month) of first appearance: the epub date when it precedes print."""
    if pub.epub_year is not None:
        return pub.epub_year, 10 + pub.month % 3
    return pub.year, pub.month


def given_for(person: Person, hyphen: bool) -> str:
    from samplegen.names import HYPHENATED

    return HYPHENATED.get(person.given, person.given) if hyphen else person.given


def initials(given: str, dots: bool = False) -> str:
    parts = [p for p in given.replace("-", " ").split() if p]
    letters = [p[0].upper() for p in parts]
    return "".join(f"{c}." for c in letters) if dots else "".join(letters)


def sentence_title(title: str) -> str:
    return title if title.endswith((".", "?", "]")) else title + "."


def title_case(title: str) -> str:
    small = {"a", "an", "and", "or", "of", "for", "in", "on", "the", "to", "versus", "with", "by",
             "via", "from"}
    words = title.split(" ")
    out = [w if (i and w.lower() in small and not words[i - 1].endswith(":"))
           or not w[:1].isalpha() else w[:1].upper() + w[1:] for i, w in enumerate(words)]
    return " ".join(out)
