"""The screening stages and their spellings.

Stored as ``title_abstract`` / ``full_text``; the CLI also accepts the hyphenated
forms the documentation uses (``title-abstract``, ``full-text``).
"""

from __future__ import annotations

from reviewflow.errors import ReviewflowError

TITLE_ABSTRACT = "title_abstract"
FULL_TEXT = "full_text"
STAGES: tuple[str, ...] = (TITLE_ABSTRACT, FULL_TEXT)
LABELS = {TITLE_ABSTRACT: "Title/abstract", FULL_TEXT: "Full text"}


def parse_stage(text: str) -> str:
    key = text.strip().lower().replace("-", "_").replace("/", "_").replace(" ", "_")
    aliases = {"ta": TITLE_ABSTRACT, "tiab": TITLE_ABSTRACT, "ft": FULL_TEXT, "fulltext": FULL_TEXT}
    key = aliases.get(key, key)
    if key not in STAGES:
        raise ReviewflowError(f"unknown stage {text!r}; use title-abstract or full-text")
    return key
