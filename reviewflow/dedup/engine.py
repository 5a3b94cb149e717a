"""The deduplication pipeline: normalise, block, prefilter, judge, group, merge.

The prefilter scores every candidate pair's titles in one vectorised
``rapidfuzz.process.cpdist`` call and drops pairs that share neither a
similar title nor an identifier nor volume + first page; only the survivors
(a few per record) get the full rule-based judgement in Python.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from rapidfuzz import fuzz, process

from reviewflow.dedup.blocking import candidate_pairs
from reviewflow.dedup.compare import compare
from reviewflow.dedup.group import complete_linkage
from reviewflow.dedup.merge import choose_kept, merged_record
from reviewflow.dedup.normalise import Norm, normalise
from reviewflow.dedup.result import DedupResult, DuplicateGroup, ScoredPair
from reviewflow.dedup.verdict import Reason, Verdict
from reviewflow.records import Record

PREFILTER_TITLE = 70.0


def _codes(values: list[str]) -> np.ndarray:
    """Integer code per value, 0 for empty, so equality tests run in numpy."""
    table: dict[str, int] = {}
    return np.asarray([table.setdefault(v, len(table) + 1) if v else 0 for v in values],
                      dtype=np.int64)


def _same(codes: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return (codes[i] != 0) & (codes[i] == codes[j])


def prefilter(norms: list[Norm], pairs: np.ndarray) -> np.ndarray:
    """Candidate pairs worth a full judgement."""
    if len(pairs) == 0:
        return pairs
    i, j = pairs[:, 0], pairs[:, 1]
    titles = np.asarray([n.title for n in norms], dtype=object)
    sim = process.cpdist(titles[i], titles[j], scorer=fuzz.ratio, dtype=np.float32,
                         workers=-1)
    has_title = np.asarray([bool(n.title) for n in norms])
    has_alt = np.asarray([bool(n.alt_title) for n in norms])
    keep = sim >= PREFILTER_TITLE
    keep |= ~has_title[i] | ~has_title[j] | has_alt[i] | has_alt[j]
    keep |= _same(_codes([n.doi for n in norms]), i, j)
    keep |= _same(_codes([n.pmid for n in norms]), i, j)
    has_registration = np.asarray([bool(n.registration) for n in norms])
    keep |= has_registration[i] | has_registration[j]  # few; judged by their number
    vp = [f"{n.volume}|{n.page_start}" if n.volume and n.page_start else "" for n in norms]
    keep |= _same(_codes(vp), i, j)
    pages = [f"{n.year}|{n.page_start}|{n.page_end}" if n.page_end else "" for n in norms]
    keep |= _same(_codes(pages), i, j)
    # a subtitle dropped by one database: one title is the start of the other
    opening = _same(_codes([n.title_key[:25] if len(n.title_key) >= 15 else "" for n in norms]),
                    i, j) & ~keep
    for k in np.flatnonzero(opening).tolist():
        ta, tb = norms[i[k]].title, norms[j[k]].title
        short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
        keep[k] = long.startswith(short)
    return pairs[keep]


PERSON_SAID_DISTINCT = Verdict("distinct", 0.0, "a person judged them distinct",
                               Reason.PERSON_DISTINCT)
# Two records an earlier run already judged: whatever it found stands (merged, queued,
# noted or left apart), so a later run neither re-judges nor joins them.
SETTLED = Verdict("distinct", 0.0, "both judged by an earlier run", Reason.SETTLED)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one run.

    A run allocates millions of small acyclic objects (keys, lists, Norms);
    each allocation burst triggers a collection that rescans everything still
    alive, which cost about a third of the CPU time at 30k records. Nothing a
    run builds needs the cycle collector; plain reference counting frees it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def deduplicate(records: list[Record],
                known_distinct: set[tuple[int, int]] | None = None,
                fresh: set[int] | None = None) -> DedupResult:
    """Find certain duplicates (grouped), possible ones (queued) and related pairs.

    ``known_distinct`` holds index pairs (a < b) a person already judged
    different; they are never merged or queued again, and they also block
    groups that would put them together.

    ``fresh`` (incremental runs on a review store) holds the indices of the
    records no earlier run has seen; None means all of them. Only pairs with a
    fresh record are judged, merged, queued or noted: what an earlier run
    decided about two older records stands, so re-running with nothing new
    changes nothing. A group holds at most one older record, which stays the
    kept one (screening decisions may already hang on it).
    """
    with _collector_paused():
        return _deduplicate(records, known_distinct, fresh)


def _deduplicate(records: list[Record], known_distinct: set[tuple[int, int]] | None,
                 fresh: set[int] | None) -> DedupResult:
    norms = [normalise(r, i) for i, r in enumerate(records)]
    candidates = candidate_pairs(norms)
    if fresh is not None:
        is_fresh = np.zeros(len(records), dtype=bool)
        is_fresh[list(fresh)] = True
        candidates = candidates[is_fresh[candidates[:, 0]] | is_fresh[candidates[:, 1]]]
    survivors = prefilter(norms, candidates)
    verdicts: dict[tuple[int, int], Verdict] = dict.fromkeys(known_distinct or (),
                                                             PERSON_SAID_DISTINCT)
    for a, b in survivors.tolist():
        if (a, b) not in verdicts:
            verdicts[(a, b)] = compare(norms[a], norms[b])

    def judge(a: int, b: int) -> Verdict:
        if (a, b) not in verdicts:
            settled = fresh is not None and a not in fresh and b not in fresh
            verdicts[(a, b)] = SETTLED if settled else compare(norms[a], norms[b])
        return verdicts[(a, b)]

    certain = [ScoredPair(a, b, v.score, v.reason)
               for (a, b), v in verdicts.items() if v.outcome == "certain"]
    groups, links, refused = complete_linkage(certain, judge)
    result = DedupResult(n_records=len(records), n_candidates=len(candidates),
                         n_compared=len(survivors))
    label = {}
    for members, group_links in zip(groups, links, strict=True):
        older = [m for m in members if m not in fresh] if fresh is not None else []
        kept = older[0] if older else choose_kept(members, norms, records)
        result.groups.append(DuplicateGroup(members, kept, group_links,
                                            merged_record(members, kept, records)))
        for m in members:
            label[m] = members[0]
    queued = {(p.a, p.b): ScoredPair(p.a, p.b, p.score, "not merged, would chain: " + p.reason)
              for p in refused}
    for (a, b), v in list(verdicts.items()):
        same_group = a in label and label.get(a) == label.get(b)
        if v.outcome == "possible" and not same_group:
            queued.setdefault((a, b), ScoredPair(a, b, v.score, v.reason))
        elif v.outcome == "related":
            result.related.append(ScoredPair(a, b, v.score, v.reason))
    result.queued = sorted(queued.values(), key=lambda p: (-p.score, p.a, p.b))
    result.groups.sort(key=lambda g: g.members[0])
    return result
