"""Rendering a :class:`~reviewflow.screening.blinding.RecordCard` as Rich text.

Include keywords are highlighted in green, exclude keywords in red, so a
reviewer's eye lands on what matters. The card arrives already filtered by the
blinding rule; this module only draws what it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.text import Text

from reviewflow.screening.blinding import RecordCard
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.screening.state import Vote
from reviewflow.titles import titles_of

INCLUDE_STYLE = "bold black on green3"
EXCLUDE_STYLE = "bold white on red3"
LABEL = {"include": "include", "exclude": "exclude", "maybe": "maybe",
         "not_retrieved": "not retrievable"}


# "Starts a word" for spaced scripts: not preceded by a letter or digit of such a
# script. Unlike ``\\b`` it holds after a Chinese character (应用MSC治疗), which
# Python's ``\\w`` counts as a word character.
_WORD_START = r"(?<![0-9A-Za-z_\u00c0-\u024f\u0370-\u04ff])"


def _is_cjk(ch: str) -> bool:
    """Han, kana and hangul: scripts written without spaces between words."""
    return ("\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"
            or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0002fa1f")


def keyword_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for ``words``, longest first.

    A keyword starting with a letter of a spaced script must start a word
    ("arthritis" is not found inside "osteoarthritis"; "random" is found in
    "randomised"); a Chinese or Japanese keyword matches anywhere, since such
    text has no word boundaries (干细胞 inside 间充质干细胞), and a Latin keyword
    is found right after a Chinese character (MSC in 应用MSC治疗).
    """
    parts = []
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        bound = "" if _is_cjk(word[0]) or not (word[0].isalnum() or word[0] == "_") \
            else _WORD_START
        parts.append(bound + re.escape(word))
    return re.compile("(?i)(?:" + "|".join(parts) + ")") if parts else None


def highlight(text: str, settings: ScreeningSettings, base: str = "") -> Text:
    """``text`` with the review's include/exclude keywords highlighted (case-insensitive)."""
    out = Text(text, style=base)
    for words, style in ((settings.include_keywords, INCLUDE_STYLE),
                         (settings.exclude_keywords, EXCLUDE_STYLE)):
        pattern = keyword_pattern(words)
        if pattern is not None:
            out.highlight_regex(pattern, style)
    return out


def vote_text(vote: Vote, who: str | None = None) -> str:
    text = f"{who or vote.reviewer}: {LABEL.get(vote.decision, vote.decision)}"
    if vote.reason:
        text += f" ({vote.reason})"
    if vote.note:
        text += f" - {vote.note}"
    return text


def _authors(authors: Iterable[str], limit: int = 8) -> str:
    names = list(authors)
    shown = "; ".join(names[:limit])
    return shown + (f"; ... (+{len(names) - limit})" if len(names) > limit else "")


def card_header(card: RecordCard, settings: ScreeningSettings) -> Text:
    """Title (original language, then English), authors, year, journal, language, ids."""
    titles = titles_of(card.title, card.translated_title, card.language)
    out = highlight(titles.original, settings, "bold")
    if titles.english:
        out.append("\n")
        out.append_text(highlight(titles.english, settings, "bold italic"))
    out.append("\n")
    out.append(_authors(card.authors) or "(no authors)", style="italic")
    out.append("\n")
    meta = " · ".join(str(x) for x in (card.year, card.journal, titles.shown_language) if x)
    out.append(meta or "(no year or journal)")
    out.append(f"\nrecord {card.record_id}", style="dim")
    if card.databases:
        out.append("  ·  found in: " + ", ".join(card.databases), style="dim")
    if card.doi:
        out.append(f"  ·  doi {card.doi}", style="dim")
    for other, why in card.related:
        out.append(f"\nrelated: record {other} ({why})", style="bold yellow")
    return out


def card_body(card: RecordCard, settings: ScreeningSettings) -> Text:
    """The abstract, then the record's keywords."""
    out = highlight(card.abstract or "(no abstract)", settings)
    if card.keywords:
        out.append("\n\nKeywords: ", style="dim")
        out.append_text(highlight("; ".join(card.keywords), settings, "dim"))
    return out


def card_status(card: RecordCard) -> Text:
    """The viewer's decision and, when blinding allows, the others' and any resolution."""
    out = Text()
    if card.mine is not None:
        out.append("Your decision: ", style="bold")
        out.append(vote_text(card.mine, "you").removeprefix("you: "))
    else:
        out.append("Not decided yet", style="bold yellow")
    if card.blinded:
        out.append("   (blind: other decisions hidden until you decide)", style="dim")
    for vote in card.others:
        out.append("   |   " + vote_text(vote), style="cyan")
    if card.resolution is not None:
        res = card.resolution
        out.append(f"   |   resolved: {res.decision} ({res.method}, {res.resolved_by})",
                   style="magenta")
    return out
