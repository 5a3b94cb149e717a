"""An analysis pooled at ``level = 0.9`` says "90% CI" everywhere it labels a CI.

A 90% interval labelled "95% CI" misreports the result; every printed or drawn label
(CLI summary, results table and JSON, text table, forest rows, TUI text forest,
prediction interval, meta-regression header) reads the analysis's level.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from forms import TEST_FORM_TEXT, input_of
from rich.console import Console
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.form import parse_form
from reviewflow.extraction.run_analysis import pool, summary_lines, text_forest
from reviewflow.pooling.beyond_text import metareg_text
from reviewflow.pooling.forest_layout import build_rows
from reviewflow.pooling.formatting import level_percent, prediction_line
from reviewflow.pooling.metareg import Moderator, design_matrix, meta_regression
from reviewflow.pooling.text_table import render_text

FORM = parse_form(TEST_FORM_TEXT)
AT_90 = ('[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\n'
         'subgroup = "cell_source"\nlevel = 0.9\nprediction_interval = true\n')


def _run(store, text: str = AT_90):
    analysis = parse_analyses(text, FORM)[0]
    return pool(analysis, input_of(store, analysis, form=FORM))


def test_level_percent() -> None:
    assert [level_percent(x) for x in (0.95, 0.9, 0.99, 0.975, 0.8)] == [
        "95", "90", "99", "97.5", "80"]


def test_every_label_of_a_90_percent_analysis(extracted) -> None:
    _folder, store, _ids = extracted
    run = _run(store)
    lines = "\n".join(summary_lines(run))
    assert "90% CI" in lines and "95%" not in lines
    table = render_text(run.result)
    assert "Subtotal (90% CI)" in table and "Total (90% CI)" in table
    assert "IV, Random, 90% CI" in table and "95%" not in table
    labels = [r.label for r in build_rows(run.result)]
    assert "Total (90% CI)" in labels and "Subtotal (90% CI)" in labels
    assert (prediction_line(run.result) or "").startswith("90% prediction interval: ")
    console = Console(width=200, record=True)
    console.print(text_forest(run, FORM))
    shown = console.export_text()
    assert "Total (90% CI)" in shown and "95%" not in shown


def test_the_default_stays_95(extracted) -> None:
    _folder, store, _ids = extracted
    run = _run(store, AT_90.replace("level = 0.9\n", ""))
    assert "Total (95% CI)" in render_text(run.result)
    assert any("Overall: SMD = " in x and "95% CI" in x for x in summary_lines(run))


def test_metaregression_header_names_its_level() -> None:
    design = design_matrix([Moderator("dose", (1.0, 2.0, 3.0, 4.0, 5.0))])
    fit = meta_regression([0.1, 0.4, 0.3, 0.8, 0.5], [0.04, 0.05, 0.03, 0.06, 0.05], design,
                          level=0.9)
    header = metareg_text(fit, ratio=False)[2]
    assert "90% CI" in header and "95%" not in header


def test_analyse_cli_output_and_files(extracted, tmp_path: Path) -> None:
    folder, store, _ids = extracted
    (folder / "analyses.toml").write_text(AT_90, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["--review", str(folder), "analyse", "vas", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "90% CI" in res.output and "95%" not in res.output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["vas"]["result"]["level"] == 0.9
    rows = list(csv.DictReader((out / "results.csv").open(encoding="utf-8")))
    assert {r["level"] for r in rows} == {"0.9"}
    assert all("90% CI" in r["line"] for r in rows)
