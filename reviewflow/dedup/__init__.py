"""Deduplication of bibliographic records (pure: records in, plain results out).

Entry point: :func:`deduplicate`. See :mod:`reviewflow.dedup.engine` for the
pipeline and :mod:`reviewflow.dedup.rules` for the hard rules against merging.
"""

from reviewflow.dedup.engine import deduplicate
from reviewflow.dedup.result import DedupResult, DuplicateGroup, ScoredPair
from reviewflow.dedup.verdict import Verdict

__all__ = ["DedupResult", "DuplicateGroup", "ScoredPair", "Verdict", "deduplicate"]
