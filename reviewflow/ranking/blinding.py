"""Which decisions may train a reviewer's ranking (the blinding rule).

In dual independent screening, reviewer R must not be steered by reviewer S's
open (unresolved) decisions: if R's order were trained on S's includes, S's
judgement would leak into R's screen through the ranking. So R's training
labels are exactly

* R's own decisions, and
* the outcome of every resolved conflict (the team's agreed decision, which
  overrides R's own original decision on that record),

and never another reviewer's decision on a record without a resolution.
Decisions that are neither include nor exclude ("maybe") carry no label.
When R decided a record several times, the last one in input order counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

DecisionValue = str | bool | int

_INCLUDE = {"include", "included", "yes", "relevant", "1", "true"}
_EXCLUDE = {"exclude", "excluded", "no", "irrelevant", "0", "false"}
_NO_LABEL = {"maybe", "unsure", "undecided", ""}


def decision_label(value: DecisionValue | None) -> int | None:
    """1 for include, 0 for exclude, None for maybe/undecided."""
    if value is None:
        return None
    if isinstance(value, bool | int):
        return 1 if value else 0
    text = str(value).strip().lower()
    if text in _INCLUDE:
        return 1
    if text in _EXCLUDE:
        return 0
    if text in _NO_LABEL:
        return None
    raise ValueError(f"unknown screening decision {value!r}")


def training_labels(
    decisions: Iterable[tuple[Hashable, str, DecisionValue]],
    resolutions: Iterable[tuple[Hashable, DecisionValue]],
    reviewer: str,
) -> dict[Hashable, int]:
    """record_id -> 0/1 labels that may train ``reviewer``'s ranking.

    ``decisions`` are ``(record_id, reviewer, decision)``; ``resolutions`` are
    ``(record_id, decision)`` for resolved conflicts.
    """
    labels: dict[Hashable, int] = {}
    for record_id, who, value in decisions:
        if who != reviewer:
            continue
        label = decision_label(value)
        if label is None:
            labels.pop(record_id, None)
        else:
            labels[record_id] = label
    for record_id, value in resolutions:
        label = decision_label(value)
        if label is None:
            labels.pop(record_id, None)
        else:
            labels[record_id] = label
    return labels
