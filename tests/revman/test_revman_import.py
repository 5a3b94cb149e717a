"""`reviewflow revman import`: a RevMan file becomes a review that analyses as RevMan did."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import load_analyses
from reviewflow.extraction.rob import ROB1, reconcile_rob
from reviewflow.extraction.values import reconcile
from reviewflow.pooling import meta_analysis
from reviewflow.pooling.types import RATIO_MEASURES, Measure
from reviewflow.revman.check import close
from reviewflow.revman.plan import outcome_id, plan_import
from reviewflow.revman.reader import read_rm5
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import form_now, input_of

SMALL = Path(__file__).parent / "fixtures" / "small.rm5"


def import_review(path: Path, folder: Path) -> Store:
    res = CliRunner().invoke(app, ["revman", "import", str(path), str(folder)])
    assert res.exit_code == 0, res.output
    store = Store.open(load_config(folder).database_url())
    return store


def test_hand_made_file_becomes_a_review(tmp_path: Path) -> None:
    store = import_review(SMALL, tmp_path / "lupus")
    try:
        with store.session() as s:
            imp = s.exec(select(models.SearchImport)).one()
            assert (imp.database, imp.origin, imp.record_count) == ("RevMan import", "other", 5)
            records = {r.title: r for r in s.exec(select(models.RecordRow)).all()}
            li = records["Umbilical cord MSC in lupus nephritis: a randomised trial"]
            assert (li.doi, li.pmid, li.year, li.journal) == (
                "10.1000/lupus.2019.1", "30000001", 2019, "Lupus")
            assert "Ruiz 2021" in records  # a study without reference keeps a report
            labels = sorted(st.label for st in s.exec(select(models.Study)).all())
        assert labels == ["Chen 2020", "Li 2019", "NCT01234567", "Old 1999", "Ruiz 2021"]
        values = reconcile(store).values
        assert values["Li 2019"]["outcome/c1_o1/arm/treat/events"] == "12"
        assert values["Li 2019"]["outcome/c1_o1/subgroup"] == "Umbilical cord"
        assert values["Chen 2020"]["outcome/c1_o2/arm/ctrl/sd"] == "2.8"
        assert values["Li 2019"]["study/char_methods"] == "Parallel RCT,\nsingle centre"
        assert values["Old 1999"]["study/status"] == "excluded"
        assert values["Old 1999"]["study/char_reason_for_exclusion"] == "Not randomised"
        rob = reconcile_rob(store, ROB1).judgements
        assert rob["Li 2019"]["random_sequence"].judgement == "low"
        assert rob["Ruiz 2021"]["random_sequence"].support == "Alternation"
        assert rob["Ruiz 2021"]["random_sequence"].judgement == "high"
        form = form_now(store, tmp_path / "lupus")[1]
        analyses = {a.name: a for a in load_analyses(tmp_path / "lupus", form)}
        assert set(analyses) == {"c1_o1", "c1_o2", "c1_o3"}
        hr = analyses["c1_o3"]
        assert (hr.measure, hr.method, hr.level) == ("HR", "IV", 0.9)
        assert values["Li 2019"]["outcome/c1_o3/effect/estimate"] == f"{math.exp(-0.35):.12g}"
        assert values["Li 2019"]["outcome/c1_o3/effect/se"] == "0.2"
        a = analyses["c1_o1"]
        assert (a.measure, a.method, a.model, a.subgroup) == ("RR", "MH", "random", "subgroup")
        assert a.revman["subgroups"] == ["Umbilical cord", "Bone marrow"]
        data = input_of(store, a, form=form).frame()
        assert list(data["subgroup"]) == ["Umbilical cord", "Bone marrow", "Bone marrow"]
    finally:
        store.dispose()


def test_a_bad_file_leaves_nothing_behind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rm5"
    bad.write_text(SMALL.read_text(encoding="utf-8").replace('TOTAL_1="20"', 'TOTAL_1="2O"', 1),
                   encoding="utf-8")
    res = CliRunner().invoke(app, ["revman", "import", str(bad), str(tmp_path / "new")])
    assert res.exit_code == 1
    assert "TOTAL_1='2O' is not a number" in str(res.exception)
    assert not (tmp_path / "new").exists()


def test_an_existing_review_folder_is_refused(tmp_path: Path) -> None:
    import_review(SMALL, tmp_path / "r").dispose()
    res = CliRunner().invoke(app, ["revman", "import", str(SMALL), str(tmp_path / "r")])
    assert res.exit_code == 1 and "already a review folder" in str(res.exception)


def _natural(measure: str, x: float) -> float:
    return math.exp(x) if Measure(measure) in RATIO_MEASURES else x


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["CD013210StatsDataOnly.rm5", "CD010590StatsDataOnly.rm5",
                                  "CD003188StatsDataOnly.rm5", "CD007419StatsDataOnly.rm5",
                                  "CD007868StatsDataOnly.rm5"])
def test_imported_analyses_reproduce_revmans_totals(corpus: Path, tmp_path: Path,
                                                    name: str) -> None:
    path = corpus / "revman" / "rm5" / name
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    review = read_rm5(path)
    plan = plan_import(review)
    touched = {line.split(" ")[1] for line in plan.not_imported if line.startswith("outcome")}
    store = import_review(path, tmp_path / "r")
    try:
        form = form_now(store, tmp_path / "r")[1]
        analyses = {a.name: a for a in load_analyses(tmp_path / "r", form)}
        reconciled = reconcile(store)
        compared = 0
        for c, o in review.outcomes():
            if f"{c.no}.{o.no}" in touched or not o.all_rows() or o.settings.totals == "NO":
                continue
            a = analyses[outcome_id(c.no, o.no)]
            result = meta_analysis(input_of(store, a, form=form, reconciled=reconciled)
                                   .frame(),
                                   subgroup=a.subgroup, **a.options())
            pairs = [(o.stored, result.overall)] if o.settings.totals == "YES" else []
            ours = {g.name: g.pooled for g in result.subgroups}
            pairs += [(g.stored, ours[g.name]) for g in o.subgroups if g.name in ours]
            for st, pooled in pairs:
                if not st.estimable:
                    continue
                assert close("effect", st.effect, _natural(a.measure, pooled.estimate))
                assert close("CI end", st.ci_end, _natural(a.measure, pooled.ci_high))
                assert close("P", st.p_z, pooled.p)
                compared += 1
        assert compared >= min(5, len(review.outcomes()))
    finally:
        store.dispose()


def test_import_into_the_configured_database(store_url: str, tmp_path: Path) -> None:
    """The same import on SQLite and (REVIEWFLOW_TEST_BACKEND=postgres) PostgreSQL."""
    folder = tmp_path / "r"
    res = CliRunner().invoke(app, ["--db", store_url, "revman", "import", str(SMALL),
                                   str(folder)])
    assert res.exit_code == 0, (res.output, res.exception)
    store = Store.open(load_config(folder).database_url())
    try:
        assert store.display_url.split("/")[0] == store_url.split("/")[0]
        values = reconcile(store).values
        assert values["Chen 2020"]["outcome/c1_o1/arm/ctrl/n"] == "28"
        with store.session() as s:
            assert len(s.exec(select(models.ConflictResolution)).all()) == 5 + 4
    finally:
        store.dispose()


def test_a_failure_while_storing_leaves_no_folder_behind(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import reviewflow.revman.review_import as review_import

    def disk_full(*args: object, **kwargs: object) -> None:
        raise ReviewflowError("disk full")

    monkeypatch.setattr(review_import, "write_plan", disk_full)
    res = CliRunner().invoke(app, ["revman", "import", str(SMALL), str(tmp_path / "new")])
    assert res.exit_code == 1 and "disk full" in str(res.exception)
    assert not (tmp_path / "new").exists()


def test_a_file_without_studies_imports_as_an_empty_review(tmp_path: Path) -> None:
    """A protocol (or an export of one) has no studies yet: nothing to insert is no error."""
    empty = tmp_path / "protocol.csv"
    empty.write_text("Name;Data Type;Statistical Method;Effect Measure;Analysis Model;Events 1;"
                     "Mean 1;SD 1;Total 1;Events 2;Mean 2;SD 2;Total 2;Effect Estimate;SE;"
                     "CI Start;CI End;Weight\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["revman", "import", str(empty), str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert "0 studies, 0 records" in res.output
    assert (tmp_path / "p" / "reviewflow.toml").exists()


@pytest.mark.corpus
def test_a_generic_outcome_keeps_the_measure_revman_names(corpus: Path) -> None:
    """CD003188 names its generic outcomes' measure 'Hazard Ratio' in <EFFECT_MEASURE>:
    the analysis is an HR (labelled as one), not a risk ratio guessed from log data."""
    path = corpus / "revman" / "rm5" / "CD003188StatsDataOnly.rm5"
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    review = read_rm5(path)
    named = {outcome_id(c.no, o.no) for c, o in review.outcomes()
             if o.settings.measure == "Hazard Ratio"}
    assert named, "the file names no hazard ratio"
    measures = {a["name"]: a["measure"] for a in plan_import(review).analyses}
    assert {measures[oid] for oid in named} == {"HR"}
