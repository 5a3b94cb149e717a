"""Counts in words: "1 pair", "2 pairs", "1 study", "3 studies"."""

from __future__ import annotations

_IRREGULAR = {"study": "studies", "analysis": "analyses", "entry": "entries",
              "reply": "replies", "category": "categories", "person": "people"}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``n`` and ``noun``, the noun in the plural unless ``n`` is 1 (``many`` overrides)."""
    if n == 1:
        return f"{n} {noun}"
    if many is None:
        head, _, last = noun.rpartition(" ")
        word = _IRREGULAR.get(last) or (last[:-1] + "ies" if last.endswith("y") and
                                        last[-2:-1] not in "aeiou" else
                                        last + "es" if last.endswith(("s", "x", "ch", "sh"))
                                        else last + "s")
        many = f"{head} {word}" if head else word
    return f"{n} {many}"
