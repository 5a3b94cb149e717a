"""Inter-rater agreement: Cohen's kappa and percent agreement per stage, on independent votes.

Agreement is measured on what a decision means for progression (maybe counts as
include; not retrieved is its own category), over the records both screeners of
a pair decided independently at that stage: a vote changed after the reveal
never counts. "After resolution" replaces both votes on a resolved record by the
resolution, so it shows how much disagreement is still open. Kappa is undefined
(None) when chance agreement is 1 (both used one identical category).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from reviewflow.review_state.votes import RecordStatus, category


@dataclass(frozen=True)
class Agreement:
    """Agreement between two screeners at one stage."""

    stage: str
    reviewer_a: str
    reviewer_b: str
    n: int
    percent: float | None
    kappa: float | None  # on independent votes
    percent_resolved: float | None = None
    kappa_resolved: float | None = None  # with resolutions in place of the votes they settle


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> tuple[float | None, float | None]:
    """(percent agreement, Cohen's kappa) of paired ratings; (None, None) when empty.

    kappa = (p_o - p_e) / (1 - p_e) with p_e the sum over categories of the
    product of the two raters' marginal proportions (Cohen 1960).
    """
    n = len(pairs)
    if n == 0:
        return None, None
    p_o = sum(a == b for a, b in pairs) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    p_e = sum(count_a[k] * count_b[k] for k in count_a) / (n * n)
    kappa = None if p_e == 1 else (p_o - p_e) / (1 - p_e)
    return 100.0 * p_o, kappa


def fleiss_kappa(items: Sequence[Sequence[str]]) -> float | None:
    """Fleiss' kappa (Fleiss 1971) of items each rated by the same number of raters.

    kappa = (P_bar - P_e) / (1 - P_e), with P_i = (sum_j n_ij^2 - m) / (m (m - 1)) the
    agreement on item i among its m ratings, P_bar their mean and P_e the sum of the
    squared overall category proportions. None when there are no items, fewer than
    two ratings per item, or P_e = 1 (every rating in one category).
    """
    if not items:
        return None
    m = len(items[0])
    if m < 2 or any(len(it) != m for it in items):
        return None
    n = len(items)
    totals: Counter[str] = Counter()
    p_bar = 0.0
    for it in items:
        counts = Counter(it)
        totals.update(counts)
        p_bar += (sum(c * c for c in counts.values()) - m) / (m * (m - 1))
    p_bar /= n
    p_e = sum((c / (n * m)) ** 2 for c in totals.values())
    return None if p_e == 1 else (p_bar - p_e) / (1 - p_e)


def stage_agreement(stage: str, statuses: Iterable[RecordStatus]) -> list[Agreement]:
    """Kappa and percent agreement for every pair of screeners with shared records."""
    before: dict[tuple[str, str], list[tuple[str, str]]] = {}
    after: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for status in statuses:
        res = status.resolution
        for a, b in combinations(status.all_independent, 2):
            pair = (category(a.decision), category(b.decision))
            before.setdefault((a.reviewer, b.reviewer), []).append(pair)
            settled = (category(res.decision),) * 2 if res is not None else pair
            after.setdefault((a.reviewer, b.reviewer), []).append(settled)  # type: ignore[arg-type]
    result = []
    for (a, b), pairs in sorted(before.items()):
        percent, kappa = cohen_kappa(pairs)
        percent_r, kappa_r = cohen_kappa(after[(a, b)])
        result.append(Agreement(stage, a, b, len(pairs), percent, kappa, percent_r, kappa_r))
    return result
