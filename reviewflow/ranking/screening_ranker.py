"""The ranking as the screening screen holds it: keyed by record id, one per reviewer.

It glues the pieces the TUI needs so that the blinding rule cannot be
bypassed by accident: ``refit`` takes *all* decisions and resolutions and
applies :func:`training_labels` for this reviewer itself. Records the team
marked as known-relevant (seeds) count as relevant training examples for
everyone: they are shared knowledge, not another reviewer's open decision.

Threading: ``refit`` is meant for a background worker; ``order`` may be called
from the UI thread meanwhile and sees either the previous or the new model.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from reviewflow.ranking.blinding import DecisionValue, training_labels
from reviewflow.ranking.model import Ranker, RankerConfig


class ScreeningRanker:
    """One reviewer's "most relevant first" order over one record set."""

    def __init__(
        self,
        record_ids: Sequence[Hashable],
        texts: Sequence[str],
        reviewer: str,
        config: RankerConfig | None = None,
    ) -> None:
        if len(record_ids) != len(texts):
            raise ValueError("record_ids and texts differ in length")
        self.reviewer = reviewer
        self.record_ids = list(record_ids)
        self._index = {rid: i for i, rid in enumerate(self.record_ids)}
        self.ranker = Ranker(texts, config)

    @property
    def ready(self) -> bool:
        """True once there is a model (at least one relevant example seen)."""
        return self.ranker.is_fitted

    def refit(
        self,
        decisions: Iterable[tuple[Hashable, str, DecisionValue]],
        resolutions: Iterable[tuple[Hashable, DecisionValue]] = (),
        known_relevant: Iterable[Hashable] = (),
    ) -> int:
        """Refit on what this reviewer may see; returns the number of training labels."""
        labels = training_labels(decisions, resolutions, self.reviewer)
        for rid in known_relevant:
            labels.setdefault(rid, 1)
        by_index = {self._index[rid]: y for rid, y in labels.items() if rid in self._index}
        self.ranker.fit(by_index)
        return len(by_index)

    def order(self, unscreened: Iterable[Hashable]) -> list[Hashable]:
        """``unscreened`` ids, most likely relevant first (given order until ready).

        Matches ``reviewflow.screening.queue.QueueOrder``. Ids the ranker was not
        built with (imported since) are never dropped: they follow, in given order.
        """
        given = list(unscreened)
        known = [rid for rid in given if rid in self._index]
        unknown = [rid for rid in given if rid not in self._index]
        ranked = self.ranker.order([self._index[rid] for rid in known])
        return [self.record_ids[i] for i in ranked] + unknown

    def scores(self) -> dict[Hashable, float]:
        """Relevance score per record id (empty until ready)."""
        scores = self.ranker.scores()
        if scores is None:
            return {}
        return {rid: float(scores[i]) for i, rid in enumerate(self.record_ids)}
