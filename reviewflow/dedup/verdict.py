"""The judgement on one pair of records: an outcome, a score, and why.

``kind`` is what code branches on (an enum); ``reason`` is the sentence a
person reads (stored with the pair, shown in the queue), which may carry the
scores and the fields that agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Outcome = Literal["certain", "possible", "related", "distinct"]


class Reason(StrEnum):
    """Why a pair got its outcome: one member per rule in rules.py and compare.py."""

    UNSPECIFIED = "unspecified"
    DISSIMILAR = "dissimilar"
    # hard rules (rules.conflict)
    NOTICE_VS_ARTICLE = "notice vs article"
    NOTICE_VS_OTHER = "notice vs another record"
    DIFFERENT_DOIS = "different DOIs"
    DIFFERENT_PMIDS = "different PMIDs"
    ABSTRACT_VS_PAPER = "conference abstract vs full paper"
    DIFFERENT_PAGES = "different pages"
    DIFFERENT_VOLUMES = "different volumes"
    DIFFERENT_TITLE_NUMBERS = "different numbers in title"
    # trial registrations
    SAME_REGISTRATION = "same trial registration"
    DIFFERENT_REGISTRATIONS = "different trial registrations"
    REGISTRATION_CITED = "trial registration vs a report citing it"
    REGISTRATION_TITLE = "trial registration vs a report with its title"
    REGISTRATION_OTHER = "trial registration vs another record"
    # exceptions to a hard rule
    PRINTED_TWICE_IN_ISSUE = "one text printed twice in the issue"
    ONLINE_FIRST = "ahead-of-print pages vs the print pages"
    ARTICLE_NUMBER_VS_PAGES = "article number vs pages 1-N"
    SAME_ID_BLOCKED = "same identifier but a hard rule"
    PUBLISHED_TWICE = "printed twice or a data error"
    # similarity
    SAME_IDENTIFIER = "same identifier"
    SAME_IDENTIFIER_TITLES_DIFFER = "same identifier, titles differ"
    NO_TITLE_SUPPORTED = "no title, supported"
    NO_TITLE = "no title"
    JOURNAL_TRANSLATED = "journal name translated"
    TITLE_AUTHORS_SUPPORT = "title, authors and support"
    TITLE_NO_AUTHORS = "title and support, no authors"
    SAME_PLACE = "same authors, place, pages, year"
    SAME_RANGE = "same authors and page range"
    AUTHORS_DIFFER = "title, journal, volume, pages, year"
    UNPAGED_TWIN = "every field agrees, pages on one side"
    SAME_ABSTRACT = "title and abstract"
    ALL_AUTHORS = "title and all authors"
    HEADED = "title behind a column heading"
    TITLE = "title"
    TITLE_AUTHORS = "title and authors"
    AUTHORS_PLACE = "authors, volume, pages"
    # the engine
    PERSON_DISTINCT = "a person judged them distinct"
    SETTLED = "judged by an earlier run"


@dataclass(frozen=True)
class Verdict:
    """Outcome for one pair with a 0-1 score, its reason kind and the readable reason."""

    outcome: Outcome
    score: float
    reason: str
    kind: Reason = Reason.UNSPECIFIED
