"""Cohen's kappa and percent agreement against values computed by hand."""

from __future__ import annotations

import pytest

from reviewflow.review_state.agreement import fleiss_kappa
from reviewflow.screening.agreement import cohen_kappa, stage_agreement
from reviewflow.screening.state import Vote, judge


def test_kappa_textbook_example() -> None:
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # p_o = 35/50 = 0.70; p_A(yes) = 0.5, p_B(yes) = 0.6; p_e = 0.5*0.6 + 0.5*0.4 = 0.50
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    percent, kappa = cohen_kappa(pairs)
    assert percent == pytest.approx(70.0)
    assert kappa == pytest.approx(0.40)


def test_kappa_three_categories() -> None:
    # 10 items. Agreements: inc/inc 3, exc/exc 3, nr/nr 1 -> p_o = 0.7
    # Disagreements: inc/exc 2, exc/nr 1.
    # A: inc 5, exc 4, nr 1; B: inc 3, exc 5, nr 2
    # p_e = (5*3 + 4*5 + 1*2) / 100 = 0.37; kappa = (0.7 - 0.37) / 0.63 = 0.5238095
    pairs = ([("inc", "inc")] * 3 + [("exc", "exc")] * 3 + [("nr", "nr")]
             + [("inc", "exc")] * 2 + [("exc", "nr")])
    percent, kappa = cohen_kappa(pairs)
    assert percent == pytest.approx(70.0)
    assert kappa == pytest.approx(0.33 / 0.63)


def test_kappa_undefined_and_empty() -> None:
    assert cohen_kappa([]) == (None, None)
    assert cohen_kappa([("y", "y")] * 4) == (100.0, None)  # p_e = 1: kappa undefined
    assert cohen_kappa([("y", "n"), ("n", "y")])[1] == pytest.approx(-1.0)


def test_stage_agreement_counts_maybe_as_include() -> None:
    def status(i: int, a: str, b: str):
        return judge(i, "title_abstract", (Vote(1, "ann", a), Vote(2, "bob", b)), None)

    statuses = [status(1, "include", "maybe"), status(2, "exclude", "exclude"),
                status(3, "include", "exclude"), status(4, "exclude", "exclude")]
    statuses.append(judge(5, "title_abstract", (Vote(1, "ann", "include"),), None))
    [agr] = stage_agreement("title_abstract", statuses)
    # 4 shared; agreements 3 -> 75 %; A: inc 2 exc 2; B: inc 1 exc 3
    # p_e = (2*1 + 2*3) / 16 = 0.5; kappa = (0.75 - 0.5) / 0.5 = 0.5
    assert (agr.reviewer_a, agr.reviewer_b, agr.n) == ("ann", "bob", 4)
    assert agr.percent == pytest.approx(75.0)
    assert agr.kappa == pytest.approx(0.5)


# Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychol Bull
# 76:378-382, as reproduced in most textbooks: 10 subjects, 14 raters, 5 categories;
# each row counts the raters who chose categories 1..5. Published: P_bar = 0.378,
# P_e = 0.213, kappa = 0.210.
FLEISS_TABLE = [
    (0, 0, 0, 0, 14), (0, 2, 6, 4, 2), (0, 0, 3, 5, 6), (0, 3, 9, 2, 0), (2, 2, 8, 1, 1),
    (7, 7, 0, 0, 0), (3, 2, 6, 3, 0), (2, 5, 3, 2, 2), (6, 5, 2, 1, 0), (0, 2, 2, 3, 7),
]


def test_fleiss_kappa_published_example() -> None:
    items = [[f"c{j}" for j, n in enumerate(row) for _ in range(n)] for row in FLEISS_TABLE]
    assert fleiss_kappa(items) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_edges() -> None:
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([["a"], ["b"]]) is None  # one rating per item: no agreement to measure
    assert fleiss_kappa([["a", "a", "a"], ["a", "a", "a"]]) is None  # P_e = 1
    assert fleiss_kappa([["a", "a", "a"], ["b", "b", "b"]]) == pytest.approx(1.0)
