"""Author names compared across transliteration and name order.

"Zhang Wei", "Wei Zhang", "Zhang, Wei" and 张伟 are one person's name in a
Chinese and an English report of one trial. Each name becomes a set of
lower-case ASCII tokens (Chinese characters through pypinyin: the first
character is the family name, the rest one given name, as pinyin writes it:
张晓明 -> {zhang, xiaoming}); hyphens inside given names are dropped
(Xiao-Ming -> xiaoming). Without pypinyin installed, Chinese names match only
Chinese names. pypinyin is read through :mod:`reviewflow.linking.pinyin`, which
spares a listing the load of its whole phrase dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_HAN = re.compile(r"[\u3400-\u9fff]")


@cache
def _pinyin(chars: str) -> list[str] | None:
    from reviewflow.linking.pinyin import syllables  # pypinyin: only when a name needs it

    return syllables(chars)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def name_key(name: str | None) -> frozenset[str]:
    """Order-free tokens of a personal name (empty for an empty or unreadable name)."""
    if not name or not name.strip():
        return frozenset()
    compact = re.sub(r"[\s,.;·]+", "", name)
    if _HAN.search(compact) and not re.search(r"[A-Za-z]", compact):
        syllables = _pinyin(compact)
        if syllables is None or not syllables:
            return frozenset({compact})
        return frozenset({syllables[0], "".join(syllables[1:])} - {""})
    tokens = re.split(r"[\s,.;]+", _ascii(name).replace("-", "").replace("'", ""))
    return frozenset(t for t in tokens if t)


def same_person(a: frozenset[str], b: frozenset[str]) -> bool:
    """Same token set, or a shared family name with matching initials ("Zhang W")."""
    if not a or not b:
        return False
    if a == b:
        return True
    shared = a & b
    if not any(len(t) > 1 for t in shared):
        return False
    rest_a, rest_b = a - shared, b - shared
    if not rest_a or not rest_b:
        return False
    return sorted(t[0] for t in rest_a) == sorted(t[0] for t in rest_b) and (
        any(len(t) == 1 for t in rest_a) or any(len(t) == 1 for t in rest_b))
