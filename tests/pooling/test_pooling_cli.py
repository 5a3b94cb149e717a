"""`reviewflow pool`: the documented option names, JSON shape and error exits."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app, main

runner = CliRunner()

BCG = """study,events_treat,n_treat,events_ctrl,n_ctrl,alloc
Aronson 1948,4,123,11,139,random
Ferguson & Simes 1949,6,306,29,303,random
Rosenthal 1960,3,231,11,220,random
Hart & Sutherland 1977,62,13598,248,12867,random
Frimodt-Moller 1973,33,5069,47,5808,alternate
Stein & Aronson 1953,180,1541,372,1451,alternate
Empty trial,0,20,0,20,alternate
"""

CONTINUOUS = """study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl
A,10,2,20,8,3,25
B,5,1.5,30,5.5,1.2,28
C,7,2.5,15,6,2.2,16
"""


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(*args: str):
    return runner.invoke(app, ["pool", *args])


def run_main(capsys, *args: str) -> tuple[int, str]:
    """Through the real entry point, which maps user errors to exit 1."""
    with pytest.raises(SystemExit) as exc:
        main(["pool", *args])
    return int(exc.value.code or 0), capsys.readouterr().err


def test_json_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    path = write(tmp_path, BCG)
    res = run(str(path), "--measure", "RR", "--method", "MH", "--model", "random",
              "--subgroup", "alloc", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"measure", "measure_name", "method", "model", "tau2_method", "level",
                        "studies", "overall", "subgroups", "subgroup_difference"}
    assert out["measure_name"] == "Risk Ratio"
    assert (out["measure"], out["method"], out["model"], out["tau2_method"], out["level"]) == (
        "RR", "MH", "random", "DL", 0.95)
    assert set(out["studies"][0]) == {"study", "subgroup", "estimate", "ci_low", "ci_high",
                                      "weight", "estimable"}
    assert set(out["overall"]) == {"estimate", "ci_low", "ci_high", "z", "p", "heterogeneity",
                                   "prediction_interval"}
    assert set(out["overall"]["heterogeneity"]) == {"q", "df", "p", "i2", "tau2"}
    assert set(out["subgroups"][0]) == {"name", "k", "estimate", "ci_low", "ci_high", "z", "p",
                                        "heterogeneity"}
    assert set(out["subgroup_difference"]) == {"q", "df", "p", "i2"}
    empty = out["studies"][-1]
    assert empty["estimable"] is False and empty["estimate"] is None and empty["weight"] is None
    # ratio on its natural scale, weights in percent summing to 100
    first = out["studies"][0]
    assert first["estimate"] == pytest.approx((4 / 123) / (11 / 139))
    assert sum(s["weight"] for s in out["studies"] if s["estimable"]) == pytest.approx(100)
    assert out["overall"]["heterogeneity"]["df"] == 5
    assert [g["k"] for g in out["subgroups"]] == [4, 2]


def test_fixed_model_reports_no_tau2_method_nor_prediction_interval(tmp_path: Path) -> None:
    res = run(str(write(tmp_path, CONTINUOUS)), "--measure", "MD", "--method", "IV",
              "--model", "fixed", "--json")
    out = json.loads(res.stdout)
    assert out["tau2_method"] is None and out["overall"]["prediction_interval"] is None
    assert out["subgroups"] == [] and out["subgroup_difference"] is None
    assert out["studies"][0]["estimate"] == pytest.approx(2.0)


def test_random_options_reach_the_engine(tmp_path: Path) -> None:
    path = str(write(tmp_path, CONTINUOUS))
    dl = json.loads(run(path, "--measure", "SMD", "--method", "IV", "--model", "random",
                        "--json").stdout)
    hk = json.loads(run(path, "--measure", "SMD", "--method", "IV", "--model", "random",
                        "--tau2", "REML", "--hksj", "--json").stdout)
    assert hk["tau2_method"] == "REML"
    assert hk["overall"]["ci_low"] != pytest.approx(dl["overall"]["ci_low"])


def test_text_table_looks_like_revman(tmp_path: Path) -> None:
    res = run(str(write(tmp_path, BCG)), "--measure", "OR", "--method", "Peto", "--model",
              "fixed", "--subgroup", "alloc")
    assert res.exit_code == 0, res.output
    assert "Peto, Fixed, 95% CI" in res.stdout
    assert "Not estimable" in res.stdout
    assert "Test for subgroup differences: Chi² = " in res.stdout
    assert "Total (95% CI)" in res.stdout and "Subtotal (95% CI)" in res.stdout


def test_arm_names_head_the_table_and_the_plot(tmp_path: Path) -> None:
    """RevMan lets a review name its arms; the default headings stay RevMan's own."""
    data = write(tmp_path, CONTINUOUS)
    args = ["--measure", "SMD", "--method", "IV", "--model", "random"]
    res = run(str(data), *args)
    assert "Experimental" in res.stdout.splitlines()[1]
    svg = tmp_path / "forest.svg"
    res = run(str(data), *args, "--arms", "MSC, Placebo", "--plot", str(svg))
    assert res.exit_code == 0, res.output
    head = res.stdout.splitlines()[1]
    assert "MSC" in head and "Placebo" in head and "Experimental" not in res.stdout
    text = svg.read_text()
    for word in ("MSC", "Placebo", "Favours [MSC]", "Favours [Placebo]"):
        assert f">{word}<" in text or f"<!-- {word} -->" in text, word
    assert "Experimental" not in text
    res = run(str(data), *args, "--arms", "MSC")
    assert res.exit_code != 0 and "two names" in str(res.exception)


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"),
                                          (".pdf", b"%PDF")])
def test_plot_is_written_in_the_asked_format(tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"forest{suffix}"
    res = run(str(write(tmp_path, BCG)), "--measure", "RR", "--method", "MH", "--model",
              "fixed", "--subgroup", "alloc", "--plot", str(out))
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    "text,measure,expected",
    [
        ("study,events_treat,n_treat,events_ctrl\nA,1,10,2\n", "RR", "n_ctrl"),
        ("study,events_treat,n_treat,events_ctrl,n_ctrl\nA,1,10,2,10\nB,12,10,2,10\n", "RR",
         "line 3: column 'events_treat'"),
        ("study,events_treat,n_treat,events_ctrl,n_ctrl\nA,1,10,x,10\n", "OR",
         "line 2: column 'events_ctrl'"),
        (CONTINUOUS.replace("A,10,2,20", "A,10,-2,20"), "MD", "line 2: column 'sd_treat'"),
        ("study,estimate,se\nA,0.2,\n", "MD", "line 2: column 'se'"),
    ],
)
def test_bad_input_exits_1_naming_row_and_column(tmp_path, capsys, text, measure,
                                                  expected) -> None:
    method = "IV" if measure == "MD" else "MH"
    code, err = run_main(capsys, str(write(tmp_path, text)), "--measure", measure,
                         "--method", method, "--model", "fixed")
    assert code == 1
    assert expected in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_no_estimable_study_is_reported_not_estimable_as_revman_does(tmp_path, capsys) -> None:
    text = "study,events_treat,n_treat,events_ctrl,n_ctrl\nA,0,10,0,10\nB,0,12,0,9\n"
    res = run(str(write(tmp_path, text)), "--measure", "OR", "--method", "MH",
              "--model", "fixed")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.count("Not estimable") == 3  # both studies and the total
    assert "Test for overall effect: Not applicable" in out


def test_wrong_combination_is_a_user_error(tmp_path: Path, capsys) -> None:
    code, err = run_main(capsys, str(write(tmp_path, CONTINUOUS)), "--measure", "MD",
                         "--method", "MH", "--model", "fixed")
    assert code == 1 and "Mantel-Haenszel" in err


def test_unknown_choice_is_a_usage_error(tmp_path: Path) -> None:
    res = run(str(write(tmp_path, BCG)), "--measure", "ZZ", "--method", "MH", "--model", "fixed")
    assert res.exit_code == 2


def test_json_has_no_nan(tmp_path: Path) -> None:
    text = "study,estimate,se\nOnly,0.2,0.1\n"
    res = run(str(write(tmp_path, text)), "--measure", "MD", "--method", "IV", "--model",
              "random", "--json")
    out = json.loads(res.stdout)
    assert out["overall"]["heterogeneity"]["p"] is None
    assert "NaN" not in res.stdout and not math.isnan(out["overall"]["estimate"])


GENERIC_RATIOS = """study,estimate,se
A 2001,-0.69,0.2
B 2002,-0.51,0.3
C 2003,-0.22,0.25
"""


def test_measure_label_names_a_generic_ratio_in_every_output(tmp_path: Path) -> None:
    data, plot = write(tmp_path, GENERIC_RATIOS), tmp_path / "forest.svg"
    common = ("--measure", "RATIO", "--method", "IV", "--model", "random")
    res = run(str(data), *common, "--measure-label", "Ratio of means", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["measure_name"] == "Ratio of means"
    res = run(str(data), *common, "--measure-label", "Ratio of means", "--plot", str(plot))
    assert res.exit_code == 0, res.output
    assert "Ratio of means" in res.stdout and "Risk Ratio" not in res.stdout
    assert "Ratio of means" in plot.read_text(encoding="utf-8")
    plain = run(str(data), *common, "--json")
    assert json.loads(plain.stdout)["measure_name"] == "Ratio"
    # the name changes no number
    assert json.loads(plain.stdout)["overall"] == out["overall"]


def test_measure_label_for_a_standard_measure_is_one_line_naming_the_option(
        tmp_path: Path, capsys) -> None:
    code, err = run_main(capsys, str(write(tmp_path, BCG)), "--measure", "RR", "--method",
                         "MH", "--model", "fixed", "--measure-label", "Ratio of risks")
    assert code == 1
    assert err.strip().count("\n") == 0 and "--measure-label" in err and "RR" in err
