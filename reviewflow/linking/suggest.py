"""Which reports in two languages may be one trial: the rules, pure.

Each rule is a small function returning a :class:`LinkReason`; a pair is
suggested when any rule holds (equal extracted arm sizes only with another
reason or close English titles); the reasons are the evidence a person sees.
Only pairs across languages are considered (one report titled in Chinese or
another non-Latin script, the other in a Latin one): same-language reports of
one trial are dedup's "related" pairs already.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from reviewflow.linking.names import name_key, same_person
from reviewflow.linking.title_match import TitleWeights, title_words
from reviewflow.titles import is_latin, titles_of
from reviewflow.trial_registry import trial_ids

# English titles, weighed against the review's titles (title_match): a translator's
# title differs in wording ("MSC transplantation" / "mesenchymal stem cells"), and
# two trials of the review's intervention share its topic words but not their
# disease or population. Between the two: the same trial in Chinese and English
# scored 80-100, different diseases under 45 (tests/linking); a person confirms
# every suggestion.
ENGLISH_TITLE_SIMILAR = 70.0
# With matching authors, titles need only share the topic: token_set_ratio, which
# every title of one review passes on its topic words.
TITLE_HINT = 50.0
MAX_YEAR_GAP = 1  # a Chinese report and its English version: same or next year
# Extracted arm sizes: small trials share round sizes (30 and 30) often, so equal
# sizes alone suggest a pair only with weighed English titles this close: sharing a
# distinguishing word (lupus / lupus nephritis scored 48), where titles sharing only
# the topic words scored under 30.
ARM_TITLE_HINT = 40.0
# The first pass over English titles (rapidfuzz, fast) takes the closest whole titles
# and the closest by the words that set a title apart in this review
# (TitleWeights.distinctive): on whole titles the topic words make every pair alike
# and the true one can rank below many topic-only ones; in a review of one disease
# and one cell source the words that set titles apart are incidental ("in adults").
CANDIDATE_TITLE = 50.0
CANDIDATES = 10  # each way
# A report's title-only suggestions: the best few (a review's trials of one cell
# source in one disease can all look alike by title; a person reads each one).
TITLE_ONLY = 5
_ARM_N = re.compile(r"^outcome/[^/]+/arm/([^/]+)/n$")


class LinkReason(StrEnum):
    SAME_REGISTRATION = "same trial registration number"
    ENGLISH_TITLE = "English title matches"
    AUTHORS = "same authors across transliteration"
    ARM_SIZES = "same number randomised in each arm"


@dataclass(frozen=True)
class LinkRecord:
    record_id: int
    title: str | None
    translated_title: str | None
    authors: tuple[str, ...]
    year: int | None
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None
    arm_sizes: tuple[int, ...] = ()  # extracted n per arm, sorted (empty: not extracted)


@dataclass(frozen=True)
class Suggestion:
    """Reports ``a`` (the non-Latin one) and ``b`` may be one study."""

    a: int
    b: int
    reasons: tuple[LinkReason, ...]
    title_score: float
    arm_sizes: tuple[int, ...] = ()  # the equal sizes, when they are a reason

    def evidence(self) -> str:
        """The reasons as a person reads them, with the numbers behind them."""
        shown = [f"{r}: {'/'.join(map(str, self.arm_sizes))}" if r is LinkReason.ARM_SIZES
                 else f"{r} ({self.title_score:.0f}/100)" if r is LinkReason.ENGLISH_TITLE
                 else str(r) for r in self.reasons]
        return "; ".join(shown)


@dataclass(frozen=True)
class _Prepared:
    rec: LinkRecord
    english: str
    words: tuple[str, ...]  # the English title's content words (title_match)
    trials: frozenset[str]
    authors: tuple[frozenset[str], ...]
    foreign: bool


def _prepare(rec: LinkRecord) -> _Prepared:
    titles = titles_of(rec.title, rec.translated_title, rec.language)
    english = titles.english if not is_latin(titles.original) else titles.original
    trials = trial_ids(rec.title, rec.translated_title, rec.abstract, *rec.keywords)
    return _Prepared(rec, (english or "").lower(), title_words(english or ""), trials,
                     tuple(name_key(a) for a in rec.authors[:12]),
                     not is_latin(titles.original))


def _years_close(a: LinkRecord, b: LinkRecord) -> bool:
    return a.year is None or b.year is None or abs(a.year - b.year) <= MAX_YEAR_GAP


def _shared_authors(a: _Prepared, b: _Prepared) -> int:
    return sum(1 for x in a.authors if any(same_person(x, y) for y in b.authors))


def arm_sizes(values: Iterable[tuple[str, str | None]]) -> tuple[int, ...]:
    """Each arm's size from extracted ``(path, value)`` pairs, sorted: the largest n any
    outcome gives the arm (later outcomes lose participants; the largest is nearest
    to the number randomised). Empty unless at least two arms have one."""
    sizes: dict[str, int] = {}
    for path, value in values:
        match = _ARM_N.match(path)
        if match is None or value is None:
            continue
        try:
            n = int(float(value))
        except ValueError:
            continue
        sizes[match[1]] = max(n, sizes.get(match[1], 0))
    found = sorted(n for n in sizes.values() if n > 0)
    return tuple(found) if len(found) >= 2 else ()


def _same_arms(a: LinkRecord, b: LinkRecord) -> bool:
    return bool(a.arm_sizes) and a.arm_sizes == b.arm_sizes and _years_close(a, b)


def _rules(a: _Prepared, b: _Prepared, title: float, topic: float) -> tuple[LinkReason, ...]:
    """``title``: the weighed title score; ``topic``: token_set_ratio of the titles."""
    reasons = []
    if a.trials & b.trials:
        reasons.append(LinkReason.SAME_REGISTRATION)
    if title >= ENGLISH_TITLE_SIMILAR and _years_close(a.rec, b.rec):
        reasons.append(LinkReason.ENGLISH_TITLE)
    if (a.authors and b.authors and same_person(a.authors[0], b.authors[0])
            and _years_close(a.rec, b.rec)
            and (_shared_authors(a, b) >= 2 or topic >= TITLE_HINT)):
        reasons.append(LinkReason.AUTHORS)
    if _same_arms(a.rec, b.rec) and (reasons or title >= ARM_TITLE_HINT):
        reasons.append(LinkReason.ARM_SIZES)
    return tuple(reasons)


def suggest_links(records: Iterable[LinkRecord],
                  skip: frozenset[tuple[int, int]] = frozenset()) -> list[Suggestion]:
    """Cross-language pairs that may be one study, strongest evidence first.

    ``skip`` holds pairs (smaller id first) already linked or rejected by a person.
    """
    prepared = [_prepare(r) for r in records]
    foreign = [p for p in prepared if p.foreign]
    latin = [p for p in prepared if not p.foreign]
    if not foreign or not latin:
        return []
    by_trial: dict[str, list[_Prepared]] = defaultdict(list)
    by_author: dict[str, list[_Prepared]] = defaultdict(list)
    by_arms: dict[tuple[int, ...], list[_Prepared]] = defaultdict(list)
    for p in latin:
        if p.rec.arm_sizes:
            by_arms[p.rec.arm_sizes].append(p)
        for t in p.trials:
            by_trial[t].append(p)
        if p.authors:
            for token in p.authors[0]:
                if len(token) > 1:
                    by_author[token].append(p)
    weights = TitleWeights(p.words for p in prepared if p.words)
    english_titles = [default_process(p.english) for p in latin]  # once, not per query
    distinctive = [weights.distinctive(p.words) for p in latin]
    out: dict[tuple[int, int], Suggestion] = {}
    for f in foreign:
        candidates: dict[int, _Prepared] = {}
        for t in f.trials:
            candidates.update((p.rec.record_id, p) for p in by_trial[t])
        if f.authors:
            for token in f.authors[0]:
                candidates.update((p.rec.record_id, p) for p in by_author.get(token, ()))
        if f.rec.arm_sizes:
            candidates.update((p.rec.record_id, p) for p in by_arms.get(f.rec.arm_sizes, ()))
        if f.words:  # a fast first pass; the weighed score decides
            for query, choices in ((default_process(f.english), english_titles),
                                   (weights.distinctive(f.words), distinctive)):
                for _, _, i in process.extract(query, choices, scorer=fuzz.token_set_ratio,
                                               score_cutoff=CANDIDATE_TITLE,
                                               limit=CANDIDATES):
                    candidates[latin[i].rec.record_id] = latin[i]
        title_only: list[Suggestion] = []
        for p in candidates.values():
            key = tuple(sorted((f.rec.record_id, p.rec.record_id)))
            if key in skip or key in out:
                continue
            both = bool(f.english and p.english)
            topic = (fuzz.token_set_ratio(f.english, p.english, processor=default_process)
                     if both else 0.0)
            title = weights.similarity(f.words, p.words) if both else 0.0
            reasons = _rules(f, p, title, topic)
            if reasons == (LinkReason.ENGLISH_TITLE,):
                title_only.append(Suggestion(f.rec.record_id, p.rec.record_id, reasons, title))
            elif reasons:
                arms = f.rec.arm_sizes if LinkReason.ARM_SIZES in reasons else ()
                out[key] = Suggestion(f.rec.record_id, p.rec.record_id, reasons, title, arms)  # type: ignore[arg-type]
        title_only.sort(key=lambda s: (-s.title_score, s.b))
        out.update((sequence_key((s.a, s.b)), s) for s in title_only[:TITLE_ONLY])
    return sorted(out.values(), key=lambda s: (-len(s.reasons), -s.title_score, s.a, s.b))


def sequence_key(pair: Sequence[int]) -> tuple[int, int]:
    a, b = pair
    return (a, b) if a < b else (b, a)
