"""The judgement on one pair of records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["certain", "possible", "related", "distinct"]


@dataclass(frozen=True)
class Verdict:
    """Outcome for one pair with a 0-1 score and a short human-readable reason."""

    outcome: Outcome
    score: float
    reason: str
