"""`reviewflow pool` with arm-level columns, the long layout, --convert and --multi-arm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app, main
from reviewflow.pooling import conversions as cv

runner = CliRunner()

WIDE = ("study,mean_treat,sd_treat,n_treat,median_treat,q1_treat,q3_treat,min_treat,"
        "max_treat,se_treat,mean_ctrl,sd_ctrl,n_ctrl,ci_low_ctrl,ci_high_ctrl\n") + """\
A,10,2,20,,,,,,,8,3,25,,
B,,,100,15,10,22,,,,12,9,100,,
C,7,,30,,,,,,0.5,6,,30,5,7
D,,,100,15,10,22,0,50,,14,8,90,,
"""

LONG = """study,arm,role,n,mean,sd,median,q1,q3,cell_source
Wang 2019,BM-MSC,intervention,20,3.1,1.2,,,,bone marrow
Wang 2019,UC-MSC,intervention,21,2.9,1.1,,,,umbilical cord
Wang 2019,placebo,control,41,4.2,1.3,,,,
Li 2020,UC,intervention,30,,,2.5,1.8,3.4,umbilical cord
Li 2020,ctrl,control,30,4.0,1.5,,,,
Zhao 2018,BM,intervention,25,3.0,1.0,,,,bone marrow
Zhao 2018,ctrl,control,25,3.9,1.1,,,,
"""

LONG_EVENTS = """study,arm,role,n,events
Three arm,low dose,intervention,30,12
Three arm,high dose,intervention,31,15
Three arm,placebo,control,41,9
Two arm,MSC,intervention,40,20
Two arm,placebo,control,40,10
"""


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def pool_json(path: Path, *args: str) -> dict:
    res = runner.invoke(app, ["pool", str(path), "--json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def arm_values(doc: dict, label: str, arm: str) -> dict:
    entry = next(e for e in doc["input"] if e["label"] == label)
    return next(a for a in entry["arms"] if a["arm"] == arm)["values"]


def test_wide_columns_are_converted_and_traced(tmp_path: Path) -> None:
    doc = pool_json(write(tmp_path, WIDE), "--measure", "MD", "--method", "IV", "--model",
                    "fixed")
    b = arm_values(doc, "B", "treat")
    assert (b["mean"]["method"], b["sd"]["method"]) == ("luo2018", "wan2014")
    assert b["mean"]["value"] == pytest.approx(15.7039, rel=1e-12)
    assert b["sd"]["value"] == pytest.approx(9.0264591631442315, rel=1e-12)
    assert b["mean"]["from"] == ["q1", "median", "q3", "n"]
    assert arm_values(doc, "B", "ctrl")["mean"] == {"value": 12.0, "origin": "reported",
                                                    "method": "reported", "from": ["mean"]}
    c_treat, c_ctrl = arm_values(doc, "C", "treat"), arm_values(doc, "C", "ctrl")
    assert c_treat["sd"]["method"] == "se_sqrt_n"
    assert c_ctrl["sd"]["method"] == "ci_t" and "29 df" in c_ctrl["sd"]["note"]
    assert arm_values(doc, "D", "treat")["sd"]["method"] == "shi2020"
    assert [e["origin"] for e in doc["input"]] == ["reported", "converted", "converted",
                                                   "converted"]


def test_wide_conversion_pools_as_the_derived_plain_csv(tmp_path: Path) -> None:
    doc = pool_json(write(tmp_path, WIDE), "--measure", "MD", "--method", "IV", "--model",
                    "fixed")
    rows = ["study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl"]
    for e in doc["input"]:
        t, c = (a["values"] for a in e["arms"])
        rows.append(",".join([e["label"], *(repr(t[k]["value"]) for k in ("mean", "sd", "n")),
                              *(repr(c[k]["value"]) for k in ("mean", "sd", "n"))]))
    plain = pool_json(write(tmp_path, "\n".join(rows) + "\n", "plain.csv"), "--measure", "MD",
                      "--method", "IV", "--model", "fixed")
    assert "input" not in plain  # a plain CSV's JSON keeps the documented shape
    assert doc["overall"]["estimate"] == pytest.approx(plain["overall"]["estimate"], rel=1e-12)
    # and the independent check of the conversion itself
    ms = cv.from_median(100, 15, 10, 22)
    assert doc["studies"][1]["estimate"] == pytest.approx(ms.mean.value - 12, rel=1e-12)


def test_convert_option_chooses_other_methods(tmp_path: Path) -> None:
    doc = pool_json(write(tmp_path, WIDE), "--measure", "MD", "--method", "IV", "--model",
                    "fixed", "--convert", "wan2014")
    b = arm_values(doc, "B", "treat")
    assert (b["mean"]["method"], b["sd"]["method"]) == ("wan2014", "wan2014")
    assert b["mean"]["value"] == pytest.approx((10 + 15 + 22) / 3)
    d = arm_values(doc, "D", "treat")
    assert d["sd"]["value"] == pytest.approx(9.5160500497587908, rel=1e-12)
    res = runner.invoke(app, ["pool", str(write(tmp_path, WIDE)), "--measure", "MD",
                              "--method", "IV", "--model", "fixed", "--convert", "bland2015"])
    assert res.exit_code != 0
    assert "study 'B', arm 'treat', field median: bland2015 does not estimate the mean from " \
           "Q1/median/Q3" in str(res.exception or res.output)


def test_text_and_plot_mark_converted_rows(tmp_path: Path) -> None:
    plot = tmp_path / "f.svg"
    res = runner.invoke(app, ["pool", str(write(tmp_path, WIDE)), "--measure", "MD", "--method",
                              "IV", "--model", "fixed", "--plot", str(plot)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert any(line.startswith("B †") for line in lines)
    assert any(line.startswith("A ") and "†" not in line for line in lines)
    assert lines[-1].startswith("† converted from reported statistics")
    assert "converted from reported statistics" in plot.read_text()


def test_long_layout_splits_the_shared_control_into_subgroups(tmp_path: Path) -> None:
    doc = pool_json(write(tmp_path, LONG), "--measure", "SMD", "--method", "IV", "--model",
                    "random", "--subgroup", "cell_source")
    labels = [(s["study"], s["subgroup"]) for s in doc["studies"]]
    # split comparisons are named by their subgroup when it tells them apart
    assert ("Wang 2019 (bone marrow)", "bone marrow") in labels
    assert ("Wang 2019 (umbilical cord)", "umbilical cord") in labels
    arms = ("bone marrow", "umbilical cord")
    ns = [arm_values(doc, f"Wang 2019 ({a})", "placebo")["n"] for a in arms]
    assert [n["value"] for n in ns] == [21, 20]  # 41 divided, never counted twice
    assert ns[0]["method"] == "split_shared_arm"
    means = {arm_values(doc, f"Wang 2019 ({a})", "placebo")["mean"]["value"] for a in arms}
    assert means == {4.2}
    assert {g["name"]: g["k"] for g in doc["subgroups"]} == {"bone marrow": 2,
                                                             "umbilical cord": 2}


def test_long_layout_combine_uses_the_handbook_formula(tmp_path: Path) -> None:
    text = LONG.replace("umbilical cord", "x").replace("bone marrow", "x")
    doc = pool_json(write(tmp_path, text), "--measure", "MD", "--method", "IV", "--model",
                    "fixed", "--multi-arm", "combine")
    treat = arm_values(doc, "Wang 2019", "BM-MSC+UC-MSC")
    g = cv.combine_continuous([cv.Group(20, 3.1, 1.2), cv.Group(21, 2.9, 1.1)])
    assert treat["n"]["value"] == 41
    assert treat["mean"]["value"] == pytest.approx(g.mean)
    assert treat["sd"]["value"] == pytest.approx(g.sd)
    assert treat["sd"]["method"] == "combine_groups"
    assert arm_values(doc, "Wang 2019", "placebo")["n"]["value"] == 41


def test_long_layout_dichotomous_split_divides_events(tmp_path: Path) -> None:
    doc = pool_json(write(tmp_path, LONG_EVENTS), "--measure", "RR", "--method", "MH",
                    "--model", "fixed")
    shares = [arm_values(doc, f"Three arm ({a})", "placebo") for a in ("low dose", "high dose")]
    assert [(s["n"]["value"], s["events"]["value"]) for s in shares] == [(21, 5), (20, 4)]
    combined = pool_json(write(tmp_path, LONG_EVENTS), "--measure", "RR", "--method", "MH",
                         "--model", "fixed", "--multi-arm", "combine")
    t = arm_values(combined, "Three arm", "low dose+high dose")
    assert (t["n"]["value"], t["events"]["value"]) == (61, 27)


@pytest.mark.parametrize(("text", "message"), [
    (WIDE.replace("B,,,100,15,10,22", "B,,,100,15,16,22"),
     "study 'B', arm 'treat', field q1: Q1 (16) is above the median (15)"),
    (WIDE.replace("C,7,,30,,,,,,0.5,6,,30,5,7", "C,7,,30,,,,,,0.5,8,,30,5,7"),
     "study 'C', arm 'ctrl', field mean: 8 is outside its confidence interval 5 to 7"),
    (WIDE.replace("C,7,,30,,,,,,0.5,6,,30,5,7", "C,7,,30,,,,,,0.5,6,,1,5,7"),
     "study 'C', arm 'ctrl', field n: needs at least 2 participants"),
    (WIDE.replace("A,10,2,20,,,,,,,8,3,25,,", "A,10,2,20,,,,,,,8,3,25,,\nA,11,2,22,,,,,,,8,3,25,,"),
     "line 3: study 'A': its control arm is also on line 2; its participants would be counted"),
    (WIDE.replace("A,10,2,20,,,,,,,8,3,25,,", "A,10,2,20,,,,,,,8,3,25,,\nA,10,2,20,,,,,,,7,3,26,,"),
     "line 3: study 'A': its intervention arm is also on line 2"),
    (LONG_EVENTS.replace("placebo,control,41,9", "placebo,control,1,0"),
     "study 'Three arm', arm 'placebo', field n: splitting 1 participants into 2 comparisons "
     "leaves a comparison with 0 participants"),
    (LONG.replace("Li 2020,UC,intervention", "Li 2020,UC,treatment"),
     "line 5: column 'role': 'treatment' is not intervention or control"),
    (LONG.replace("Li 2020,UC,intervention,30,,,2.5", "Li 2020,UC,intervention,30,,,abc"),
     "line 5: column 'median': 'abc' is not a number"),
])
def test_bad_arm_input_is_one_line_and_writes_nothing(tmp_path, capsys, text, message) -> None:
    path = write(tmp_path, text)
    plot = tmp_path / "never.png"
    measure = "RR" if "events" in text.splitlines()[0] else "MD"
    method = "MH" if measure == "RR" else "IV"
    with pytest.raises(SystemExit) as exc:
        main(["pool", str(path), "--measure", measure, "--method", method, "--model", "fixed",
              "--plot", str(plot)])
    err = capsys.readouterr().err
    assert exc.value.code == 1
    assert message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not plot.exists()


def test_convert_without_convertible_columns_is_refused(tmp_path, capsys) -> None:
    path = write(tmp_path, "study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl\n"
                           "A,1,1,10,2,1,10\n")
    with pytest.raises(SystemExit):
        main(["pool", str(path), "--measure", "MD", "--method", "IV", "--model", "fixed",
              "--convert", "wan2014"])
    assert "--convert: the file has no median" in capsys.readouterr().err


GENERIC = """study,estimate,se,ci_low,ci_high,p,df,cluster_size,icc,mean_e,mean_c,sd_e,sd_c,corr,n
Plain,0.5,0.2,,,,,,,,,,,,
ByCI,0.3,,0.1,0.5,,,,,,,,,,
ByP,3.8,,,,0.008,45,,,,,,,,
Cluster,0.4,0.15,,,,,30,0.02,,,,,,
Crossover,,,,,,,,,7.0,6.5,2.38,2.21,0.68,10
"""


def test_generic_effects_from_ci_p_cluster_and_crossover(tmp_path: Path) -> None:
    doc = pool_json(write(tmp_path, GENERIC), "--measure", "MD", "--method", "IV", "--model",
                    "fixed")
    se = {e["label"]: e["effect"]["se"] for e in doc["input"]}
    assert se["Plain"]["method"] == "reported"
    assert se["ByCI"]["value"] == pytest.approx(0.4 / (2 * 1.959963985), rel=1e-9)
    assert se["ByP"]["value"] == pytest.approx(1.37, abs=5e-3)  # Handbook example
    assert se["Cluster"]["value"] == pytest.approx(0.15 * 1.58 ** 0.5, rel=1e-12)
    assert se["Crossover"]["value"] == pytest.approx(0.583, abs=5e-4)  # Handbook example
    assert [e["origin"] for e in doc["input"]] == ["reported", "converted", "converted",
                                                   "converted", "imputed"]
    ests = [s["estimate"] for s in doc["studies"]]
    assert ests == pytest.approx([0.5, 0.3, 3.8, 0.4, 0.5])
    text = runner.invoke(app, ["pool", str(write(tmp_path, GENERIC)), "--measure", "MD",
                               "--method", "IV", "--model", "fixed"]).stdout
    assert "Cluster †" in text and "Crossover ‡" in text and "ByCI †" in text
    assert "‡ includes imputed values (an assumed correlation or ICC)" in text


@pytest.mark.parametrize(("row", "message"), [
    ("Bad,0.9,,0.1,0.5,,,,,,,,,,", "study 'Bad', field estimate: 0.9 is outside its "
                                   "confidence interval 0.1 to 0.5"),
    ("Bad,0.9,,,,,,,,,,,,,", "study 'Bad', field se: missing value"),
    ("Bad,0.9,0.1,,,,,30,,,,,,,", "study 'Bad', field icc: a cluster trial needs its ICC"),
    ("Bad,0.9,0.1,,,,,,0.05,,,,,,", "study 'Bad', field cluster_size: a cluster trial needs "
                                    "its mean cluster size"),
])
def test_bad_generic_rows(tmp_path, capsys, row, message) -> None:
    text = GENERIC.splitlines()[0] + "\n" + row + "\n"
    with pytest.raises(SystemExit):
        main(["pool", str(write(tmp_path, text)), "--measure", "MD", "--method", "IV",
              "--model", "fixed"])
    assert message in capsys.readouterr().err


def test_hazard_ratios_pool_by_generic_inverse_variance(tmp_path, capsys) -> None:
    import math

    text = "study,estimate,ci_low,ci_high\nA,{},{},{}\nB,{},{},{}\n".format(
        *(math.log(x) for x in (0.75, 0.60, 0.94, 0.9, 0.7, 1.16)))
    doc = pool_json(write(tmp_path, text), "--measure", "HR", "--method", "IV", "--model",
                    "fixed")
    assert doc["measure"] == "HR"
    assert doc["studies"][0]["estimate"] == pytest.approx(0.75)
    assert doc["input"][0]["effect"]["se"]["method"] == "ci_z"
    with pytest.raises(SystemExit):
        main(["pool", str(write(tmp_path, "study,events_treat,n_treat,events_ctrl,n_ctrl\n"
                                          "A,1,10,2,10\n", "d.csv")),
              "--measure", "HR", "--method", "IV", "--model", "fixed"])
    assert "hazard ratios are pooled from log HR and SE" in capsys.readouterr().err


CHANGE = ("study,mean_treat,sd_treat,n_treat,sd_baseline_treat,sd_final_treat,mean_ctrl,"
          "sd_ctrl,n_ctrl,sd_baseline_ctrl,sd_final_ctrl\n") + """\
All three,1.0,4.5,129,6.4,7.1,1.5,4.2,135,7.0,6.9
Two only,-2.0,,40,5.0,6.0,-0.5,,42,5.5,5.8
"""


def test_change_sd_imputed_from_a_study_reporting_all_three(tmp_path, capsys) -> None:
    doc = pool_json(write(tmp_path, CHANGE), "--measure", "MD", "--method", "IV", "--model",
                    "fixed", "--correlation", "studies")
    r = (cv.correlation_from_change(6.4, 7.1, 4.5) + cv.correlation_from_change(7.0, 6.9, 4.2)) / 2
    sd = arm_values(doc, "Two only", "treat")["sd"]
    assert sd["value"] == pytest.approx(cv.sd_change(5.0, 6.0, r).value, rel=1e-12)
    assert sd["origin"] == "imputed" and "All three" in sd["note"]
    assert [e["origin"] for e in doc["input"]] == ["reported", "imputed"]
    named = pool_json(write(tmp_path, CHANGE), "--measure", "MD", "--method", "IV", "--model",
                      "fixed", "--correlation", "0.5")
    assert arm_values(named, "Two only", "ctrl")["sd"]["value"] == pytest.approx(
        (5.5 ** 2 + 5.8 ** 2 - 5.5 * 5.8) ** 0.5)
    with pytest.raises(SystemExit):
        main(["pool", str(write(tmp_path, CHANGE)), "--measure", "MD", "--method", "IV",
              "--model", "fixed"])
    assert "study 'Two only', arm 'treat', field sd: missing; a change-from-baseline SD" in \
        capsys.readouterr().err


def test_text_forest_marks_converted_rows(tmp_path: Path) -> None:
    from rich.console import Console

    from reviewflow.cli.pool import read_study_csv
    from reviewflow.pooling import meta_analysis
    from reviewflow.pooling.arm_csv import input_from_frame
    from reviewflow.pooling.text_forest import text_forest
    from reviewflow.pooling.trial_data import footnote

    data = input_from_frame(read_study_csv(write(tmp_path, WIDE)), source="x")
    result = meta_analysis(data.frame(), measure="MD", method="IV", model="fixed")
    console = Console(width=140, record=True)
    console.print(text_forest(result, marks=data.marks(), footnote=footnote(data.marks())))
    text = console.export_text()
    assert "B †" in text and "A †" not in text
    assert text.rstrip().endswith("† converted from reported statistics")


def test_crossover_smd_follows_the_measure(tmp_path, capsys) -> None:
    """The Handbook's cross-over example as a paired SMD: 0.218 (SE 0.256)."""
    text = "study,mean_e,mean_c,sd_e,sd_c,corr,n\nCross,7.0,6.5,2.38,2.21,0.68,10\n"
    doc = pool_json(write(tmp_path, text), "--measure", "SMD", "--method", "IV", "--model",
                    "fixed")
    effect = doc["input"][0]["effect"]
    assert effect["estimate"]["value"] == pytest.approx(0.218, abs=5e-4)
    assert effect["se"]["value"] == pytest.approx(0.256, abs=5e-4)
    with pytest.raises(SystemExit):
        main(["pool", str(write(tmp_path, text)), "--measure", "RR", "--method", "IV",
              "--model", "fixed"])
    assert "field mean_e: a cross-over trial's period means give an MD or SMD, not RR" in \
        capsys.readouterr().err


def test_cluster_trial_arm_data_use_the_effective_sample_size(tmp_path) -> None:
    """Handbook 23.1.4: n and events divided by 1 + (M - 1) ICC, mean/SD unchanged."""
    text = ("study,events_treat,n_treat,events_ctrl,n_ctrl,cluster_size,icc\n"
            "Cluster,40,300,60,310,30,0.02\nPlain,10,50,15,50,,\n")
    doc = pool_json(write(tmp_path, text), "--measure", "RR", "--method", "MH", "--model",
                    "fixed")
    treat, ctrl = (arm_values(doc, "Cluster", a) for a in ("treat", "ctrl"))
    de = 1 + 29 * 0.02
    assert (treat["n"]["value"], treat["events"]["value"]) == (round(300 / de), round(40 / de))
    assert (ctrl["n"]["value"], ctrl["events"]["value"]) == (round(310 / de), round(60 / de))
    assert treat["n"]["origin"] == "converted" and "design effect 1.58" in treat["n"]["note"]
    assert treat["n"]["method"] == "cluster_design_effect"
    assert arm_values(doc, "Plain", "treat")["n"]["origin"] == "reported"
    cont = ("study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl,cluster_size,icc\n"
            "C,5,2,100,6,2,100,11,0.1\n")
    c = pool_json(write(tmp_path, cont, "c.csv"), "--measure", "MD", "--method", "IV",
                  "--model", "fixed")
    assert arm_values(c, "C", "treat")["n"]["value"] == 50  # design effect 2
    assert arm_values(c, "C", "treat")["sd"]["value"] == 2


def test_cluster_arms_by_number_of_clusters(tmp_path, capsys) -> None:
    """Per-arm clusters: mean cluster size n/clusters; per-arm ICC overrides the study's."""
    text = ("study,events_treat,n_treat,clusters_treat,events_ctrl,n_ctrl,clusters_ctrl,icc\n"
            "Wards,40,300,10,60,310,10,0.02\n")
    doc = pool_json(write(tmp_path, text), "--measure", "RR", "--method", "MH", "--model",
                    "fixed")
    treat, ctrl = (arm_values(doc, "Wards", a) for a in ("treat", "ctrl"))
    assert treat["n"]["value"] == 190  # 300 / (1 + 29 x 0.02) = 189.9
    assert ctrl["n"]["value"] == 194  # 310 / (1 + 30 x 0.02) = 193.75
    assert treat["n"]["from"] == ["n", "clusters", "icc"]
    assert "mean cluster size 31 = n 310 / 10 clusters" in ctrl["n"]["note"]
    long = ("study,arm,role,n,events,clusters,icc\nW,a,intervention,300,40,10,0.02\n"
            "W,b,control,310,60,10,0.05\n")
    d2 = pool_json(write(tmp_path, long, "l.csv"), "--measure", "RR", "--method", "MH",
                   "--model", "fixed")
    assert arm_values(d2, "W", "b")["n"]["value"] == 124  # 310 / (1 + 30 x 0.05) = 124
    bad = text.replace(",clusters_treat,", ",clusters,")
    with pytest.raises(SystemExit):
        main(["pool", str(write(tmp_path, bad, "b.csv")), "--measure", "RR", "--method", "MH",
              "--model", "fixed"])
    assert "b.csv, line 1: column 'clusters': each arm has its own number of clusters" in \
        capsys.readouterr().err


PLAIN = "study,events_treat,n_treat,events_ctrl,n_ctrl\nA,10,50,15,50\nB,5,40,8,40\n"


@pytest.mark.parametrize(("text", "message"), [
    (PLAIN + "A,10,50,15,50\n", "line 4: study 'A' repeats line 2 (the same study and arms)"),
    (PLAIN + " a ,12,51,15,50\n", "line 4: study 'a': its control arm is also on line 2; its "
                                  "participants would be counted twice"),
    (PLAIN + "B,5,40,9,41\n", "line 4: study 'B': its intervention arm is also on line 3"),
    ("study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl\nA,5,2,20,6,2,30\n"
     "A,4.5,2,21,6,2,30\n", "line 3: study 'A': its control arm is also on line 2"),
    ("study,estimate,se\nA,0.2,0.1\nB,0.1,0.2\nA,0.3,0.15\n",
     "line 4: study 'A' is also on line 2; its participants would be counted twice"),
])
def test_plain_csv_refuses_the_same_participants_twice(tmp_path, capsys, text,
                                                       message) -> None:
    path, plot = write(tmp_path, text), tmp_path / "f.png"
    measure = "MD" if "mean_treat" in text or "estimate" in text else "RR"
    method = "IV" if measure == "MD" else "MH"
    with pytest.raises(SystemExit):
        main(["pool", str(path), "--measure", measure, "--method", method, "--model", "fixed",
              "--plot", str(plot)])
    err = capsys.readouterr().err
    assert f"{path}, {message}" in err and err.count("\n") == 1
    assert not plot.exists()


def test_plain_csv_with_a_split_control_pools_both_comparisons(tmp_path) -> None:
    # a three-arm trial as RevMan users enter it: the 50 controls split 25/25
    text = PLAIN.replace("A,10,50,15,50", "A,10,50,8,25\nA,12,51,7,25")
    doc = pool_json(write(tmp_path, text), "--measure", "RR", "--method", "MH", "--model",
                    "fixed")
    assert [s["study"] for s in doc["studies"]] == ["A", "A", "B"]
    assert "input" not in doc  # a plain CSV is pooled exactly as given
    # halves of an even split look like one control twice: label the comparisons apart
    even = PLAIN.replace("A,10,50,15,50", "A,10,50,8,25\nA,12,51,8,25")
    res = runner.invoke(app, ["pool", str(write(tmp_path, even, "e.csv")), "--measure", "RR",
                              "--method", "MH", "--model", "fixed"])
    assert res.exit_code == 1 and "label each comparison apart" in str(res.exception)
    apart = even.replace("A,12,51", "A (high dose),12,51")
    assert len(pool_json(write(tmp_path, apart, "a.csv"), "--measure", "RR", "--method", "MH",
                         "--model", "fixed")["studies"]) == 3


@pytest.mark.parametrize(("extra", "message"), [
    ("Two arm,placebo,control,40,10\n", "line 7: study 'Two arm', arm 'placebo' is also on "
                                        "line 6; its participants would be counted twice"),
    ("two  ARM,Placebo,control,40,10\n", "line 7: study 'Two arm', arm 'Placebo' is also on "
                                         "line 6"),
])
def test_long_layout_refuses_an_arm_listed_twice(tmp_path, capsys, extra, message) -> None:
    path = write(tmp_path, LONG_EVENTS + extra)
    with pytest.raises(SystemExit):
        main(["pool", str(path), "--measure", "RR", "--method", "MH", "--model", "fixed"])
    assert f"{path}, {message}" in capsys.readouterr().err


def test_long_layout_study_names_match_whatever_their_case(tmp_path) -> None:
    text = LONG_EVENTS.replace("Two arm,placebo", "TWO ARM,placebo")
    doc = pool_json(write(tmp_path, text), "--measure", "RR", "--method", "MH", "--model",
                    "fixed")
    assert [s["study"] for s in doc["studies"]] == [
        "Three arm (low dose)", "Three arm (high dose)", "Two arm"]


def test_an_assumed_icc_is_imputed(tmp_path, capsys) -> None:
    """Arms giving clusters but no ICC take the ICC --icc names: imputed, marked ‡."""
    text = ("study,events_treat,n_treat,clusters_treat,events_ctrl,n_ctrl,clusters_ctrl\n"
            "Wards,40,300,10,60,310,10\nPlain,10,50,,15,50,\n")
    path = write(tmp_path, text)
    doc = pool_json(path, "--measure", "RR", "--method", "MH", "--model", "fixed",
                    "--icc", "0.02")
    treat = arm_values(doc, "Wards", "treat")
    assert (treat["n"]["value"], treat["n"]["origin"]) == (190, "imputed")
    assert treat["n"]["from"] == ["n", "clusters"]
    assert "ICC 0.02 assumed by the analysis" in treat["n"]["note"]
    out = runner.invoke(app, ["pool", str(path), "--measure", "RR", "--method", "MH",
                              "--model", "fixed", "--icc", "0.02"]).stdout
    assert "Wards ‡" in out and "(an assumed correlation or ICC)" in out
    given = pool_json(write(tmp_path, text.replace("clusters_ctrl\n", "clusters_ctrl,icc\n")
                            .replace("310,10\n", "310,10,0.05\n"), "g.csv"),
                      "--measure", "RR", "--method", "MH", "--model", "fixed", "--icc", "0.02")
    assert arm_values(given, "Wards", "ctrl")["n"]["origin"] == "converted"  # the trial's own
    assert arm_values(given, "Wards", "ctrl")["n"]["value"] == 124  # 310 / 2.5
    with pytest.raises(SystemExit):
        main(["pool", str(path), "--measure", "RR", "--method", "MH", "--model", "fixed"])
    assert "study 'Wards', arm 'treat', field icc: a cluster trial needs its ICC" in \
        capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["pool", str(path), "--measure", "RR", "--method", "MH", "--model", "fixed",
              "--icc", "1.5"])
    assert "icc: 1.5 is not at least 0 and below 1" in capsys.readouterr().err


def test_generic_cluster_effect_with_an_assumed_icc(tmp_path) -> None:
    text = "study,estimate,se,cluster_size\nWards,0.4,0.15,30\nPlain,0.5,0.2,\n"
    doc = pool_json(write(tmp_path, text), "--measure", "MD", "--method", "IV", "--model",
                    "fixed", "--icc", "0.02")
    se = {e["label"]: e["effect"]["se"] for e in doc["input"]}
    assert se["Wards"]["value"] == pytest.approx(0.15 * 1.58 ** 0.5, rel=1e-12)
    assert se["Wards"]["origin"] == "imputed" and se["Wards"]["from"] == ["se", "cluster_size"]
    assert "ICC 0.02 assumed by the analysis" in se["Wards"]["note"]
    assert se["Plain"]["origin"] == "reported"
