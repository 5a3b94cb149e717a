"""A refused extraction input leaves the store exactly as it was (issue 21).

The first extraction command on a review stores the form in force as version 1;
that version is now stored in the same transaction as the values, so a refused
sheet or value stores no form version either. Judged by a digest of every table
(``content`` from the teams crash tests), on SQLite and, with
``REVIEWFLOW_TEST_BACKEND=postgres``, on PostgreSQL (``review_dir`` marks it ``store``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from test_teams_crash_files import content
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import TEST_FORM_TEXT

runner = CliRunner()
HEAD = "study,outcome,country,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl\n"


def _fresh(review: Path) -> str:
    """A review with a reviewer and a study whose (edited) form is not stored yet."""
    r = ["--review", str(review)]
    assert runner.invoke(app, [*r, "reviewer", "add", "ann"]).exit_code == 0
    assert runner.invoke(app, [*r, "extraction", "study", "add", "Kim 2020"]).exit_code == 0
    (review / "extraction_form.toml").write_text(TEST_FORM_TEXT, encoding="utf-8")
    return load_config(review).database_url()


def _forms(url: str) -> list[int]:
    with Store(url) as store, store.session() as s:
        return [f.version for f in s.exec(select(models.ExtractionForm)).all()]


def test_a_refused_rob_import_leaves_every_table_as_it_was(review_dir: Path,
                                                           tmp_path: Path) -> None:
    url = _fresh(review_dir)
    before = content(url)
    sheet = tmp_path / "rob.csv"
    sheet.write_text("study,domain,judgement\nKim 2020,random_sequence,maybe\n",
                     encoding="utf-8")
    res = runner.invoke(app, ["--review", str(review_dir), "rob", "import", str(sheet),
                              "--reviewer", "ann"])
    assert res.exit_code == 1 and isinstance(res.exception, ReviewflowError), res.output
    assert "\n" not in str(res.exception).strip() and sheet.name in str(res.exception)
    assert content(url) == before
    sheet.write_text("study,domain,judgement\nKim 2020,random_sequence,low\n",
                     encoding="utf-8")
    res = runner.invoke(app, ["--review", str(review_dir), "rob", "import", str(sheet),
                              "--reviewer", "ann"])
    assert res.exit_code == 0, res.output
    assert content(url) != before


@pytest.mark.parametrize("refused", ["import", "set"])
def test_a_refused_extraction_input_leaves_every_table_as_it_was(
        refused: str, review_dir: Path, tmp_path: Path) -> None:
    url = _fresh(review_dir)
    before = content(url)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(HEAD + "Kim 2020,pain_vas,Korea,3.5,abc,20,5.1,1.5,20\n",
                     encoding="utf-8")
    args = (["extraction", "import", str(sheet), "--reviewer", "ann"] if refused == "import"
            else ["extraction", "set", "Kim 2020", "outcome/pain_vas/arm/treat/sd", "abc",
                  "--reviewer", "ann"])
    res = runner.invoke(app, ["--review", str(review_dir), *args])
    assert res.exit_code == 1 and isinstance(res.exception, ReviewflowError), res.output
    assert "\n" not in str(res.exception).strip()
    if refused == "import":
        assert sheet.name in str(res.exception)
    assert content(url) == before
    assert _forms(url) == []

    # the same input made good is stored with the form it was entered against
    sheet.write_text(HEAD + "Kim 2020,pain_vas,Korea,3.5,1.2,20,5.1,1.5,20\n",
                     encoding="utf-8")
    args = [a.replace("abc", "1.2") for a in args]
    res = runner.invoke(app, ["--review", str(review_dir), *args])
    assert res.exit_code == 0, res.output
    assert _forms(url) == [1]
    with Store(url) as store, store.session() as s:
        form_ids = {v.form_id for v in s.exec(select(models.ExtractionValue)).all()}
        (form,) = s.exec(select(models.ExtractionForm)).all()
    assert form_ids == {form.id}
    assert form.definition == TEST_FORM_TEXT
