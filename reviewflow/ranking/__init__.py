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
    sr.refit(decisions, resolutions, known_relevant)  # when due: screening.prioritise
    queue = sr.order(unscreened_ids)
"""

from reviewflow.lazy import lazy_exports

# Public names -> the module holding them. Resolved on first use (PEP 562) so that a
# light submodule (labelled CSV reading, classifier names) does not pull in scikit-learn.
_EXPORTS = {
    "decision_label": "blinding", "training_labels": "blinding",
    "recall_curve": "metrics", "rrf": "metrics", "screened_at_recall": "metrics",
    "summary": "metrics", "wss": "metrics",
    "Ranker": "model", "RankerConfig": "model",
    "ScreeningRanker": "screening_ranker",
    "StoppingEstimate": "stopping", "stopping_estimate": "stopping",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)

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
