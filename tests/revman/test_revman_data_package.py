"""RevMan Web's data package (the ZIP ``meta::read.cdir`` reads): checked and imported."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import InputError
from reviewflow.revman.check import CSV_TOLERANCE, Verdict, check_file
from reviewflow.revman.data_package import read_data_package
from reviewflow.revman.model import OutcomeKind, Totals
from reviewflow.revman.package_writer import write_data_package as data_package
from reviewflow.revman.plan import plan_import
from reviewflow.revman.reader import read_rm5

SMALL = Path(__file__).parent / "fixtures" / "small.rm5"


def package(tmp_path: Path, name: str = "CD000000-dataPackage.zip", **kw) -> Path:
    path = tmp_path / name
    path.write_bytes(data_package(read_rm5(SMALL), **kw))
    return path


@pytest.mark.parametrize(("version", "nested"), [(1, False), (2, False), (1, True)])
def test_a_package_plans_the_same_review_as_the_rm5_file(tmp_path: Path, version: int,
                                                         nested: bool) -> None:
    """Two readers of one review: the data, subgroups, settings and analyses agree."""
    r = read_data_package(package(tmp_path, version=version, nested=nested))
    rm5 = plan_import(read_rm5(SMALL))
    ours = plan_import(r)
    data = [v for v in rm5.values if v[1].startswith("outcome/")]
    assert sorted(v for v in ours.values if v[1].startswith("outcome/")) == sorted(data)
    assert len(data) > 20
    keys = ("name", "outcome", "measure", "method", "model", "level", "subgroup")
    assert [{k: a.get(k) for k in keys} for a in ours.analyses] == \
        [{k: a.get(k) for k in keys} for a in rm5.analyses]
    assert r.title == "CD000000 (RevMan Web data package)"
    hr = r.comparisons[0].outcomes[2]
    assert (hr.kind, hr.settings.log_data, hr.settings.totals, hr.settings.ci_total) == (
        OutcomeKind.GENERIC, True, Totals.SUB, 90)
    assert [g.name for g in r.comparisons[0].outcomes[0].subgroups] == [
        "Umbilical cord", "Bone marrow"]
    judged = {(i.name, e.study_id, e.result) for i in r.risk_of_bias for e in i.entries}
    assert ("Random sequence generation (selection bias)", "Ruiz 2021", "NO") in judged
    assert {s.name for s in r.studies} >= {"Li 2019", "Chen 2020", "Ruiz 2021"}


def test_import_command_reads_a_package(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["revman", "import", str(package(tmp_path)),
                                   str(tmp_path / "r")])
    assert res.exit_code == 0, (res.output, res.exception)
    assert "3 analyses" in res.output and "risk-of-bias judgements" in res.output


def _replace(path: Path, member_suffix: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    name = next(n for n in files if n.endswith(member_suffix))
    text = files[name].decode("utf-8")
    assert old in text
    files[name] = text.replace(old, new, 1).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    path.write_bytes(out.getvalue())
    return path


def test_bad_packages_fail_with_one_line_naming_member_line_and_column(tmp_path: Path) -> None:
    path = _replace(package(tmp_path), "data-rows.csv", ",20.0,", ",2O,")
    with pytest.raises(InputError, match=r"CD000000-data-rows\.csv, line \d+: column "
                                         r"'\w+ N': '2O' is not a number"):
        read_data_package(path)
    path = _replace(package(tmp_path, "b.zip"), "settings.csv", "Risk Ratio", "Risk Rate")
    with pytest.raises(InputError, match="column 'Effect measure': unknown 'Risk Rate'"):
        read_data_package(path)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", "nothing")
    with pytest.raises(InputError, match="not a RevMan data package: no "
                                         "'<ID>-analysis-data/<ID>-overall"):
        read_data_package(empty)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable ZIP archive"):
        read_data_package(junk)
    res = CliRunner().invoke(app, ["revman", "import", str(path), str(tmp_path / "new")])
    assert res.exit_code == 1 and not (tmp_path / "new").exists()


@pytest.mark.corpus
def test_check_agrees_on_packages_of_the_corpus_files(corpus: Path, tmp_path: Path) -> None:
    """Each corpus file's analyses and RevMan's stored results, as a data package:
    `revman check` agrees on the same outcomes as on the .rm5 itself."""
    files = sorted((corpus / "revman" / "rm5").glob("*.rm5"))
    if not files:
        pytest.skip("no .rm5 files in the corpus")
    agreed = 0
    for f in files:
        review = read_rm5(f)
        path = tmp_path / f"{f.stem}.zip"
        path.write_bytes(data_package(review, version=2))
        direct = {o.label: o.verdict for o in check_file(review).outcomes}
        # A result RevMan could not estimate has no Mean in a package: nothing to compare.
        blank = {f"{c.no}.{o.no}" for c, o in review.outcomes()
                 if not o.stored.estimable and not any(g.stored.estimable for g in o.subgroups)
                 and not any(r.stored.estimable for r in o.all_rows())}
        for o in check_file(read_data_package(path), CSV_TOLERANCE).outcomes:
            expected = Verdict.SKIPPED if o.label in blank else direct[o.label]
            assert o.verdict is expected, (f.name, o.label, o.reason, o.differences[:2])
            agreed += o.verdict is Verdict.AGREES
    assert agreed >= 440


def test_export_writes_a_package_that_imports_and_checks(tmp_path: Path) -> None:
    from reviewflow.revman.plan import plan_import

    first, out = tmp_path / "a", tmp_path / "CD099999-dataPackage.zip"
    for args in (["revman", "import", str(SMALL), str(first)],
                 ["--review", str(first), "revman", "export", "--out", str(out)]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, (res.output, res.exception)
    with zipfile.ZipFile(out) as z:
        assert "CD099999-analysis-data/CD099999-data-rows.csv" in z.namelist()
    package_review = read_data_package(out)
    report = check_file(package_review, CSV_TOLERANCE)
    assert report.count(Verdict.AGREES) == 3 and report.agrees
    original = [v for v in plan_import(read_rm5(SMALL)).values if v[1].startswith("outcome/")]
    again = [v for v in plan_import(package_review).values if v[1].startswith("outcome/")]
    assert sorted(again) == sorted(original)


@pytest.mark.corpus
def test_results_written_are_revmans(corpus: Path) -> None:
    """The numbers an export writes (with_results) are RevMan's own, for every measure
    and method of CD008625 (RR/RD/OR M-H, MD, generic IV; fixed and random)."""
    from reviewflow.revman.check import close
    from reviewflow.revman.results import with_results

    path = corpus / "revman" / "rm5" / "CD008625StatsDataOnly.rm5"
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    review = read_rm5(path)
    ours = with_results(review)
    compared = 0
    for (_, theirs), (_, mine) in zip(review.outcomes(), ours.outcomes(), strict=True):
        # RevMan keeps a total it does not show (subtotals only); the export writes none.
        pairs = [(theirs.stored, mine.stored)] if theirs.settings.totals is Totals.YES else []
        pairs += [(a.stored, b.stored) for a, b in zip(theirs.subgroups, mine.subgroups,
                                                       strict=True)]
        pairs += [(a.stored, b.stored) for a, b in zip(theirs.all_rows(), mine.all_rows(),
                                                       strict=True)]
        for a, b in pairs:
            if not a.estimable or a.effect is None:
                continue
            assert b.estimable
            for name in ("effect", "ci_start", "ci_end", "weight"):
                x, y = getattr(a, name), getattr(b, name)
                if x is not None and y is not None:
                    assert close(name, x, y), (theirs.name, name, x, y)
                    compared += 1
    assert compared > 1000


def test_outcomes_that_cannot_be_analysed_are_listed_not_dropped(tmp_path: Path) -> None:
    """O-E and variance (and RevMan 5's 'other data') outcomes: named by import and check."""
    from revman_support import small_with

    ipd = ('<IPD_OUTCOME ID="CMP-001.04" NO="4"><NAME>Survival</NAME>'
           '<IPD_DATA O_E="-2.1" VAR="4.0" STUDY_ID="STD-Chen-2020"/></IPD_OUTCOME>\n')
    rm5 = small_with(tmp_path / "ipd.rm5", "</COMPARISON>", ipd)
    line = "outcome 1.4 (Survival): O-E and variance data cannot be analysed here"
    assert read_rm5(rm5).unsupported == (line,)
    for args in (["revman", "import", str(rm5), str(tmp_path / "r")], ["revman", "check",
                                                                      str(rm5)]):
        res = CliRunner().invoke(app, args)
        assert line in res.output, res.output
    path = _replace(package(tmp_path), "settings.csv", "Dichotomous", "O-E and variance")
    r = read_data_package(path)
    assert [u.split(":")[1] for u in r.unsupported] == [" O-E and variance data cannot be "
                                                        "analysed here"]
    assert len(r.outcomes()) == 2


def test_version_2_estimator_and_ci_method_reach_the_analysis(tmp_path: Path) -> None:
    path = _replace(package(tmp_path), "settings.csv", "DerSimonian and Laird",
                    "Restricted maximum-likelihood")
    path = _replace(path, "settings.csv", "Wald-type", "Hartung-Knapp-Sidik-Jonkman")
    first = read_data_package(path).comparisons[0].outcomes[0]  # RR random
    assert (first.settings.tau2, first.settings.hksj) == ("REML", True)
    analysis = plan_import(read_data_package(path)).analyses[0]
    assert (analysis["tau2"], analysis["hksj"]) == ("REML", True)
    bad = _replace(package(tmp_path, "c.zip"), "settings.csv", "DerSimonian and Laird",
                   "Sidik-Jonkman")
    with pytest.raises(InputError, match="column 'Heterogeneity estimator': unknown "
                                         "'sidik-jonkman'"):
        read_data_package(bad)


@pytest.mark.parametrize("code", ["RR", "OR", "RD", "PETO_OR", "MD", "SMD", "HR"])
def test_a_package_names_each_measure_as_the_engine_does_and_reads_back(
        tmp_path: Path, code: str) -> None:
    """One table of measure names (pooling.formatting) for the package and every output;
    the reader's table takes each name back to its code."""
    import csv
    import dataclasses

    from reviewflow.pooling.formatting import MEASURE_NAMES
    from reviewflow.pooling.types import Measure

    review = read_rm5(SMALL)
    kind = {"MD": OutcomeKind.CONTINUOUS, "SMD": OutcomeKind.CONTINUOUS,
            "HR": OutcomeKind.GENERIC}.get(code, OutcomeKind.DICHOTOMOUS)
    comparison = review.comparisons[0]
    outcome = next(o for o in comparison.outcomes if o.kind is kind)
    method = "PETO" if code == "PETO_OR" else outcome.settings.method
    outcome = dataclasses.replace(outcome, settings=dataclasses.replace(
        outcome.settings, measure=code, method=method))
    review = dataclasses.replace(review, comparisons=(
        dataclasses.replace(comparison, outcomes=(outcome,)),))
    path = tmp_path / "CD000000-dataPackage.zip"
    path.write_bytes(data_package(review))
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith("settings.csv"))
        (row,) = csv.DictReader(io.StringIO(z.read(name).decode("utf-8")))
    expected = "Peto Odds Ratio" if code == "PETO_OR" else MEASURE_NAMES[Measure(code)]
    assert row["Effect measure"] == expected
    (back,) = read_data_package(path).comparisons[0].outcomes
    assert back.settings.measure == code
