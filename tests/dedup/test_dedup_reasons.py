"""Verdicts carry a reason kind (an enum) that code branches on, and the certain-merge
rules are a table: each row is reachable and names its own kind."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from reviewflow.dedup.compare import CERTAIN_RULES, compare
from reviewflow.dedup.normalise import normalise
from reviewflow.dedup.verdict import Reason
from reviewflow.records import Record

BASE = Record(title="Mesenchymal stem cells for knee osteoarthritis: a randomized controlled "
              "trial of intra-articular injection", authors=["Lamo-Espinosa, JM", "Mora, G"],
              year=2016, journal="Journal of Translational Medicine", volume="14", issue="1",
              pages="246-254", doi="10.1186/s12967-016-0998-2")


def kind(a: Record, b: Record) -> Reason:
    return compare(normalise(a, 0), normalise(b, 1)).kind


def test_hard_rules_name_their_kind() -> None:
    others = ["Smith, John", "Jones, Kate"]
    two_dois = replace(BASE, doi="10.1186/s12967-016-0999-9")
    assert kind(BASE, replace(two_dois, authors=others)) is Reason.DIFFERENT_DOIS
    assert kind(BASE, two_dois) is Reason.PUBLISHED_TWICE  # same title, authors, year, page
    moved = replace(BASE, doi=None, pages="300-310", authors=others)
    assert kind(BASE, moved) is Reason.DIFFERENT_PAGES
    erratum = replace(BASE, title="Erratum to: " + BASE.title, doi=None, pages="400")
    assert kind(BASE, erratum) is Reason.NOTICE_VS_ARTICLE


def test_similar_records_name_their_rule() -> None:
    pubmed = replace(BASE, doi=None, authors=["Lamo-Espinosa JM", "Mora G"])
    assert kind(BASE, pubmed) is Reason.TITLE_AUTHORS_SUPPORT
    assert kind(BASE, replace(BASE, journal="J Transl Med")) is Reason.SAME_IDENTIFIER
    other = Record(title="Adipose stem cells in lupus nephritis", authors=["Li, X"], year=2010)
    assert kind(BASE, other) is Reason.DISSIMILAR


def test_every_verdict_has_a_kind_and_rules_are_a_table() -> None:
    assert len(CERTAIN_RULES) >= 8
    assert all(isinstance(rule.kind, Reason) for rule in CERTAIN_RULES)


def test_no_branch_on_reason_text_in_dedup() -> None:
    """``x.reason == "..."`` / ``in (...)`` / ``.endswith`` on a verdict's text is gone."""
    root = Path(__file__).resolve().parents[2] / "reviewflow" / "dedup"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute):
                assert node.left.attr != "reason", f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Attribute):
                assert not (node.func.value.attr == "reason"
                            and node.func.attr in ("endswith", "startswith")), \
                    f"{path.name}:{node.lineno}"
