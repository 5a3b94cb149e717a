"""End to end through the CLI: two reviewers' spreadsheets, a discrepancy found and
resolved, two outcomes with cell-source subgroups analysed, and the numbers checked
against the pooling engine called directly on the same data (built here from the
trial table, not through the extraction code)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from extraction_data import TRIALS
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.pooling import meta_analysis, result_to_json_dict
from tests.extraction.forms import TEST_FORM_TEXT

runner = CliRunner()
COLS = ["study", "outcome", "cell_source", "sample_size", "mean_treat", "sd_treat", "n_treat",
        "mean_ctrl", "sd_ctrl", "n_ctrl", "events_treat", "events_ctrl"]
ANALYSES = """
[[analysis]]
name = "vas"
title = "Pain (VAS) by cell source"
outcome = "pain_vas"
measure = "SMD"
method = "IV"
model = "random"
subgroup = "cell_source"

[[analysis]]
name = "ae"
outcome = "adverse_events"
measure = "RR"
method = "MH"
model = "fixed"
subgroup = "cell_source"
"""


def _sheet(path: Path, override: dict[tuple[str, str, str], str] | None = None) -> Path:
    rows = []
    for study, (source, n, vt, vc, (et, ec)) in TRIALS.items():
        rows.append({"study": study, "outcome": "pain_vas", "cell_source": source,
                     "sample_size": n, "mean_treat": vt[0], "sd_treat": vt[1], "n_treat": vt[2],
                     "mean_ctrl": vc[0], "sd_ctrl": vc[1], "n_ctrl": vc[2]})
        rows.append({"study": study, "outcome": "adverse_events", "cell_source": source,
                     "events_treat": et, "n_treat": vt[2], "events_ctrl": ec, "n_ctrl": vc[2]})
    for (study, outcome, col), value in (override or {}).items():
        next(r for r in rows if r["study"] == study and r["outcome"] == outcome)[col] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLS)
        w.writeheader()
        w.writerows(rows)
    return path


def _direct(outcome: str, **options) -> dict:
    """The engine on the same numbers, straight from the trial table."""
    rows = []
    for study, (source, _n, vt, vc, (et, ec)) in sorted(TRIALS.items()):
        if outcome == "pain_vas":
            rows.append({"study": study, "mean_treat": vt[0], "sd_treat": vt[1],
                         "n_treat": vt[2], "mean_ctrl": vc[0], "sd_ctrl": vc[1],
                         "n_ctrl": vc[2], "cell_source": source})
        else:
            rows.append({"study": study, "events_treat": et, "n_treat": vt[2],
                         "events_ctrl": ec, "n_ctrl": vc[2], "cell_source": source})
    return result_to_json_dict(meta_analysis(pd.DataFrame(rows), subgroup="cell_source",
                                             **options))


def invoke(*args: str):
    res = runner.invoke(app, list(args))
    return res


def test_two_reviewers_discrepancy_resolved_then_analysed(tmp_path: Path) -> None:
    rev = tmp_path / "rev"
    assert invoke("init", str(rev), "--title", "MSC OA").exit_code == 0
    r = ["--review", str(rev)]
    for name in ("alice", "bob"):
        assert invoke(*r, "reviewer", "add", name).exit_code == 0
    (rev / "extraction_form.toml").write_text(TEST_FORM_TEXT, encoding="utf-8")
    (rev / "analyses.toml").write_text(ANALYSES, encoding="utf-8")
    alice = _sheet(tmp_path / "alice.csv")
    bob = _sheet(tmp_path / "bob.csv", {("Chen 2020", "pain_vas", "sd_ctrl"): "31"})
    res = invoke(*r, "extraction", "import", str(alice), "--reviewer", "alice",
                 "--create-studies")
    assert res.exit_code == 0, res.output
    res = invoke(*r, "extraction", "import", str(bob), "--reviewer", "bob")
    assert res.exit_code == 0, res.output

    res = invoke(*r, "extraction", "compare")
    assert "Chen 2020 outcome/pain_vas/arm/ctrl/sd: alice: 13.0, bob: 31" in res.output
    assert "1 unresolved discrepancy\n" in res.output

    res = invoke(*r, "analyse", "--all")
    assert res.exit_code == 1
    assert "blocked by 1 unresolved" in str(res.exception)

    res = invoke(*r, "extraction", "resolve", "Chen 2020", "outcome/pain_vas/arm/ctrl/sd", "13",
                 "--reviewer", "alice")
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    res = invoke(*r, "analyse", "--all", "--out", str(out))
    assert res.exit_code == 0, res.output

    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for name, outcome, options in (
        ("vas", "pain_vas", {"measure": "SMD", "method": "IV", "model": "random"}),
        ("ae", "adverse_events", {"measure": "RR", "method": "MH", "model": "fixed"}),
    ):
        got, want = results[name]["result"], _direct(outcome, **options)
        for key in ("estimate", "ci_low", "ci_high", "p"):
            assert got["overall"][key] == pytest.approx(want["overall"][key], rel=1e-12)
        assert got["overall"]["heterogeneity"]["i2"] == pytest.approx(
            want["overall"]["heterogeneity"]["i2"], rel=1e-12, abs=1e-12)
        assert [g["name"] for g in got["subgroups"]] == [g["name"] for g in want["subgroups"]]
        for g, w in zip(got["subgroups"], want["subgroups"], strict=True):
            assert g["estimate"] == pytest.approx(w["estimate"], rel=1e-12)
            assert g["k"] == w["k"] == 2
        assert got["subgroup_difference"]["q"] == pytest.approx(
            want["subgroup_difference"]["q"], rel=1e-12)
        assert len(got["studies"]) == 6
    # the printed RevMan-style line carries the same rounded numbers
    o = results["vas"]["result"]["overall"]
    line = f"SMD = {o['estimate']:.2f}, 95% CI {o['ci_low']:.2f} to {o['ci_high']:.2f}"
    assert line in res.output
    assert "Test for subgroup differences" in res.output
    for f in ("vas_forest.png", "ae_forest.png", "vas_data.csv", "results.csv"):
        assert (out / f).is_file(), f
    assert not (out / "vas_funnel.png").exists()  # 6 studies: no funnel plot
    table = list(csv.DictReader((out / "results.csv").open(encoding="utf-8")))
    assert {r["group"] for r in table if r["analysis"] == "ae"} == {
        "bone marrow", "umbilical cord", "adipose tissue", "Overall"}


def test_cli_errors_are_one_line_exit_1(tmp_path: Path) -> None:
    rev = tmp_path / "rev"
    invoke("init", str(rev))
    r = ["--review", str(rev)]
    res = invoke(*r, "analyse", "--all")
    assert res.exit_code == 1 and "analyses.toml: not found" in str(res.exception)
    res = invoke(*r, "extraction", "set", "Nobody 2000", "study/country", "x", "--reviewer", "a")
    assert res.exit_code == 1 and "no study labelled" in str(res.exception)
    res = invoke(*r, "rob", "set", "X", "D1", "low", "--tool", "rob9", "--reviewer", "a")
    assert res.exit_code == 1 and "rob1 or rob2" in str(res.exception)
