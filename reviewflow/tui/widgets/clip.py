"""Text cut to fit a column: at a word boundary when one is near, always with an ellipsis.

A title cut mid-word with no mark ("Mesenchymal stem cells in lupus nephri") reads as
the whole title; the ellipsis says there is more.
"""

from __future__ import annotations

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending in an ellipsis when it was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:  # a word boundary near the end: do not cut a word in two
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS
