"""Module docstrings say why and how; measured results live in docs/ (experiment logs).

A results table in a docstring goes stale the day the code changes and is never rerun
with it; docs/ keeps each run dated beside the command that reproduces it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted([*ROOT.glob("bench/*.py"), *ROOT.glob("reviewflow/**/*.py")])
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])")
DATED_RESULTS = re.compile(r"\b(results|measured)\b[^.\n]{0,40}20\d\d-\d\d-\d\d", re.I)


def _problem(doc: str) -> str | None:
    for line in doc.splitlines():
        if len(NUMBER.findall(line)) >= 5:
            return f"a table row: {line.strip()!r}"
    found = DATED_RESULTS.search(doc)
    return f"dated results: {found.group(0)!r}" if found else None


def test_module_docstrings_hold_no_results() -> None:
    found = {}
    for path in MODULES:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if (problem := _problem(doc)) is not None:
            found[str(path.relative_to(ROOT))] = problem
    assert len(MODULES) > 100 and found == {}, "move these to docs/"


def test_the_check_finds_a_results_block() -> None:
    assert _problem("Results (2026-11-25, `python bench/x.py`):") is not None
    assert _problem("    set   47.2 / 46.5   52.1 / 50.9   52.3 / 50.4") is not None
    assert _problem("Why: ASReview's defaults, alpha 3.822 and a=2.155.") is None
