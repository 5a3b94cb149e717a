"""The extraction, rob and analyse commands as users run them (CliRunner)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import TEST_FORM_TEXT
from tests.screening.support import add_reviewer, vote

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def _review(tmp_path: Path, form: bool = True) -> list[str]:
    assert runner.invoke(app, ["init", str(tmp_path / "rev")]).exit_code == 0
    if form:  # the tests' MSC form (the shipped default is generic)
        (tmp_path / "rev" / "extraction_form.toml").write_text(TEST_FORM_TEXT, encoding="utf-8")
    r = ["--review", str(tmp_path / "rev")]
    for name in ("ann", "bob"):  # commands refuse names never added
        assert runner.invoke(app, [*r, "reviewer", "add", name]).exit_code == 0
    return r


def test_form_init_writes_the_default_and_versions_edits(tmp_path: Path) -> None:
    r = _review(tmp_path, form=False)
    res = runner.invoke(app, [*r, "extraction", "form", "--init"])
    assert res.exit_code == 0, res.output
    assert "RCT (reviewflow default)" in res.output
    assert "Outcome primary: Primary outcome, continuous" in res.output
    assert "cell_source" not in res.output and "pain" not in res.output.lower()
    form_file = tmp_path / "rev" / "extraction_form.toml"
    form_file.write_text(form_file.read_text().replace('label = "Primary outcome"',
                                                       'label = "WOMAC (0-96)"'))
    res = runner.invoke(app, [*r, "extraction", "form"])
    assert "WOMAC (0-96)" in res.output
    res = runner.invoke(app, [*r, "extraction", "form", "--init", "--example", "msc"])
    assert "already there: kept" in res.output and "WOMAC (0-96)" in res.output  # not lost
    assert "stored as a new version with the first value written" in res.output

    def versions() -> list[int]:
        with Store.open(load_config(tmp_path / "rev").database_url()) as store, \
                store.session() as s:
            return [f.version for f in s.exec(select(models.ExtractionForm))]

    assert versions() == []  # showing the form never stores it
    assert runner.invoke(app, [*r, "extraction", "study", "add", "Smith 2019"]).exit_code == 0
    for country in ("Norway", "Chile"):  # the first value stores the form, once
        res = runner.invoke(app, [*r, "extraction", "set", "Smith 2019", "study/country",
                                  country, "--reviewer", "ann"])
        assert res.exit_code == 0, res.output
        assert versions() == [1]
    res = runner.invoke(app, [*r, "extraction", "form"])
    assert "(stored form id 1)" in res.output


def test_studies_from_included_records_and_linking(tmp_path: Path) -> None:
    r = _review(tmp_path)
    url = load_config(tmp_path / "rev").database_url()
    with Store.open(url) as store:
        with store.write() as s:
            recs = [models.RecordRow(title=f"t{i}", year=2019 + i % 2,
                                     authors_json=json.dumps(["Smith, A.", "Lee, B."]))
                    for i in range(4)]
            s.add_all(recs)
            s.flush()
            ids = [int(x.id or 0) for x in recs]
        a, b = (int(add_reviewer(store, n).id or 0) for n in ("ann", "bob"))
        for rid, (da, db) in zip(ids, [("include", "include"), ("include", "exclude"),
                                       ("include", "include"), ("exclude", "exclude")],
                                 strict=True):
            for who in (a, b):
                vote(store, record_id=rid, stage=TITLE_ABSTRACT, reviewer_id=who,
                                decision="include")
            for who, dec in ((a, da), (b, db)):
                vote(store, record_id=rid, stage=FULL_TEXT, reviewer_id=who,
                                decision=dec, reason="wrong design" if dec == "exclude" else None)
    # a label taken in another case is taken: lookups ignore case
    assert runner.invoke(app, [*r, "extraction", "study", "add", "SMITH 2019b"]).exit_code == 0
    res = runner.invoke(app, [*r, "extraction", "study", "from-included"])
    assert res.exit_code == 0, res.output
    assert "Smith 2019 <- record 1" in res.output and "Smith 2019c <- record 3" in res.output
    assert "2 studies created" in res.output
    res = runner.invoke(app, [*r, "extraction", "study", "link", "Smith 2019", "2"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*r, "extraction", "study", "list"])
    assert "Smith 2019\treports: 1, 2" in res.output
    # running it again creates nothing new
    assert "0 studies created" in runner.invoke(
        app, [*r, "extraction", "study", "from-included"]).output


def test_set_compare_resolve_export_xlsx(tmp_path: Path) -> None:
    r = _review(tmp_path)
    assert runner.invoke(app, [*r, "extraction", "study", "add", "Kim 2020"]).exit_code == 0
    for who, value in (("ann", "Korea"), ("bob", "Japan")):
        res = runner.invoke(app, [*r, "extraction", "set", "Kim 2020", "study/country", value,
                                  "--reviewer", who])
        assert res.exit_code == 0 and "saved" in res.output
    res = runner.invoke(app, [*r, "extraction", "set", "Kim 2020",
                              "outcome/pain_vas/arm/ctrl/sd", "0", "--reviewer", "ann"])
    assert res.exit_code == 1 and "SD must be > 0" in str(res.exception)
    res = runner.invoke(app, [*r, "extraction", "compare"])
    assert "Kim 2020 study/country: ann: Korea, bob: Japan" in res.output
    res = runner.invoke(app, [*r, "extraction", "status"])
    assert "Kim 2020\tann 1, bob 1\tagreed 0\topen 1" in res.output
    res = runner.invoke(app, [*r, "extraction", "resolve", "Kim 2020", "study/country", "Korea",
                              "--reviewer", "ann"])
    assert res.exit_code == 0
    assert "0 unresolved" in runner.invoke(app, [*r, "extraction", "compare"]).output
    assert "1 study, 1 reconciled, 0 open" in runner.invoke(
        app, [*r, "extraction", "status"]).output
    out = tmp_path / "x.xlsx"
    res = runner.invoke(app, [*r, "extraction", "export", "--format", "xlsx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    ws = load_workbook(out)["extraction"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("study", "outcome", "country")
    assert rows[1][:3] == ("Kim 2020", None, "Korea")


def test_rob_commands_and_plots(tmp_path: Path) -> None:
    r = _review(tmp_path)
    runner.invoke(app, [*r, "extraction", "study", "add", "Kim 2020"])
    runner.invoke(app, [*r, "extraction", "study", "add", "Lee 2021"])
    csv_path = tmp_path / "rob.csv"
    csv_path.write_text("study,domain,judgement,support\n" + "".join(
        f"{s},D{d},{j},quote\n" for s in ("Kim 2020", "Lee 2021")
        for d, j in zip(range(1, 7), ["low", "some concerns", "high", "low", "low", "high"],
                        strict=True)), encoding="utf-8")
    for who in ("ann", "bob"):
        res = runner.invoke(app, [*r, "rob", "import", str(csv_path), "--tool", "rob2",
                                  "--reviewer", who])
        assert res.exit_code == 0 and "12 judgements stored" in res.output
    res = runner.invoke(app, [*r, "rob", "set", "Lee 2021", "D1", "high", "--tool", "rob2",
                              "--reviewer", "bob"])
    assert res.exit_code == 0
    assert "Lee 2021 randomisation: ann: low, bob: high" in runner.invoke(
        app, [*r, "rob", "compare", "--tool", "rob2"]).output
    out = tmp_path / "rob.svg"
    res = runner.invoke(app, [*r, "rob", "plot", "--tool", "rob2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "rob_traffic.svg").is_file() and (tmp_path / "rob_summary.svg").is_file()
    assert "1 unresolved judgements" in res.output


def test_domain_modules_do_not_import_textual_or_typer() -> None:
    code = ("import sys, reviewflow.extraction.analysis_outputs, reviewflow.extraction.transfer,"
            " reviewflow.extraction.rob_plots, reviewflow.extraction.rob_import;"
            " print(sorted(m for m in ('textual', 'typer') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_form_init_example_writes_the_model_case(tmp_path: Path) -> None:
    r = _review(tmp_path, form=False)
    res = runner.invoke(app, [*r, "extraction", "form", "--init", "--example", "msc"])
    assert res.exit_code == 0, res.output
    assert "cell_source" in res.output and "Outcome pain_vas" in res.output
    res = runner.invoke(app, [*r, "extraction", "form", "--example", "msc"])
    assert res.exit_code == 2  # --example without --init
