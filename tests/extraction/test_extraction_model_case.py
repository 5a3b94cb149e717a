"""The model case from the bundled sample data: sample_exports/extraction.csv and rob.csv
imported for two reviewers with the shipped MSC form, analysed with the shipped analyses.

The expected figures are those sample_exports/README.md quotes from its own
DerSimonian-Laird pool of the file (they are tuned towards Zeng et al. 2025).
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[2] / "sample_exports"
EXAMPLES = resources.files("reviewflow.extraction").joinpath("examples")


def _ok(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, f"{args}: {res.output} {res.exception}"
    return res.output


@pytest.fixture(scope="module")
def model_case(tmp_path_factory) -> tuple[Path, dict, str]:
    rev = tmp_path_factory.mktemp("msc") / "rev"
    _ok("init", str(rev), "--title", "MSC model case")
    shutil.copy(str(EXAMPLES / "msc_extraction_form.toml"), rev / "extraction_form.toml")
    shutil.copy(str(EXAMPLES / "msc_analyses.toml"), rev / "analyses.toml")
    r = ["--review", str(rev)]
    for who in ("reviewer_a", "reviewer_b"):
        _ok(*r, "reviewer", "add", who)
    for who in ("reviewer_a", "reviewer_b"):
        _ok(*r, "extraction", "import", str(SAMPLES / "extraction.csv"), "--reviewer", who,
            "--create-studies")
        _ok(*r, "rob", "import", str(SAMPLES / "rob.csv"), "--reviewer", who)
    out = _ok(*r, "analyse", "--all")
    results = json.loads((rev / "analyses" / "results.json").read_text(encoding="utf-8"))
    return rev, results, out


def _rounded(block: dict) -> float:
    return round(block["estimate"], 2)


def test_osteoarthritis_vas_by_cell_source(model_case) -> None:
    _rev, results, out = model_case
    groups = {g["name"]: g for g in results["oa_vas"]["result"]["subgroups"]}
    assert list(groups) == ["bone marrow", "umbilical cord", "adipose tissue"]  # form order
    assert [_rounded(groups[g]) for g in groups] == [-0.95, -1.25, -1.26]
    assert all(g["k"] == 4 for g in groups.values())
    assert "bone marrow (k = 4): SMD = -0.95" in out
    # The sample data were tuned to the published CIs too (Zeng 2025: -1.55 to -0.36,
    # -2.04 to -0.46, -1.99 to -0.52); the engine must land within rounding of them.
    published = [(-1.55, -0.36), (-2.04, -0.46), (-1.99, -0.52)]
    for g, (lo, hi) in zip(groups.values(), published, strict=True):
        assert abs(g["ci_low"] - lo) <= 0.015 and abs(g["ci_high"] - hi) <= 0.015, g


def test_sle_ibd_ms_and_adverse_events(model_case) -> None:
    _rev, results, _out = model_case
    sle = results["sle_sledai"]["result"]["overall"]
    assert _rounded(sle) == -2.32
    assert (round(sle["ci_low"], 2), round(sle["ci_high"], 2)) == (-3.59, -1.06)
    assert _rounded(results["ibd_response"]["result"]["overall"]) == 2.03
    assert _rounded(results["ms_edss"]["result"]["overall"]) == -0.08
    groups = results["adverse_events"]["result"]["subgroups"]
    ae = {g["name"]: (_rounded(g), g["k"]) for g in groups}
    assert ae == {"osteoarthritis": (1.22, 12), "systemic lupus erythematosus": (0.82, 5),
                  "inflammatory bowel disease": (0.99, 6), "multiple sclerosis": (1.13, 4)}


def test_three_arm_and_median_trials(model_case) -> None:
    """Hu 2017 (umbilical cord and bone marrow vs one control) sits in both subgroups with
    its control split; Choi 2020's medians/IQRs are converted, traced and marked, and the
    reported-only run leaves it out."""
    from reviewflow.pooling import conversions as cv

    rev, results, out = model_case
    ra = results["ra_das28"]
    studies = {s["study"]: s["subgroup"] for s in ra["result"]["studies"]}
    assert studies == {"Hu 2017 (bone marrow)": "bone marrow",
                       "Hu 2017 (umbilical cord)": "umbilical cord",
                       "Choi 2020": "adipose tissue"}
    trace = {e["label"]: e for e in ra["result"]["input"]}
    controls = [next(a for a in trace[f"Hu 2017 ({g})"]["arms"] if a["role"] == "control")
                for g in ("bone marrow", "umbilical cord")]
    assert sorted(c["values"]["n"]["value"] for c in controls) == [18, 19]  # 37 split
    choi = {a["role"]: a["values"] for a in trace["Choi 2020"]["arms"]}
    assert choi["intervention"]["mean"]["method"] == "luo2018"
    assert choi["intervention"]["sd"]["method"] == "wan2014"
    expected = cv.from_median(36, 3.85, 3.03, 4.67)
    assert choi["intervention"]["sd"]["value"] == pytest.approx(expected.sd.value)
    assert trace["Choi 2020"]["origin"] == "converted"
    assert [s["study"] for s in ra["reported_only"]["studies"]] == [
        "Hu 2017 (bone marrow)", "Hu 2017 (umbilical cord)"]
    assert "Reported data only (k = 2): SMD = " in out
    assert "Multi-arm: Hu 2017: control split between 2 comparisons (Handbook 23.3.4)" in out
    assert trace["Hu 2017 (bone marrow)"]["handling"] == "control split 2/2 (Handbook 23.3.4)"
    data = (rev / "analyses" / "ra_das28_data.csv").read_text().splitlines()
    assert data[1] == "Hu 2017 (bone marrow),4.11,1.08,36,4.53,1.12,18,bone marrow"
    assert (rev / "analyses" / "ra_das28_reported_only_forest.png").is_file()
    # the report shows both runs and lists each converted value with its method
    _ok("report", "--review", str(rev), "--out", str(rev / "report"))
    html = (rev / "report" / "report.html").read_text(encoding="utf-8")
    assert "Forest plot, reported data only (sensitivity analysis): Rheumatoid" in html
    assert "<td>Choi 2020 †</td><td>MSC</td><td>mean</td>" in html
    assert "<td>luo2018</td><td>q1, median, q3, n</td>" in html


def test_plots_from_the_model_case(model_case) -> None:
    rev, _results, _out = model_case
    files = {p.name for p in (rev / "analyses").iterdir()}
    assert {"oa_vas_forest.png", "oa_vas_funnel.png", "adverse_events_funnel.png"} <= files
    assert "sle_sledai_funnel.png" not in files  # 5 studies
    out = rev / "rob.png"
    _ok("--review", str(rev), "rob", "plot", "--out", str(out))
    assert (rev / "rob_traffic.png").stat().st_size > 20_000
    assert (rev / "rob_summary.png").stat().st_size > 10_000


def test_demo_step_builds_the_same_results(tmp_path: Path, model_case) -> None:
    from reviewflow.extraction.demo_step import run_demo_extraction
    from reviewflow.extraction.run_analysis import summary_lines
    from reviewflow.store.db import Store

    folder = tmp_path / "demo"
    folder.mkdir()
    from reviewflow.extraction.demo_step import REVIEWERS
    from tests.screening.support import add_reviewer

    with Store.create(f"sqlite:///{folder / 'rf.db'}", title="demo") as store:
        for name in REVIEWERS:  # the demo registers its reviewers first
            add_reviewer(store, name)
        done = run_demo_extraction(store, folder, SAMPLES)
    assert done.studies == 32 and done.judgements == 2 * 224
    assert all(p.is_file() for p in done.rob_plots)
    _rev, results, _out = model_case
    for run in done.outputs.runs:
        assert run.summary == results[run.analysis.name]["result"]
        assert summary_lines(run) == results[run.analysis.name]["lines"]
