"""How closely two English titles name one trial, weighed against the review's titles.

Every title in a review shares its topic ("mesenchymal stem cells for ..."), so a
plain string score (rapidfuzz ``token_set_ratio``) rates two trials of one
intervention in different diseases as alike: "Mesenchymal stem cells for systemic
sclerosis" scores 87.5 against a lupus title. Here each word weighs by how rare it
is among the review's titles (inverse document frequency), so the words that tell
trials apart (disease, population, cell source) decide, and the topic words that
every title has count little. A translated title is a paraphrase, so words match
loosely (randomised/randomized, cell/cells, transplant/transplantation) and an
acronym matches the words it abbreviates (MSC, SLE, UC).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

# Words that carry no content in a title, and words that say a title reports a
# trial but not which one (a translator adds or drops "clinical observation of",
# "in the treatment of", "a randomized controlled trial" freely); a title's
# score is over the other words.
_STOP = frozenset((
    "a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "into", "is", "of",
    "on", "or", "the", "their", "to", "via", "vs", "versus", "with", "within",
    "without", "analysis", "application", "blind", "blinded", "clinical", "controlled",
    "double", "effect", "effects", "effectiveness", "efficacy", "evaluation",
    "investigation", "multicenter", "multicentre", "observation", "open", "label",
    "patients", "patient", "phase", "pilot", "prospective", "random", "randomised",
    "randomized", "randomly", "research", "safety", "studies", "study", "therapy",
    "therapeutic", "treated", "treating", "treatment", "trial", "trials"
))


def title_words(title: str) -> tuple[str, ...]:
    """The content words of a title, lower case, in order, each once."""
    return tuple(dict.fromkeys(w for w in default_process(title).split()
                               if w not in _STOP and len(w) > 1))


def _loosely_in(word: str, other: tuple[str, ...]) -> bool:
    """``word`` is in ``other`` as spelled or nearly (cell/cells, randomised/randomized,
    transplant/transplantation)."""
    if len(word) < 4:
        return False
    if len(word) >= 5 and any(len(o) >= 5 and (o.startswith(word) or word.startswith(o))
                              for o in other):
        return True
    longer = [o for o in other if len(o) >= 4]
    return bool(longer) and process.extractOne(word, longer, scorer=fuzz.ratio,
                                               score_cutoff=85) is not None


def _acronym(word: str) -> str | None:
    """``word`` as the initials it may stand for ('mscs' -> 'msc'), or None."""
    if not word.isalpha() or not 2 <= len(word) <= 6:
        return None
    return word[:-1] if len(word) >= 4 and word.endswith("s") else word


def _spelled_runs(acronym: str, words: tuple[str, ...]) -> list[tuple[str, ...]]:
    n = len(acronym)
    return [words[i:i + n] for i in range(len(words) - n + 1)
            if all(words[i + j][0] == acronym[j] for j in range(n))]


def _covered(words: tuple[str, ...], other: tuple[str, ...]) -> set[str]:
    """The words of one title that the other title also says (or abbreviates)."""
    said = set(other)
    covered = {w for w in words if w in said or _loosely_in(w, other)}
    for o in other:  # the other title's acronym spells a run of these words
        short = _acronym(o)
        if short is not None and o not in covered:
            for run in _spelled_runs(short, words):
                covered.update(run)
    for w in words:  # this title's acronym spelled out in the other
        short = _acronym(w)
        if short is not None and w not in covered and _spelled_runs(short, other):
            covered.add(w)
    return covered


class TitleWeights:
    """Inverse document frequency of each word over the review's titles."""

    def __init__(self, titles: Iterable[tuple[str, ...]]) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        self._weights: dict[str, float] = {}
        for words in titles:
            self.n += 1
            self.df.update(set(words))

    def weight(self, word: str) -> float:
        known = self._weights.get(word)
        if known is None:
            known = self._weights[word] = self._weight(word)
        return known

    def _weight(self, word: str) -> float:
        # log((N + 1)/df): a word in every title counts little but above zero, a word
        # in one title of many counts most; between two titles a word only one has
        # still weighs 2.7 times a shared one
        return math.log((self.n + 1) / max(self.df.get(word, 0), 1))

    def distinctive(self, words: tuple[str, ...]) -> str:
        """The title's words less those in more than a quarter of the review's titles
        (its topic), as text for a fast string score; all its words if none is left.
        A word two titles share is kept however small the review: it may be their trial's."""
        rare = [w for w in words if self.df.get(w, 0) <= max(2, self.n / 4)]
        return " ".join(rare or words)

    def similarity(self, a: tuple[str, ...], b: tuple[str, ...]) -> float:
        """0-100: the larger share (by weight) of either title that the other also says.

        Like ``token_set_ratio`` a short title inside a longer one scores high, but a
        distinguishing word missing from the other title costs what it weighs."""
        if not a or not b:
            return 0.0
        best = 0.0
        for words, other in ((a, b), (b, a)):
            total = sum(self.weight(w) for w in words)
            said = sum(self.weight(w) for w in _covered(words, other))
            best = max(best, said / total)
        return 100.0 * best
