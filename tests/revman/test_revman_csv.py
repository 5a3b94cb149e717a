"""RevMan's data-export CSV: both layouts, on hand-made files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.errors import InputError
from reviewflow.revman.csv_export import read_revman_csv
from reviewflow.revman.model import OutcomeKind, Totals

HEAD = ("Name;Data Type;Statistical Method;Effect Measure;Analysis Model;Events 1;Mean 1;SD 1;"
        "Total 1;Events 2;Mean 2;SD 2;Total 2;Effect Estimate;SE;CI Start;CI End;Weight;Q;P(Q);"
        "I²(Q);Tau²;Z;P(Z);Qint;P(Qint);I²(Qint);df;Year of study")


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text("\ufeff" + "\n".join((HEAD, *rows)) + "\n", encoding="utf-8")
    return path


def test_semicolon_layout_tells_outcomes_from_subgroups_by_qint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "MSC versus placebo" + ";" * 28,
        "Remission;DIC;MH;Risk Ratio;Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;0;1;0;1;",
        "Umbilical cord;DIC;MH;Risk Ratio;Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;;;;0;",
        "Li 2019;;;;;5;0;0;30;2;0;0;30;2.5;0.8;0.5;12;100;;;;;;;;;;;2019",
        "SLEDAI;CON;IV;Mean Difference;Random" + ";" * 24,
        "Week 12;CON;IV;Mean Difference;Random;0;;;20;0;;;20;-2;;-3;-1;100;0;1;0;0;4;0.0001;;;;0;",
        "Li 2019;;;;;0;4;2;20;0;6;2;20;-2;0.6;-3;-1;100;;;;;;;;;;;2019",
        "Week 24;CON;IV;Mean Difference;Random;0;;;18;0;;;19;-1;;-2;0;100;0;1;0;0;2;0.05;;;;0;",
        "Chen 2020;;;;;0;5;2;18;0;6;2;19;-1;0.6;-2;0;100;;;;;;;;;;;2020",
    )
    r = read_revman_csv(path)
    (comp,) = r.comparisons
    remission, sledai = comp.outcomes
    assert remission.kind is OutcomeKind.DICHOTOMOUS and remission.settings.measure == "RR"
    assert [s.name for s in remission.subgroups] == ["Umbilical cord"]
    assert remission.settings.totals is Totals.YES
    assert sledai.settings.totals is Totals.SUB and sledai.settings.random
    assert [s.name for s in sledai.subgroups] == ["Week 12", "Week 24"]
    assert [(x.study_id, x.mean_1, x.total_2) for x in sledai.all_rows()] == [
        ("Li 2019", 4, 20), ("Chen 2020", 5, 19)]


def test_bad_cell_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "C" + ";" * 28,
                 "O;DIC;MH;Risk Ratio;Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;0;1;0;1;",
                 "Li;;;;;five;0;0;30;2;0;0;30;2.5;0.8;0.5;12;100;;;;;;;;;;;2019")
    with pytest.raises(InputError, match=r"export.csv, line 4: column 'Events 1': 'five' is not"):
        read_revman_csv(path)


def test_a_csv_that_is_not_a_revman_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("study,events_treat\nA,1\n")
    with pytest.raises(InputError, match="line 1: not a RevMan data export: no column 'Name'"):
        read_revman_csv(path)


def test_a_csv_export_imports_as_a_review(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from reviewflow.cli.main import app

    path = write(
        tmp_path,
        "MSC versus placebo" + ";" * 28,
        "Remission;DIC;MH;Risk Ratio;Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;;;;0;",
        "Li 2019;;;;;5;0;0;30;2;0;0;30;2.5;0.8;0.5;12;100;;;;;;;;;;;2019",
    )
    res = CliRunner().invoke(app, ["revman", "import", str(path), str(tmp_path / "r")])
    assert res.exit_code == 0, (res.output, res.exception)
    assert "1 study, 1 record, " in res.output
    assert 'measure = "RR"' in (tmp_path / "r" / "analyses.toml").read_text()


def test_a_stray_carriage_return_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'MSC versus placebo;"unclosed' + ";" * 27)
    path.write_bytes(b"\r" + path.read_bytes())
    with pytest.raises(InputError) as err:
        read_revman_csv(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_an_unknown_statistical_method_names_the_outcome_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "MSC versus placebo" + ";" * 28,
        "Remission;DIC;XMH;Risk Ratio;Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;0;1;0;1;",
        "Li 2019;;;;;5;0;0;30;2;0;0;30;2.5;0.8;0.5;12;100;;;;;;;;;;;2019",
    )
    with pytest.raises(InputError) as err:
        read_revman_csv(path)
    assert str(err.value) == (f"{path}, line 3: column 'Statistical Method': 'XMH' is not "
                              "MH or IV or PETO")


GENERIC = (
    "Antimicrobial versus placebo" + ";" * 28,
    "Stool volume;IV;IV;Ratio of means;Random;;;;50;;;;50;0.55;;0.45;0.67;100;0;1;0;0;6;0;"
    "0;1;0;1;",
    "Bhattacharya 1990;;;;;;;;13;;;;12;-0.59776;0.197952;0.37;0.81;60;;;;;;;;;;;1990",
    "Dutta 1996;;;;;;;;28;;;;10;-0.32721;0.14536;0.54;0.96;40;;;;;;;;;;;1996",
    "Time to recovery;IV;IV;Hazard Ratio;Fixed;;;;41;;;;40;1.5;;1.1;2.1;100;0;1;0;0;2;0.01;"
    "0;1;0;0;",
    "Li 2019;;;;;;;;41;;;;40;0.40546;0.17;1.1;2.1;100;;;;;;;;;;;2019",
    "Duration;IV;IV;Difference in medians;Fixed;;;;41;;;;40;-1.2;;-2;-0.4;100;0;1;0;0;3;0.01;"
    "0;1;0;0;",
    "Li 2019;;;;;;;;41;;;;40;-1.2;0.4;-2;-0.4;100;;;;;;;;;;;2019",
)


def test_a_generic_measure_keeps_the_name_revman_gave_it(tmp_path: Path) -> None:
    from reviewflow.revman.plan import plan_import

    review = read_revman_csv(write(tmp_path, *GENERIC))
    ratio, hazard, medians = review.comparisons[0].outcomes
    assert [(o.kind, o.settings.measure, o.settings.log_data) for o in (ratio, hazard, medians)
            ] == [(OutcomeKind.GENERIC, "Ratio of means", True),
                  (OutcomeKind.GENERIC, "Hazard Ratio", True),
                  (OutcomeKind.GENERIC, "Difference in medians", False)]
    assert [(r.study_id, r.estimate, r.se) for r in ratio.rows] == [
        ("Bhattacharya 1990", -0.59776, 0.197952), ("Dutta 1996", -0.32721, 0.14536)]
    planned = [(a["measure"], a.get("measure_label")) for a in plan_import(review).analyses]
    assert planned == [("RATIO", "Ratio of means"), ("HR", None),
                       ("DIFFERENCE", "Difference in medians")]


def test_revmans_log_scale_column_decides_over_the_name(tmp_path: Path) -> None:
    head = HEAD + ";Entered data are on log scale (Generic Inverse Variance only)"
    rows = [line + ";" for line in GENERIC]
    rows[1] = GENERIC[1] + ";No"  # a "ratio" the author entered unlogged
    rows[6] = GENERIC[6] + ";Yes"
    path = tmp_path / "export.csv"
    path.write_text("\n".join((head, *rows)) + "\n", encoding="utf-8")
    ratio, hazard, medians = read_revman_csv(path).comparisons[0].outcomes
    assert (ratio.settings.log_data, hazard.settings.log_data, medians.settings.log_data) == (
        False, True, True)
    rows[1] = GENERIC[1] + ";Maybe"
    path.write_text("\n".join((head, *rows)) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_revman_csv(path)
    assert str(err.value) == (f"{path}, line 3: column 'Entered data are on log scale "
                              "(Generic Inverse Variance only)': 'Maybe' is not Yes or No")


@pytest.mark.parametrize(("dtype", "measure", "fits"), [
    ("DIC", "Ratio of means", None), ("DIC", "Hazard Ratio", "RR or OR or RD or PETO_OR"),
    ("CON", "Risk Ratio", "MD or SMD")])
def test_a_measure_that_fits_no_standard_outcome_is_one_line(tmp_path: Path, dtype: str,
                                                             measure: str,
                                                             fits: str | None) -> None:
    path = write(tmp_path, "C" + ";" * 28,
                 f"O;{dtype};IV;{measure};Fixed;5;;;30;2;;;30;2.5;;0.5;12;100;0;1;0;0;1;0.3;"
                 "0;1;0;1;")
    with pytest.raises(InputError) as err:
        read_revman_csv(path)
    problem = (f"unknown {measure!r}" if fits is None
               else f"{measure!r} does not fit data type {dtype} (use {fits})")
    assert str(err.value) == f"{path}, line 3: column 'Effect Measure': {problem}"
