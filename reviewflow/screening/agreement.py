"""Inter-rater agreement: Cohen's kappa and percent agreement per stage.

Agreement is measured on what a decision means for progression (maybe counts as
include; not retrieved is its own category), over the records both reviewers of
a pair have decided at that stage. Kappa is undefined (None) when chance
agreement is 1, i.e. both reviewers used a single, identical category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from reviewflow.screening.state import RecordStatus, category


@dataclass(frozen=True)
class Agreement:
    """Agreement between two reviewers at one stage."""

    stage: str
    reviewer_a: str
    reviewer_b: str
    n: int
    percent: float | None
    kappa: float | None


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


def stage_agreement(stage: str, statuses: Iterable[RecordStatus]) -> list[Agreement]:
    """Kappa and percent agreement for every pair of reviewers with shared records."""
    by_pair: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for status in statuses:
        for a, b in combinations(sorted(status.votes, key=lambda v: v.reviewer), 2):
            by_pair.setdefault((a.reviewer, b.reviewer), []).append(
                (category(a.decision), category(b.decision))
            )
    result = []
    for (a, b), pairs in sorted(by_pair.items()):
        percent, kappa = cohen_kappa(pairs)
        result.append(Agreement(stage, a, b, len(pairs), percent, kappa))
    return result
