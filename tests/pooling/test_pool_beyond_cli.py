"""`reviewflow pool --moderator/--trim-fill`: the names scripts rely on and metafor's numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app, main

runner = CliRunner()
FIXTURES = json.loads((Path(__file__).parent / "fixtures" / "metareg_reference.json").read_text())

# dat.bcg (metadat) with absolute latitude and allocation, as the CSV a reviewer writes
BCG = """study,events_treat,n_treat,events_ctrl,n_ctrl,alloc,ablat
Aronson 1948,4,123,11,139,random,44
Ferguson & Simes 1949,6,306,29,303,random,55
Rosenthal et al 1960,3,231,11,220,random,42
Hart & Sutherland 1977,62,13598,248,12867,random,52
Frimodt-Moller et al 1973,33,5069,47,5808,alternate,13
Stein & Aronson 1953,180,1541,372,1451,alternate,44
Vandiviere et al 1973,8,2545,10,629,random,19
TPT Madras 1980,505,88391,499,88391,random,13
Coetzee & Berjak 1968,29,7499,45,7277,random,27
Rosenthal et al 1961,17,1716,65,1665,systematic,42
Comstock et al 1974,186,50634,141,27338,systematic,18
Comstock & Webster 1969,5,2498,3,2341,systematic,33
Comstock et al 1976,27,16913,29,17854,systematic,33
"""


def case(name: str, group: str = "metareg") -> dict:
    return next(c for c in FIXTURES[group] if c["name"] == name)


def pool_json(tmp_path: Path, *args: str) -> dict:
    path = tmp_path / "bcg.csv"
    path.write_text(BCG)
    res = runner.invoke(app, ["pool", str(path), "--measure", "RR", "--method", "IV", *args,
                              "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize(("args", "ref"), [
    (("--model", "random", "--tau2", "REML", "--moderator", "ablat", "--moderator", "alloc"),
     "bcg ablat+alloc REML"),
    (("--model", "random", "--tau2", "PM", "--moderator", "alloc", "--hksj"), "bcg alloc knha PM"),
    (("--model", "random", "--tau2", "DL", "--moderator", "ablat"), "bcg ablat DL"),
    (("--model", "fixed", "--moderator", "ablat"), "bcg ablat FE"),
])
def test_moderators_give_metafors_meta_regression(tmp_path: Path, args, ref) -> None:
    out = pool_json(tmp_path, *args)["meta_regression"]
    expected = case(ref)
    assert [c["name"] for c in out["coefficients"]] == [c["name"] for c in expected["coefficients"]]
    for ours, theirs in zip(out["coefficients"], expected["coefficients"], strict=True):
        for key in ("estimate", "se", "stat", "p", "ci_low", "ci_high"):
            assert ours[key] == pytest.approx(theirs[key], rel=1e-6), key
    assert out["qm"]["stat"] == pytest.approx(expected["qm"], rel=1e-6)
    assert out["qm"]["p"] == pytest.approx(expected["qm_p"], rel=1e-6)
    assert out["qe"]["q"] == pytest.approx(expected["qe"], rel=1e-6)
    assert out["test"] == ("knha" if expected["knha"] else "z")
    if expected["tau2"] is None:
        assert out["tau2"] is None and out["model"] == "fixed"
    else:
        assert out["tau2"] == pytest.approx(expected["tau2"], rel=1e-6)
        assert out["r2"] == pytest.approx(expected["r2"], rel=1e-6)


def test_trim_fill_reports_k0_side_and_the_adjusted_ratio(tmp_path: Path) -> None:
    out = pool_json(tmp_path, "--model", "random", "--tau2", "REML", "--trim-fill")
    ref = case("bcg REML", "trimfill")
    tf = out["trim_fill"]
    assert (tf["k0"], tf["side"]) == (ref["k0"], ref["side"])
    assert tf["adjusted"]["estimate"] == pytest.approx(math.exp(ref["adjusted"]["estimate"]),
                                                       rel=1e-6)
    assert tf["adjusted"]["ci_low"] == pytest.approx(math.exp(ref["adjusted"]["ci_low"]),
                                                     rel=1e-6)
    assert tf["observed"]["estimate"] == pytest.approx(out["overall"]["estimate"], rel=1e-9)
    assert [f["mirror_of"] for f in tf["filled"]] == ["Vandiviere et al 1973"]
    assert "meta_regression" not in out


def test_text_output_shows_both_sections(tmp_path: Path) -> None:
    path = tmp_path / "bcg.csv"
    path.write_text(BCG)
    res = runner.invoke(app, ["pool", str(path), "--measure", "RR", "--method", "IV",
                              "--model", "random", "--moderator", "ablat", "--trim-fill"])
    assert res.exit_code == 0, res.output
    assert "Test of moderators (QM)" in res.stdout
    assert "Trim-and-fill (L0): 1 study estimated missing on the right" in res.stdout


@pytest.mark.parametrize(("csv", "args", "message"), [
    (BCG, ("--moderator", "latitude"), "missing moderator column 'latitude'"),
    (BCG.replace(",random,44\n", ",random,\n", 1), ("--moderator", "ablat"), "line 2"),
    (BCG.replace("systematic", "random").replace("alternate", "random"),
     ("--moderator", "alloc"), "single level"),
])
def test_bad_moderators_are_one_line_errors(tmp_path: Path, capsys, csv, args, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv)
    with pytest.raises(SystemExit) as exc:
        main(["pool", str(path), "--measure", "RR", "--method", "IV", "--model", "random",
              *args])
    err = capsys.readouterr().err
    assert exc.value.code == 1
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_funnel_bubble_and_prediction_interval_plots(tmp_path: Path, capsys) -> None:
    path = tmp_path / "bcg.csv"
    path.write_text(BCG)
    base = [str(path), "--measure", "RR", "--method", "IV", "--model", "random"]
    out = {k: tmp_path / f"{k}.png" for k in ("funnel", "bubble", "forest", "contour")}
    res = runner.invoke(app, ["pool", *base, "--moderator", "ablat", "--trim-fill",
                              "--funnel", str(out["funnel"]), "--bubble", str(out["bubble"]),
                              "--plot", str(out["forest"]), "--prediction-interval"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["pool", *base, "--funnel", str(out["contour"])])
    assert res.exit_code == 0, res.output
    for p in out.values():
        assert p.is_file() and p.stat().st_size > 20_000, p
    with pytest.raises(SystemExit) as exc:
        main(["pool", *base, "--moderator", "alloc", "--bubble", str(tmp_path / "b.png")])
    assert exc.value.code == 1
    assert "--bubble needs a numeric --moderator" in capsys.readouterr().err
