"""``report`` and ``analyse`` derive the read model and the reconciled extraction once per
run (issue 22), however many sections or outputs use them.

Counted as the queries each derivation makes: the count of one derivation, read here,
times one. Figures are not drawn (an empty file stands for each): these tests are about
reading the store.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.reconcile import read_reconciled
from reviewflow.report.html import build_report
from reviewflow.review_state.load import read_review_state
from reviewflow.store.reader import Reader, open_sqlite_reader


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch, no_drawing: None) -> Counter[str]:
    """Every query read through a :class:`Reader`, counted (figures not drawn)."""
    seen: Counter[str] = Counter()
    real = Reader.rows

    def rows(self: Reader, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        seen[" ".join(sql.split())] += 1
        return real(self, sql, params)

    monkeypatch.setattr(Reader, "rows", rows)
    return seen


def _one(derive, reader: Reader, seen: Counter[str]) -> Counter[str]:
    """The queries one call of ``derive`` makes (taken out of ``seen``)."""
    before = seen.copy()
    derive(reader)
    made = seen - before
    assert made, "the derivation read nothing: nothing to count it by"
    seen.subtract(made)
    return made


def _times(made: Counter[str], seen: Counter[str]) -> set[int]:
    return {seen[sql] // n for sql, n in made.items()}


def test_report_derives_the_read_model_and_the_extraction_once(
        demo_build: Path, tmp_path: Path, queries: Counter[str]) -> None:
    with open_sqlite_reader(demo_build / "reviewflow.db") as reader:
        assert reader is not None
        build_report(reader, tmp_path / "report", demo_build, source="demo")
        report = queries.copy()
        state = _one(lambda r: read_review_state(r, with_sources=True), reader, queries)
        rec = _one(read_reconciled, reader, queries)
    doc = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Forest plot" in doc and "PRISMA 2020 flow diagram" in doc  # sections that use both
    # the decisions are read by the read model only; the extraction values by reconciling
    assert _times({k: v for k, v in state.items() if "screening_decision" in k}, report) == {1}
    assert _times({k: v for k, v in rec.items() if "extraction_value" in k}, report) == {1}


def test_analyse_reconciles_the_extraction_once(demo_build: Path, tmp_path: Path,
                                                 queries: Counter[str]) -> None:
    res = CliRunner().invoke(app, ["--review", str(demo_build), "analyse", "--all",
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "meta-regression" in res.output  # the analyses' and the meta-regressions' reads
    ran = queries.copy()
    with open_sqlite_reader(demo_build / "reviewflow.db") as reader:
        assert reader is not None
        rec = _one(read_reconciled, reader, queries)
    assert _times({k: v for k, v in rec.items() if "extraction_value" in k}, ran) == {1}
