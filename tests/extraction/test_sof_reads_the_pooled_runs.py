"""The summary of findings reads the analyses pooled once, never a second pooling.

A second pooling path is how a SoF table comes to disagree with the forest plot
beside it (another option, another reconciliation): the report pools each analysis
once and every later section, GRADE's included, reads those runs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from reviewflow.extraction import analysis_outputs, run_analysis
from reviewflow.grade.review_sof import review_sof
from reviewflow.report import extraction_sections as ex
from reviewflow.report import grade_sections as gr
from reviewflow.report.html import build_report
from reviewflow.store.reader import store_reader

ANALYSES = """
[[analysis]]
name = "vas"
outcome = "pain_vas"
measure = "SMD"
subgroup = "cell_source"
level = 0.9

[[analysis]]
name = "ae"
outcome = "adverse_events"
measure = "RR"
method = "MH"
"""


@pytest.fixture
def counted(monkeypatch) -> dict[str, int]:
    """Counts top-level pooling per analysis (the reported-only rerun is part of one)."""
    calls: dict[str, int] = {}
    real = run_analysis.pool

    def pool(analysis, data, *, sensitivity: bool = True):
        if sensitivity:
            calls[analysis.name] = calls.get(analysis.name, 0) + 1
        return real(analysis, data, sensitivity=sensitivity)

    monkeypatch.setattr(run_analysis, "pool", pool)
    return calls


def test_report_pools_each_analysis_once_and_sof_shows_its_numbers(extracted, tmp_path: Path,
                                                                     counted) -> None:
    folder, store, _ids = extracted
    (folder / "analyses.toml").write_text(ANALYSES, encoding="utf-8")
    with store_reader(store) as reader:
        page = build_report(reader, tmp_path / "report", folder,
                            sections=[ex.section_analyses, gr.section_small_studies,
                                      gr.section_sof], source=store.display_url
                            ).read_text(encoding="utf-8")
    assert counted == {"vas": 1, "ae": 1}
    assert "Could not" not in page
    sof = page[page.index("<table class='sof'>"):]
    # the RR row: the relative effect is the analysis's overall RR and CI
    ae = re.search(r"RR (\d+\.\d\d) \((\d+\.\d\d) to (\d+\.\d\d)\)", sof)
    assert ae is not None
    summary = page[page.index("ae: "):]
    line = re.search(r"Overall: RR = (\S+), 95% CI (\S+) to (\S+),", summary)
    assert line is not None and ae.groups() == line.groups()
    assert "Relative effect (CI)" in sof  # a 90% and a 95% analysis in one table


def test_sof_reads_given_runs_without_pooling(extracted, monkeypatch) -> None:
    folder, store, _ids = extracted
    (folder / "analyses.toml").write_text(ANALYSES, encoding="utf-8")
    form = _form(store, folder)
    with store_reader(store) as reader:
        runs = list(analysis_outputs.run_all(reader, *form, folder / "out").runs)

    def refuse(*_a, **_k):
        raise AssertionError("pooled a second time")

    monkeypatch.setattr(run_analysis, "pool", refuse)
    with store_reader(store) as reader:
        (table,) = review_sof(reader, folder, runs=runs)
    for row, run in zip(table.rows, runs, strict=True):
        o = run.result.overall
        back = math.exp if run.result.ratio else float
        assert (row.estimate, row.ci_low, row.ci_high) == (back(o.estimate), back(o.ci_low),
                                                           back(o.ci_high))
        assert row.level == run.analysis.level
        assert row.studies == o.k


def test_grade_commands_still_pool_on_their_own(extracted, counted) -> None:
    folder, store, _ids = extracted
    (folder / "analyses.toml").write_text(ANALYSES, encoding="utf-8")
    with store_reader(store) as reader:
        (table,) = review_sof(reader, folder)
    assert counted == {"vas": 1, "ae": 1} and len(table.rows) == 2


def _form(store, folder: Path):
    from reviewflow.extraction.analyses import load_analyses
    from tests.extraction.forms import form_now

    form = form_now(store, folder)[1]
    return form, load_analyses(folder, form)
