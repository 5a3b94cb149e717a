"""`reviewflow pool --level`: every interval, label, plot and JSON field at the level asked.

Reference: metafor 3.8 at level = 90 on the BCG trials (fixtures/level_reference.json,
made by fixtures/make_level_fixtures.R).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app, main

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "level_reference.json")
                       .read_text(encoding="utf-8"))
runner = CliRunner()


@pytest.fixture
def bcg(tmp_path: Path) -> Path:
    path = tmp_path / "bcg.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(REFERENCE["data"][0]))
        writer.writeheader()
        writer.writerows(REFERENCE["data"])
    return path


def pool(path: Path, *args: str):
    return runner.invoke(app, ["pool", str(path), "--measure", "RR", "--method", "IV", *args])


@pytest.mark.parametrize(("case", "options"), [
    ("fixed", ["--model", "fixed"]),
    ("random", ["--model", "random"]),
    ("random_hksj", ["--model", "random", "--hksj"]),  # t quantile at the level too
])
def test_json_intervals_match_metafor_at_90(bcg: Path, case: str, options: list[str]) -> None:
    res = pool(bcg, *options, "--level", "0.9", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    want = REFERENCE["pooled"][case]
    assert out["level"] == REFERENCE["level"] == 0.9
    got = out["overall"]
    for key in ("estimate", "ci_low", "ci_high"):
        assert math.log(got[key]) == pytest.approx(want[key], rel=1e-9, abs=1e-12), key
    studies = {s["study"]: s for s in out["studies"]}
    for ref in REFERENCE["studies"]:
        s = studies[ref["study"]]
        assert math.log(s["ci_low"]) == pytest.approx(ref["ci_low"], rel=1e-9)
        assert math.log(s["ci_high"]) == pytest.approx(ref["ci_high"], rel=1e-9)


def test_text_and_plot_label_the_level(bcg: Path, tmp_path: Path, monkeypatch) -> None:
    import reviewflow.pooling.plots as plots

    drawn = []
    real = plots.save_forest_plot
    monkeypatch.setattr(plots, "save_forest_plot",
                        lambda result, path, **kw: drawn.append(result) or real(result, path,
                                                                                **kw))
    res = pool(bcg, "--model", "random", "--level", "0.9", "--plot", str(tmp_path / "f.png"))
    assert res.exit_code == 0, res.output
    assert "Total (90% CI)" in res.output and "95%" not in res.output
    (result,) = drawn
    texts = " ".join(t.get_text() for t in plots.forest_plot(result).texts)
    assert "IV, Random, 90% CI" in texts and "Total (90% CI)" in texts and "95%" not in texts
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_default_level_is_95(bcg: Path) -> None:
    out = json.loads(pool(bcg, "--model", "fixed", "--json").stdout)
    wide = REFERENCE["pooled"]["fixed"]
    assert out["level"] == 0.95
    assert math.log(out["overall"]["ci_low"]) < wide["ci_low"]  # wider than the 90% one


@pytest.mark.parametrize("level", ["0", "0.05", "1", "90", "-0.5", "nan"])
def test_a_level_outside_half_to_1_is_one_clear_line(bcg: Path, capsys, level: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["pool", str(bcg), "--measure", "RR", "--method", "IV", "--model", "fixed",
              "--level", level])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 1
    assert len(err.splitlines()) == 1 and "--level" in err and "from 0.5 up to 1" in err, err
