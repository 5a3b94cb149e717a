"""Candidate pairs: which records are worth comparing at all.

Comparing every pair is quadratic (100k records = 5e9 pairs). Duplicates share
something cheap to index: a DOI, a PMID, a normalised title, a volume + first
page, or they sort next to each other by title, by reversed title (catches a
different first word) or by first author + year. Exact-key blocks give all
their pairs; sorted neighbourhoods give each record its next ``window``
neighbours. Total cost is O(n log n) for the sorts plus O(n * window) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from reviewflow.dedup.normalise import Norm

WINDOW = 10
BLOCK_CAP = 30


def _exact_keys(norm: Norm) -> Iterable[str]:
    if norm.doi:
        yield "d:" + norm.doi
    if norm.pmid:
        yield "p:" + norm.pmid
    if len(norm.title_key) >= 12:
        yield "t:" + norm.title_key
        yield "t40:" + norm.title_key[:40]
    if norm.alt_title:
        yield "t:" + norm.alt_title.replace(" ", "")
    if norm.page_start and norm.volume and norm.page_start not in {"1", "0"}:
        yield f"vp:{norm.volume}|{norm.page_start}"
    if norm.page_start and norm.surnames and norm.year:
        yield f"ap:{norm.surnames[0]}|{norm.page_start}|{norm.year}"
    # a register entry meets its copies in other registers and the reports citing it
    if norm.registration:
        yield "r:" + norm.registration
    for number in sorted(norm.cited_trials)[:3]:
        yield "r:" + number


def _sort_keys() -> list[Callable[[Norm], str]]:
    return [
        lambda n: n.title_key,
        lambda n: n.title_key[::-1],
        lambda n: f"{n.surnames[0] if n.surnames else '~'}|{n.year or 0}|{n.title_key}",
        lambda n: n.alt_title.replace(" ", "") or n.title_key,
    ]


def _window_pairs(order: np.ndarray, window: int, codes: np.ndarray | None = None
                  ) -> np.ndarray:
    """Pairs (order[p], order[p+k]) for k <= window; with *codes*, only equal codes."""
    n = len(order)
    parts = []
    for k in range(1, min(window, n - 1) + 1):
        left, right = order[:-k], order[k:]
        if codes is not None:
            same = codes[:-k] == codes[k:]
            left, right = left[same], right[same]
        parts.append(np.stack([left, right], axis=1))
    if not parts:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(parts)


def _exact_pairs(norms: list[Norm], window: int) -> np.ndarray:
    """All pairs within each exact-key block of up to ``BLOCK_CAP`` records.

    Keys are turned into integer codes and sorted once; pairing each record
    with the next ``BLOCK_CAP`` records of the same code is then pure numpy.
    Larger blocks (a DOI shared by hundreds of records is a data error) only
    get their sorted neighbours, so they cannot blow up the pair count.
    """
    table: dict[str, int] = {}
    idx: list[int] = []
    code: list[int] = []
    for norm in norms:
        for key in _exact_keys(norm):
            idx.append(norm.idx)
            code.append(table.setdefault(key, len(table)))
    if not idx:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.asarray(code, dtype=np.int64)
    members = np.asarray(idx, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    return _window_pairs(members[order], max(window, BLOCK_CAP), codes[order])


def candidate_pairs(norms: list[Norm], window: int = WINDOW) -> np.ndarray:
    """Unique (i, j) index pairs with i < j, shape (m, 2)."""
    n = len(norms)
    parts: list[np.ndarray] = [_exact_pairs(norms, window)]
    for key in _sort_keys():
        keys = [key(norm) for norm in norms]
        order = np.asarray(sorted(range(n), key=keys.__getitem__), dtype=np.int64)
        has_key = np.asarray([bool(keys[i]) for i in order], dtype=bool)
        parts.append(_window_pairs(order[has_key], window))
    pairs = np.concatenate(parts)
    if len(pairs) == 0:
        return pairs
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    codes = np.sort(pairs[:, 0] * n + pairs[:, 1])
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    return np.stack([codes // n, codes % n], axis=1)
