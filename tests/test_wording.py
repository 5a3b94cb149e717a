"""Counts are worded through ``reviewflow.wording.plural``: "1 screener", "2 records".

"2 screener(s)" and "1 records" read as unfinished software in front of reviewers;
no string the program prints may hedge a plural with "(s)", and the places that
print counts of one say it in the singular.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from reviewflow.review_state.policy import ScreeningPolicy
from reviewflow.wording import plural

ROOT = Path(__file__).resolve().parents[1] / "reviewflow"
HEDGED = re.compile(r"[a-z]\((s|es)\)")
# words that are not ours to change: Scopus's own column heading
FOREIGN = ("author(s) id",)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_printed_string_hedges_a_plural() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip and HEDGED.search(node.value)
                    and not any(f in node.value for f in FOREIGN)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()!r}")
    assert found == [], "use reviewflow.wording.plural"


def test_plural() -> None:
    assert [plural(1, "screener"), plural(2, "screener"), plural(0, "record")] == [
        "1 screener", "2 screeners", "0 records"]
    assert [plural(1, "study"), plural(3, "study"), plural(2, "analysis"),
            plural(2, "unknown key"), plural(2, "summary of findings table")] == [
        "1 study", "3 studies", "2 analyses", "2 unknown keys", "2 summary of findings tables"]


def test_screening_rules_line() -> None:
    text = ScreeningPolicy(required_title_abstract=1, required_full_text=2).describe()
    assert text == "blind on; title/abstract: 1 screener, full text: 2 screeners"
