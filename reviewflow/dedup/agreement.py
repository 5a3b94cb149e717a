"""Agreements between two records that several dedup rules read.

Shared by :mod:`reviewflow.dedup.compare` (the verdict) and
:mod:`reviewflow.dedup.certain` (the automatic-merge rule table).
"""

from __future__ import annotations

from rapidfuzz import fuzz

from reviewflow.dedup.normalise import Norm, fold

ABSTRACT_MIN = 400


def contained(a: Norm, b: Norm) -> bool:
    """One title is the other without its subtitle ('Anxiety about data hacking')."""
    short, long = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    return bool(short) and len(short.split()) >= 3 and long.startswith(short + " ")


def cjk(name: str) -> bool:
    return not name.isascii() and any("\u3400" <= c <= "\u9fff" or "\uac00" <= c <= "\ud7af"
                                      for c in name)


def generic(a: Norm, b: Norm) -> bool:
    """Short titles ('Editorial', 'Reply', 'Introduction') say little on their own."""
    return min(len(a.title), len(b.title)) < 30 or min(
        len(a.title.split()), len(b.title.split())
    ) < 5


def same_abstract(a: Norm, b: Norm) -> bool:
    """Both have a substantial abstract and the two are (nearly) the same text."""
    if min(len(a.abstract), len(b.abstract)) < ABSTRACT_MIN:
        return False
    return fuzz.ratio(fold(a.abstract), fold(b.abstract), score_cutoff=95) >= 95


def full_author_match(a: Norm, b: Norm, au: float | None) -> bool:
    return au is not None and au >= 0.99 and min(len(a.surnames), len(b.surnames)) >= 2
