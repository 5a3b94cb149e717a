"""Accuracy on the labelled real benchmarks (../shared/corpus/dedup).

Precision of automatic merges is the hard requirement (a wrong merge loses a
study). The sensitivity floors sit a little under the figures measured when
the method was written (see bench/bench_dedup_accuracy.py), so a change that
loses recall fails here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.dedup_corpus import BIB_DEDUPE_SETS, evaluate, load_asysd, load_bib_dedupe
from reviewflow.dedup import deduplicate

pytestmark = pytest.mark.corpus

SENSITIVITY_FLOOR = {
    "cytology_screening": 0.995,
    "haematology": 0.89,
    "respiratory": 0.977,
    "stroke": 0.993,
    "digital_work": 0.991,
    "special_cases": 1.0,
    "diabetes (ASySD)": 0.998,
}


@pytest.mark.parametrize("name", BIB_DEDUPE_SETS)
def test_bib_dedupe_benchmark(corpus: Path, name: str) -> None:
    bench = load_bib_dedupe(corpus / "dedup" / "bib-dedupe" / name)
    metrics = evaluate(bench, deduplicate(bench.records))
    assert metrics["precision"] >= 0.999, metrics
    assert metrics["specificity"] >= 0.999, metrics
    assert metrics["sensitivity"] >= SENSITIVITY_FLOOR[name], metrics


def test_asysd_diabetes_benchmark(corpus: Path) -> None:
    bench = load_asysd(corpus / "dedup" / "asysd")
    assert len(bench.records) == 1845
    metrics = evaluate(bench, deduplicate(bench.records))
    assert metrics["precision"] >= 0.999, metrics
    assert metrics["sensitivity"] >= SENSITIVITY_FLOOR[bench.name], metrics
