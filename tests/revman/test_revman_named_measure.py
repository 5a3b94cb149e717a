"""A generic measure the author names ("Ratio of means", CD008625) keeps its name from
import to every output and back to RevMan: never labelled a risk ratio."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import load_analyses
from reviewflow.grade.sof import SofInput, sof_row
from reviewflow.pooling import meta_analysis
from reviewflow.pooling.plots import forest_plot
from reviewflow.pooling.serialize import result_to_json_dict
from reviewflow.pooling.text_forest import text_forest
from reviewflow.pooling.text_table import render_text
from reviewflow.revman.data_package import read_data_package
from reviewflow.revman.model import OutcomeKind
from reviewflow.revman.package_writer import write_data_package
from reviewflow.revman.plan import plan_import
from reviewflow.revman.reader import read_rm5
from reviewflow.store.location import load_config
from tests.extraction.forms import form_now

NAME = "Ratio of means"


def _generic(ratio: bool = True) -> pd.DataFrame:
    est = [math.log(0.5), math.log(0.6), math.log(0.8)] if ratio else [-1.0, -0.5, 0.2]
    return pd.DataFrame({"study": ["A 2001", "B 2002", "C 2003"], "estimate": est,
                         "se": [0.2, 0.3, 0.25]})


def _shown(result) -> str:
    console = Console(width=300, record=True)
    console.print(text_forest(result))
    return console.export_text()


def test_a_named_ratio_is_shown_by_its_name_in_every_output() -> None:
    result = meta_analysis(_generic(), measure="RATIO", measure_label=NAME, method="IV",
                           model="random")
    assert result.ratio  # pooled on the log scale, shown back-transformed
    assert NAME in render_text(result) and "Risk Ratio" not in render_text(result)
    assert f"log[{NAME}]" in render_text(result)  # the data column, as RevMan heads it
    assert NAME in _shown(result)
    figure = forest_plot(result)
    texts = [t.get_text() for t in figure.texts]
    texts += [t.get_text() for ax in figure.axes for t in ax.texts]
    texts += [ax.get_xlabel() for ax in figure.axes]
    assert any(NAME in t for t in texts) and not any("Risk Ratio" in t for t in texts)
    assert result_to_json_dict(result)["measure_name"] == NAME
    plain = meta_analysis(_generic(), measure="RATIO", method="IV")
    assert "Ratio" in render_text(plain) and "Risk Ratio" not in render_text(plain)


def test_a_named_measure_fits_only_generic_data() -> None:
    two_by_two = pd.DataFrame({"study": ["A"], "events_treat": [3], "n_treat": [10],
                               "events_ctrl": [5], "n_ctrl": [10]})
    with pytest.raises(ReviewflowError, match="generic inverse variance"):
        meta_analysis(two_by_two, measure="RATIO", method="IV")
    with pytest.raises(ReviewflowError, match="own name is for RATIO or DIFFERENCE"):
        meta_analysis(_generic(), measure="HR", measure_label=NAME, method="IV")


def test_summary_of_findings_names_a_generic_ratio_and_difference() -> None:
    common = {"analysis": "a", "outcome": "o", "estimate": 0.5, "ci_low": 0.4,
              "ci_high": 0.6, "participants": 100, "studies": 3}
    ratio = sof_row(SofInput(measure="RATIO", measure_label=NAME, **common))
    assert ratio.relative == f"{NAME} 0.50 (0.40 to 0.60)"
    assert "MD" not in ratio.corresponding
    diff = sof_row(SofInput(measure="DIFFERENCE", measure_label="Change in days", **common))
    assert diff.difference.startswith("Change in days 0.50 higher")
    hr = sof_row(SofInput(measure="HR", **common))
    assert hr.relative == "HR 0.50 (0.40 to 0.60)"


def _cd008625(corpus: Path) -> Path:
    path = corpus / "revman" / "rm5" / "CD008625StatsDataOnly.rm5"
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    return path


@pytest.mark.corpus
def test_ratio_of_means_keeps_its_name_from_import_to_export(corpus: Path,
                                                             tmp_path: Path) -> None:
    source = _cd008625(corpus)
    named = {f"c{c.no}_o{o.no}" for c, o in read_rm5(source).outcomes()
             if o.kind is OutcomeKind.GENERIC and o.settings.measure == NAME}
    assert len(named) == 22
    folder, runner = tmp_path / "rom", CliRunner()
    res = runner.invoke(app, ["revman", "import", str(source), str(folder)])
    assert res.exit_code == 0, res.output

    from reviewflow.store.db import Store

    store = Store.open(load_config(folder).database_url())
    try:
        analyses = {a.name: a for a in load_analyses(folder, form_now(store, folder)[1])}
    finally:
        store.dispose()
    assert {(analyses[n].measure, analyses[n].measure_label) for n in named} == {
        ("RATIO", NAME)}

    one = sorted(named)[0]
    out = tmp_path / "out"
    res = runner.invoke(app, ["--review", str(folder), "analyse", one, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"Overall: {NAME} = " in res.output and "RR" not in res.output
    rows = list(csv.DictReader((out / "results.csv").open(encoding="utf-8")))
    assert {r["measure_name"] for r in rows} == {NAME}

    exported = tmp_path / "rom.rm5"
    res = runner.invoke(app, ["--review", str(folder), "revman", "export", "--out",
                              str(exported)])
    assert res.exit_code == 0, res.output
    again = read_rm5(exported)
    assert sum(o.settings.measure == NAME for _, o in again.outcomes()) == 22

    package = tmp_path / "CD008625-dataPackage.zip"
    res = runner.invoke(app, ["--review", str(folder), "revman", "export", "--out",
                              str(package)])
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(package) as z:
        member = next(n for n in z.namelist() if n.endswith("overall-estimates-and-settings.csv")
                      or n.endswith("settings.csv"))
        cells = list(csv.DictReader(io.StringIO(z.read(member).decode("utf-8"))))
    assert sum(r["Effect measure"] == NAME for r in cells) == 22


@pytest.mark.corpus
def test_the_data_package_reader_takes_a_generic_measure_named_freely(corpus: Path,
                                                                       tmp_path: Path) -> None:
    review = read_rm5(_cd008625(corpus))
    path = tmp_path / "CD008625-dataPackage.zip"
    path.write_bytes(write_data_package(review, "CD008625"))
    package = read_data_package(path)
    assert sum(o.settings.measure == NAME for _, o in package.outcomes()) == 22
    plan = {a["name"]: a for a in plan_import(package).analyses}
    assert {(a["measure"], a.get("measure_label")) for a in plan.values()
            if a.get("measure_label")} == {("RATIO", NAME)}


CSV_COLUMNS = ["Comparison Number", "Outcome Number", "Subgroup Number", "Name", "Data Type",
               "Statistical Method", "Effect Measure", "Analysis Model", "Total 1", "Total 2",
               "Effect Estimate", "SE", "CI Start", "CI End", "Weight", "Qint"]


def _revman_csv(review, kinds: tuple[OutcomeKind, ...]) -> str:
    """A RevMan 5 "export data" CSV (the numbered layout) of the review's outcomes of
    ``kinds``, as RevMan writes one: its names of the measures in 'Effect Measure', a
    generic outcome's own name included."""
    names = review.study_names()
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    w.writeheader()

    def num(x) -> str:
        return "" if x is None else f"{x:.8f}"

    def studies(c_no, o_no, s_no, rows) -> None:
        for r in rows:
            w.writerow({"Comparison Number": c_no, "Outcome Number": o_no,
                        "Subgroup Number": s_no, "Name": names.get(r.study_id, r.study_id),
                        "Total 1": num(r.total_1), "Total 2": num(r.total_2),
                        "Effect Estimate": num(r.estimate), "SE": num(r.se),
                        "Weight": num(r.stored.weight)})

    for c in review.comparisons:
        w.writerow({"Comparison Number": c.no, "Outcome Number": 0, "Subgroup Number": 0,
                    "Name": c.name})
        for o in (o for o in c.outcomes if o.kind in kinds):
            head = {"Data Type": {OutcomeKind.GENERIC: "IV"}.get(o.kind, o.kind.value[:3]),
                    "Statistical Method": o.settings.method, "Effect Measure":
                    o.settings.measure, "Analysis Model": "Random" if o.settings.random
                    else "Fixed"}
            st = o.stored
            w.writerow({"Comparison Number": c.no, "Outcome Number": o.no,
                        "Subgroup Number": 0, "Name": o.name, **head,
                        "Effect Estimate": num(st.effect), "CI Start": num(st.ci_start),
                        "CI End": num(st.ci_end), "Weight": num(st.weight),
                        "Qint": num(o.subgroup_test.q) if o.subgroup_test else ""})
            if not o.has_subgroups:
                studies(c.no, o.no, 0, o.rows)
            for s_no, g in enumerate(o.subgroups, start=1):
                w.writerow({"Comparison Number": c.no, "Outcome Number": o.no,
                            "Subgroup Number": s_no, "Name": g.name, **head,
                            "Effect Estimate": num(g.stored.effect),
                            "Weight": num(g.stored.weight)})
                studies(c.no, o.no, s_no, g.rows)
    return out.getvalue()


@pytest.mark.corpus
def test_the_csv_reader_takes_a_generic_measure_named_freely(corpus: Path,
                                                              tmp_path: Path) -> None:
    """CD008625's 22 "Ratio of means" outcomes, as RevMan's data export names them: the
    CSV reader keeps the name, reads the data as logs, and an import plans the same
    analyses as the .rm5 file's."""
    from reviewflow.revman.csv_export import read_revman_csv

    review = read_rm5(_cd008625(corpus))
    path = tmp_path / "CD008625.csv"
    path.write_text(_revman_csv(review, (OutcomeKind.GENERIC,)), encoding="utf-8")
    ours = read_revman_csv(path)
    generic = [o for _, o in review.outcomes() if o.kind is OutcomeKind.GENERIC]
    read = [o for _, o in ours.outcomes()]
    assert len(generic) == len(read) == 22
    names = review.study_names()
    assert [(o.name, o.kind, o.settings.measure, o.settings.log_data, o.has_subgroups,
             [g.name for g in o.subgroups],
             [(names[r.study_id], r.estimate, r.se) for r in o.all_rows()])
            for o in generic] == [
        (o.name, o.kind, o.settings.measure, o.settings.log_data, o.has_subgroups,
         [g.name for g in o.subgroups],
         [(r.study_id, pytest.approx(r.estimate, abs=5e-9), pytest.approx(r.se, abs=5e-9))
          for r in o.all_rows()]) for o in read]
    planned = {(a["measure"], a.get("measure_label")) for a in plan_import(ours).analyses}
    assert planned == {("RATIO", NAME)}
    rm5_generic = {(a["measure"], a.get("measure_label")) for a in plan_import(review).analyses
                   if a.get("measure_label")}
    assert planned == rm5_generic
