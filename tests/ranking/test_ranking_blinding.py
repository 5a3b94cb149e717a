"""The blinding rule: own decisions + resolved conflicts, never others' open decisions."""

from __future__ import annotations

import pytest

from reviewflow.ranking.blinding import decision_label, training_labels

DECISIONS = [
    (1, "ana", "include"),
    (1, "ben", "exclude"),
    (2, "ben", "include"),  # ben's open decision: must never train ana
    (3, "ana", "exclude"),
    (3, "ben", "include"),  # conflict on 3, resolved below
    (4, "ana", "maybe"),  # no label
    (5, "ana", "include"),
    (5, "ana", "exclude"),  # ana changed her mind: last decision counts
]
RESOLUTIONS = [(3, "include"), (6, "exclude")]


def test_reviewer_gets_own_decisions_and_resolutions_only() -> None:
    assert training_labels(DECISIONS, RESOLUTIONS, "ana") == {1: 1, 3: 1, 5: 0, 6: 0}


def test_other_reviewer_is_symmetric() -> None:
    assert training_labels(DECISIONS, RESOLUTIONS, "ben") == {1: 0, 2: 1, 3: 1, 6: 0}


def test_open_decision_of_other_reviewer_never_leaks() -> None:
    labels = training_labels(DECISIONS, [], "ana")
    assert 2 not in labels
    assert labels[3] == 0  # unresolved: ana's own exclusion stands, not ben's include


def test_unknown_reviewer_gets_only_resolutions() -> None:
    assert training_labels(DECISIONS, RESOLUTIONS, "cy") == {3: 1, 6: 0}


def test_decision_values() -> None:
    assert decision_label("Include") == 1
    assert decision_label(False) == 0
    assert decision_label(1) == 1
    assert decision_label("maybe") is None
    with pytest.raises(ValueError):
        decision_label("perhaps")


def test_screening_ranker_never_trains_on_other_reviewers_open_decisions() -> None:
    from reviewflow.ranking.screening_ranker import ScreeningRanker

    texts = ["stem cell arthritis trial"] * 3 + ["stock market prices"] * 3
    ids = ["a", "b", "c", "d", "e", "f"]
    decisions = [("a", "ben", "include"), ("d", "ben", "exclude")]
    ana = ScreeningRanker(ids, texts, "ana")
    assert ana.refit(decisions) == 0  # nothing of ben's reaches ana
    assert not ana.ready
    assert ana.order(["f", "b", "e"]) == ["f", "b", "e"]  # file order until ready
    ben = ScreeningRanker(ids, texts, "ben")
    assert ben.refit(decisions) == 2
    assert ben.order(["f", "b", "e"])[0] == "b"
    # a team-known relevant record seeds ana's ranking without ben's decisions
    assert ana.refit(decisions, known_relevant=["c"]) == 1
    assert ana.ready and ana.order(["f", "b", "e"])[0] == "b"


def test_screening_ranker_keeps_ids_it_was_not_built_with() -> None:
    from reviewflow.ranking.screening_ranker import ScreeningRanker

    sr = ScreeningRanker([1, 2, 3], ["stem cell", "stock market", "stem cell trial"], "ana")
    sr.refit([(1, "ana", "include"), (2, "ana", "exclude")])
    assert sr.order([99, 2, 3]) == [3, 2, 99]
