"""``reviewflow simulate`` end to end (synthetic CSV; real set when the corpus exists)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app

REPO = Path(__file__).resolve().parents[2]


def write_synthetic(path: Path) -> Path:
    rows = []
    for i in range(12):
        rows.append((f"mesenchymal stem cell trial {i}", "arthritis randomised", 1))
        for j in range(5):
            rows.append((f"traffic pricing study {i}-{j}", "congestion city roads", 0))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "abstract", "label_included"])
        writer.writerows(rows)
    return path


def test_json_output_has_required_keys(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path / "set.csv")
    result = CliRunner().invoke(app, ["simulate", str(data), "--json", "--seeds", "2"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    for key in ("wss95", "wss100", "rrf10", "screened_at_95", "n_records", "n_included"):
        assert key in payload
    assert payload["n_records"] == 72 and payload["n_included"] == 12
    assert payload["seeds"] == [0, 1]
    assert len(payload["recall_curve"]) == 73
    assert payload["wss95"] > 0.5
    # the published-figure way: WSS of the mean curve over the seeds, in [-1, 1]
    assert -1.0 <= payload["wss95_asreview_pooled"] <= 1.0


def test_text_report_and_plot(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path / "set.csv")
    png = tmp_path / "curve.png"
    result = CliRunner().invoke(
        app, ["simulate", str(data), "--seed", "7", "--seeds", "1", "--plot", str(png)]
    )
    assert result.exit_code == 0, result.output
    assert "WSS@95" in result.output and "1 seed 7..7" in result.output
    assert "WSS@95 ASReview pooled" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_recall_curve_svg_is_the_same_file_each_run(tmp_path: Path) -> None:
    """A plot written twice is byte-identical (no date, fixed SVG ids): a reviewer can
    keep it under version control without noise."""
    data = write_synthetic(tmp_path / "set.csv")
    svgs = [tmp_path / "a.svg", tmp_path / "b.svg"]
    for svg in svgs:
        result = CliRunner().invoke(
            app, ["simulate", str(data), "--seed", "7", "--seeds", "1", "--plot", str(svg)]
        )
        assert result.exit_code == 0, result.output
    assert b"<svg" in svgs[0].read_bytes()
    assert svgs[0].read_bytes() == svgs[1].read_bytes()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewflow", *args],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_missing_file_is_user_error(tmp_path: Path) -> None:
    proc = run_cli("simulate", str(tmp_path / "absent.csv"))
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "cannot read" in proc.stderr


def test_unknown_classifier_is_usage_error(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path / "set.csv")
    result = CliRunner().invoke(app, ["simulate", str(data), "--classifier", "magic"])
    assert result.exit_code == 2


@pytest.mark.corpus
def test_real_set_well_above_random(corpus: Path) -> None:
    data = corpus / "screening" / "Cohen_2006_NSAIDS.csv"
    if not data.exists():
        pytest.skip(f"{data} not in the corpus")
    result = CliRunner().invoke(app, ["simulate", str(data), "--json", "--seeds", "2"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["n_records"] == 393 and payload["n_included"] == 41
    # random order gives WSS@95 about 0 and RRF@10 about 0.10
    assert payload["wss95"] > 0.45
    assert payload["rrf10"] > 0.25


def test_refit_fraction_is_an_option_and_reported(tmp_path: Path) -> None:
    data = write_synthetic(tmp_path / "set.csv")
    runs = {}
    for args in ([], ["--refit-fraction", "0.2"]):
        result = CliRunner().invoke(app, ["simulate", str(data), "--json", "--seeds", "1", *args])
        assert result.exit_code == 0, result.output
        payload = json.loads(result.output)
        runs[payload["refit_fraction"]] = payload
    assert set(runs) == {0.0, 0.2}
    assert all(p["wss95"] > 0.5 for p in runs.values())
    bad = CliRunner().invoke(app, ["simulate", str(data), "--refit-fraction", "2"])
    assert bad.exit_code != 0


def test_large_sets_refit_every_five_percent_by_default(tmp_path: Path, monkeypatch) -> None:
    import reviewflow.cli.simulate as simulate_cli

    data = write_synthetic(tmp_path / "set.csv")  # 72 records
    monkeypatch.setattr(simulate_cli, "EVERY_RECORD_UP_TO", 50)
    result = CliRunner().invoke(app, ["simulate", str(data), "--json", "--seeds", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["refit_fraction"] == 0.05
