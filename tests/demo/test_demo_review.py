"""``reviewflow demo`` builds the whole review from sample_exports/ (issue 11's evidence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from demo_review import copy_demo
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.prisma.derive import prisma_counts
from reviewflow.store.db import Store
from reviewflow.store.location import load_config


@pytest.fixture(scope="module")
def demo_dir(demo_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_build, tmp_path_factory.mktemp("demo") / "review")


def _truth_flow(imported: set[str]) -> dict[str, object]:
    """The PRISMA boxes the ground truth implies (sample_exports/truth.csv), counted here
    independently of reviewflow: one record per duplicate group, the groups' true calls."""
    import csv
    from collections import Counter

    samples = Path(__file__).resolve().parents[2] / "sample_exports"
    with (samples / "truth.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"] in imported]
    groups = {r["duplicate_group"]: r for r in rows}.values()
    sought = [g for g in groups if g["relevant_ta"] == "1"]
    reasons = Counter(g["ft_exclusion_reason"] for g in sought if g["relevant_ft"] != "1")
    not_retrieved = reasons.pop("not retrievable", 0)
    included = [g for g in sought if g["relevant_ft"] == "1"]
    return {"identified": len(rows), "screened": len(groups),
            "excluded_screening": len(groups) - len(sought), "sought": len(sought),
            "not_retrieved": not_retrieved, "assessed": len(sought) - not_retrieved,
            "excluded_reports": dict(reasons), "included_reports": len(included),
            "included_studies": len({g["study_key"] for g in included})}


def test_prisma_counts_are_the_ground_truths(demo_dir: Path) -> None:
    from sqlmodel import select

    from reviewflow.store import models

    store = Store.open(load_config(demo_dir).database_url())
    with store.session() as s:
        counts = prisma_counts(s)
        imported = {i.file_name for i in s.exec(select(models.SearchImport)).all()}
    store.dispose()
    want = _truth_flow({Path(f).name for f in imported})
    got = counts.to_json()
    assert {k: got[k] for k in want if k != "identified"} == {
        k: v for k, v in want.items() if k != "identified"}
    assert counts.identified_total == want["identified"]
    assert counts.identity_errors() == []
    assert set(counts.identified) == {"PubMed", "Embase (Ovid)", "Web of Science Core Collection",
                                      "Cochrane CENTRAL", "CNKI"}
    assert counts.removed_duplicates > 0 and counts.screened > counts.included_reports > 0
    assert sum(counts.awaiting.values()) == 0  # every conflict was settled by the arbiter


def test_every_analysis_produced_a_plot(demo_dir: Path) -> None:
    results = json.loads((demo_dir / "analyses" / "results.json").read_text())
    names = list(results)  # one entry per analysis declared in analyses.toml
    assert len(names) >= 4, names
    for name in names:
        forest = demo_dir / "analyses" / f"{name}_forest.png"
        assert forest.is_file() and forest.stat().st_size > 10_000, forest
    assert (demo_dir / "output" / "prisma.png").is_file()
    assert (demo_dir / "output" / "prisma.svg").is_file()


def test_output_reports_each_stage_and_the_report(demo_dir: Path) -> None:
    out = (demo_dir / "demo-output.txt").read_text()
    for marker in ("[2] Importing", "[3] Deduplication", "[4] Screening at title/abstract",
                   "Cohen's kappa", "[7] Analyses", "SMD = ", "RR = ", "identities hold",
                   "tui --reviewer"):
        assert marker in out, marker
    html = (demo_dir / "report" / "report.html").read_text()
    assert "Risk of bias" in html and "Forest plot" in html and "<svg" in html


def test_demo_grades_its_main_outcomes_and_writes_the_summary_of_findings(demo_dir: Path) -> None:
    import csv
    import statistics

    res = CliRunner().invoke(app, ["--review", str(demo_dir), "grade", "show", "--json"])
    assert res.exit_code == 0, res.output
    grades = json.loads(res.stdout)
    assert {"oa_vas", "ibd_response", "adverse_events", "sle_sledai"} <= set(grades)
    assert grades["ibd_response"]["judgements"]["indirectness"]["judgement"] == "serious"
    rows = {r["analysis"]: r for r in csv.DictReader(
        (demo_dir / "grade" / "sof.csv").open(encoding="utf-8"))}
    # the absolute effect recomputed from the pooled RR and the studies' control arms
    results = json.loads((demo_dir / "analyses" / "results.json").read_text())
    overall = results["ibd_response"]["result"]["overall"]
    with (demo_dir / "analyses" / "ibd_response_data.csv").open(encoding="utf-8") as fh:
        risks = [float(r["events_ctrl"]) / float(r["n_ctrl"]) for r in csv.DictReader(fh)]
    acr = statistics.median(risks)
    expected = (f"{round(1000 * acr * overall['estimate'])} per 1,000 "
                f"({round(1000 * acr * overall['ci_low'])} to "
                f"{round(1000 * acr * overall['ci_high'])})")
    ibd = rows["ibd_response"]
    assert ibd["Corresponding risk with intervention"] == expected
    assert ibd["Assumed risk with comparator"] == f"{round(1000 * acr)} per 1,000"
    level = grades["ibd_response"]["certainty"].replace("_", " ")
    assert level in ibd["Certainty of the evidence (GRADE)"].lower()
    assert "indirectness" in ibd["footnotes"]
    from docx import Document

    doc = Document(str(demo_dir / "grade" / "sof.docx"))
    first = doc.tables[0]
    assert first.rows[0].cells[0].text == "Outcome"
    assert len(first.rows) == 1 + 4  # the four outcomes of the MSC comparison
    report = (demo_dir / "report" / "report.html").read_text(encoding="utf-8")
    assert "Summary of findings: Mesenchymal stem cells compared with control" in report


def test_demo_meta_regression_and_small_study_plots(demo_dir: Path) -> None:
    text = (demo_dir / "analyses" / "oa_vas_source_metareg.txt").read_text()
    assert "cell_sourcebone marrow" in text and "follow_up_months" in text
    assert "tau² by REML" in text and "Test of moderators (QM)" in text
    for name in ("oa_vas_source_bubble_follow_up_months", "oa_vas_contour_funnel",
                 "oa_vas_trimfill_funnel", "adverse_events_trimfill_funnel"):
        path = demo_dir / "analyses" / f"{name}.png"
        assert path.is_file() and path.stat().st_size > 20_000, path
    assert not (demo_dir / "analyses" / "ibd_response_contour_funnel.png").exists()  # 6 studies


def test_demo_forest_plot_asks_for_rob_columns_and_prediction_interval(demo_dir: Path) -> None:
    from reviewflow.extraction.analyses import load_analyses
    from reviewflow.extraction.analysis_outputs import forest_extras
    from reviewflow.store.reader import store_reader
    from tests.extraction.forms import form_now

    store = Store.open(load_config(demo_dir).database_url())
    try:
        _, form = form_now(store, demo_dir)
        oa = next(a for a in load_analyses(demo_dir, form) if a.name == "oa_vas")
        with store_reader(store) as reader:
            extra = forest_extras(reader, oa)
    finally:
        store.dispose()
    assert extra["prediction_interval"] is True
    assert extra["rob"].headings[0] == "A" and extra["rob"].headings[-1] == "Overall"
    assert len(extra["rob"].judgements) >= 12


def test_grade_cli_suggests_records_retracts_and_refuses_bad_input(demo_dir: Path) -> None:
    def grade(*args: str):
        return CliRunner().invoke(app, ["--review", str(demo_dir), "grade", *args])

    res = grade("suggest", "oa_vas", "--json")
    assert res.exit_code == 0, res.output
    suggested = {s["domain"]: s for s in json.loads(res.stdout)["oa_vas"]}
    assert suggested["publication_bias"]["rule"] in ("egger_asymmetry", "no_asymmetry")
    assert suggested["indirectness"]["judgement"] is None
    # a rater is a registered reviewer (issue 16): a new name is refused, never created
    for args in (("set", "oa_vas", "dose_response", "+1", "--reason", "gradient with dose"),
                 ("retract", "oa_vas", "dose_response"), ("accept", "oa_vas")):
        res = grade(*args, "--reviewer", "carol")
        assert res.exit_code == 1 and "unknown reviewer 'carol'" in str(res.exception), args
    for name in ("carol", "dave"):
        res = CliRunner().invoke(app, ["--review", str(demo_dir), "reviewer", "add", name])
        assert res.exit_code == 0, res.output
    res = grade("set", "oa_vas", "dose_response", "+1", "--reason", "gradient with dose",
                "--reviewer", "carol")
    assert res.exit_code == 0, res.output
    assert "certainty now" in res.stdout
    for bad, message in ((("set", "nope", "imprecision", "serious", "--reason", "x"),
                          "no analysis called 'nope'"),
                         (("set", "oa_vas", "imprecision", "serious"), "give the reason"),
                         (("set", "oa_vas", "imprecision", "upgrade_one", "--reason", "x"),
                          "must be one of"),
                         (("set", "oa_vas", "sparkle", "serious", "--reason", "x"),
                          "unknown GRADE domain")):
        res = grade(*bad, "--reviewer", "carol")
        assert res.exit_code != 0 and message in str(res.exception or res.output), bad
    res = grade("retract", "oa_vas", "dose_response", "--reviewer", "carol")
    assert res.exit_code == 0, res.output
    res = grade("history", "oa_vas")
    assert "carol: Dose-response gradient -> upgrade_one (gradient with dose)" in res.stdout
    assert "carol: Dose-response gradient -> retracted" in res.stdout
    shown = json.loads(grade("show", "--json").stdout)
    assert "dose_response" not in shown["oa_vas"]["judgements"]
    res = grade("accept", "oa_vas", "--reviewer", "dave")
    assert res.exit_code == 0 and res.stdout.startswith("0 judgements recorded"), res.output
    res = grade("accept", "oa_vas", "--reviewer", "dave", "--overwrite")
    assert res.stdout.startswith("5 judgements recorded for dave"), res.output  # 3 need a person
    shown = json.loads(grade("show", "--json").stdout)["oa_vas"]["judgements"]
    assert shown["risk_of_bias"]["reviewer"] == "dave"
    assert shown["indirectness"]["reviewer"] == "reviewer_a"  # a person's call is kept


def test_demo_review_exports_to_revman_with_its_own_results(demo_dir: Path,
                                                              tmp_path: Path) -> None:
    """The model case (a three-arm trial split, medians converted) as RevMan 5: every
    analysis an outcome whose stored total is the review's own result."""
    from reviewflow.revman.check import Verdict, check_file, close
    from reviewflow.revman.reader import read_rm5

    out = tmp_path / "demo.rm5"
    res = CliRunner().invoke(app, ["--review", str(demo_dir), "revman", "export", "--out",
                                   str(out)])
    assert res.exit_code == 0, res.output
    exported = read_rm5(out)
    report = check_file(exported)
    assert report.count(Verdict.AGREES) == len(report.outcomes) >= 6
    results = json.loads((demo_dir / "analyses" / "results.json").read_text())
    by_title = {v["analysis"]["title"]: v["result"] for v in results.values()}
    for _, o in exported.outcomes():
        ours = by_title[o.name]
        assert close("effect", o.stored.effect, ours["overall"]["estimate"])
        assert len(o.all_rows()) == len(ours["studies"])


def test_dashboard_e_opens_the_grade_screen_on_the_demo(demo_dir: Path) -> None:
    import asyncio

    from reviewflow.cli.screening import viewer_named
    from reviewflow.tui.app import ReviewflowApp
    from reviewflow.tui.screens.grade import GradeScreen

    store = Store.open(load_config(demo_dir).database_url())

    async def scenario() -> str:
        app = ReviewflowApp(store, viewer_named(store, "reviewer_a"), poll_seconds=0,
                            folder=demo_dir)
        async with app.run_test(size=(170, 45)) as pilot:
            await pilot.pause()
            await pilot.press("e")
            for _ in range(100):
                await pilot.pause(0.1)
                if isinstance(app.screen, GradeScreen):
                    break
            screen = app.screen
            assert isinstance(screen, GradeScreen)
            return str(screen.query_one("#grade-status").render())

    try:
        status = asyncio.run(scenario())
    finally:
        store.dispose()
    assert status.startswith("oa_vas: Osteoarthritis: pain (VAS), end of follow-up")
    assert "certainty" in status
