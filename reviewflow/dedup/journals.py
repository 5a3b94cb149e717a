"""Do two journal names denote the same journal?

Databases write 'New England Journal of Medicine', 'N Engl J Med', 'NEJM',
'BMJ', 'British Medical Journal', 'JThoracCardiovascSurg', mis-decoded
'bronconeumolog a' or a British/American spelling. A name matches another when
its words abbreviate the other's words in order, when a single word squeezes
prefixes of all the other's words together ('bmj', 'amcis', 'jthoraccardiovascsurg'),
or when the two are near-identical strings. Translations ('Ai Zheng' vs
'Chinese Journal of Cancer') are not decoded: journal agreement is only ever
*support* for a merge, never required on its own.
"""

from __future__ import annotations

from functools import cache, lru_cache

from rapidfuzz import fuzz

_SKIPPABLE = {"the", "of", "and", "in", "for", "on", "de", "la", "le", "des", "der", "und",
              "et", "y", "a", "an", "du", "di", "official", "publication", "journal"}


@lru_cache(maxsize=200_000)
def journal_compatible(a: str, b: str) -> bool:
    """True when normalised journal names *a* and *b* may be the same journal ('' = unknown)."""
    if not a or not b or a == b:
        return True
    wa, wb = a.split(), b.split()
    if a.replace(" ", "") == b.replace(" ", ""):
        return True
    ta = [w for w in wa if w not in _SKIPPABLE and w != "j"]
    tb = [w for w in wb if w not in _SKIPPABLE and w != "j"]
    if ta and tb and (_in_order(ta, tb) or _in_order(tb, ta)):
        return True
    if fuzz.ratio(a, b) >= 90:
        return True
    return any(len(w) >= 3 and _squeezes(w, wb) for w in wa) or any(
        len(w) >= 3 and _squeezes(w, wa) for w in wb)


def _word_matches(short: str, full: str) -> bool:
    if full.startswith(short) or (len(short) > 4 and full.startswith(short[:-1])):
        return True
    return min(len(short), len(full)) >= 5 and fuzz.ratio(short, full) >= 85


def _in_order(short: list[str], long: list[str]) -> bool:
    """Every word of *short* abbreviates a word of *long*, in order."""
    pos = 0
    for word in short:
        while pos < len(long) and not _word_matches(word, long[pos]):
            pos += 1
        if pos == len(long):
            return False
        pos += 1
    return True


def _squeezes(token: str, words: list[str]) -> bool:
    """*token* is made of prefixes of all non-skippable *words*, in order ('bmj', 'icis')."""
    if len(words) < 2:
        return False

    @cache
    def fits(ti: int, wi: int) -> bool:
        if wi == len(words):
            return ti == len(token)
        word = words[wi]
        if word in _SKIPPABLE and fits(ti, wi + 1):
            return True
        k = 1
        while k <= len(word) and ti + k <= len(token) and token[ti + k - 1] == word[k - 1]:
            if fits(ti + k, wi + 1):
                return True
            k += 1
        return False

    return fits(0, 0)
