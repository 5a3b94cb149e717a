"""Plain results of a deduplication run (no database, no I/O).

Indices refer to positions in the list of records given to
:func:`reviewflow.dedup.deduplicate`, so callers map them back to files,
positions or store rows themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewflow.records import Record


@dataclass(frozen=True)
class ScoredPair:
    """Two records (a < b) with the score and the reason for the judgement."""

    a: int
    b: int
    score: float
    reason: str


@dataclass
class DuplicateGroup:
    """Records judged certain duplicates of one another.

    ``links`` are the certain pairs that joined the group (each with its own
    reason and score, so any single merge can be explained or undone);
    ``kept`` is the member whose identity survives and ``merged`` the record
    built from the best fields of all members.
    """

    members: list[int]
    kept: int
    links: list[ScoredPair]
    merged: Record


@dataclass
class DedupResult:
    """Groups merged automatically, pairs queued for a person, related pairs."""

    n_records: int
    groups: list[DuplicateGroup] = field(default_factory=list)
    queued: list[ScoredPair] = field(default_factory=list)
    related: list[ScoredPair] = field(default_factory=list)
    n_candidates: int = 0
    n_compared: int = 0

    def labels(self) -> list[int]:
        """Group number per input record (1-based, in input order; singletons get their own)."""
        owner = list(range(self.n_records))
        for group in self.groups:
            for member in group.members:
                owner[member] = group.members[0]
        numbering: dict[int, int] = {}
        return [numbering.setdefault(o, len(numbering) + 1) for o in owner]

    @property
    def n_removed(self) -> int:
        """How many records disappear into another record by automatic merges."""
        return sum(len(g.members) - 1 for g in self.groups)
