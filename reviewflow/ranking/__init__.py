"""Prioritised screening: rank unscreened records by a model of the decisions so far.

Pure domain package: texts and labels in, orders and figures out. No database,
no UI. The screening screen uses it like this (in a background worker)::

    ranker = Ranker(texts)                       # TF-IDF once per record set
    labels = training_labels(decisions, resolutions, reviewer)   # blinding rule
    ranker.fit({index_of[rid]: y for rid, y in labels.items()})  # classifier only
    queue = ranker.order(unscreened_indices)     # most likely relevant first
    est = stopping_estimate(my_labels_in_screening_order, len(texts))

or, keyed by record id with the blinding rule applied inside::

    sr = ScreeningRanker(record_ids, texts, reviewer="ana")
    if sr.needs_refit(n_labels): sr.refit(decisions, resolutions, known_relevant)
    queue = sr.order(unscreened_ids)
"""

from reviewflow.ranking.blinding import decision_label, training_labels
from reviewflow.ranking.metrics import recall_curve, rrf, screened_at_recall, summary, wss
from reviewflow.ranking.model import Ranker, RankerConfig
from reviewflow.ranking.screening_ranker import ScreeningRanker
from reviewflow.ranking.stopping import StoppingEstimate, stopping_estimate

__all__ = [
    "Ranker",
    "RankerConfig",
    "ScreeningRanker",
    "StoppingEstimate",
    "decision_label",
    "recall_curve",
    "rrf",
    "screened_at_recall",
    "stopping_estimate",
    "summary",
    "training_labels",
    "wss",
]
