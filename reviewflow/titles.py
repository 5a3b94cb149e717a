"""A record's titles in two languages: which is the original, which the English one.

Databases put the two titles in different places: CNKI and Wanfang export the
Chinese title as the title and the English one as "Translated Title" (RIS
``TT``, NoteExpress ``{Translated Title}``); MEDLINE does the reverse for
non-English articles (``TI`` is the English translation in square brackets,
``TT`` the vernacular title). Screens and lists show both, original first, and
the language, so a reviewer reading either language recognises the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ENGLISH = frozenset({"en", "eng", "english", "英文", "英语"})
_BRACKETED = re.compile(r"^\[(?P<inner>.+)\]\.?$", re.S)


def _latin_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for ch in letters if ch < "\u0250") / len(letters)


def is_latin(text: str) -> bool:
    """Mostly Latin letters (English, Spanish...), not Chinese, Japanese, Cyrillic..."""
    return _latin_share(text) >= 0.5


@dataclass(frozen=True)
class Titles:
    original: str
    english: str | None = None
    language: str | None = None

    @property
    def shown_language(self) -> str | None:
        """The language, when it tells the reader something (not for English-only records)."""
        if self.language and (self.english or self.language.lower() not in ENGLISH):
            return self.language
        return None

    def line(self, width: int | None = None) -> str:
        """One line for lists: ``original / English [language]``."""
        text = self.original + (f" / {self.english}" if self.english else "")
        if width is not None and len(text) > width:
            text = text[: max(1, width - 1)] + "…"
        return text + (f" [{self.shown_language}]" if self.shown_language else "")


def titles_of(title: str | None, translated: str | None, language: str | None = None
              ) -> Titles:
    """Sort a record's title and translated title into original and English."""
    t = (title or "").strip()
    tt = (translated or "").strip()
    lang = (language or "").strip() or None
    bracketed = _BRACKETED.match(t)
    if bracketed and tt:  # MEDLINE: [English translation]. with the vernacular in TT
        return Titles(tt, bracketed.group("inner").strip(), lang)
    if bracketed:
        t = bracketed.group("inner").strip()
    if not tt or tt.casefold() == t.casefold():
        return Titles(t or tt or "(no title)", None, lang)
    if not t:
        return Titles(tt, None, lang)
    if is_latin(t) and not is_latin(tt):
        return Titles(tt, t, lang)
    return Titles(t, tt, lang)
