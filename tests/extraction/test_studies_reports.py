"""Studies and their reports (issue 16, scenario 4): every included study has an included report.

On a screened review: ``extraction import --create-studies`` links each new study
to the included record its rows name and refuses rows naming none; the arbiter
cannot silently drop the only report behind an extracted study; PRISMA's studies
and the analysed studies agree, or the report and ``status`` say why.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.spreadsheet import header
from reviewflow.prisma.derive import prisma_counts
from reviewflow.review_state import load_review_state
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import TEST_FORM_TEXT, form_now
from tests.screening.support import decide, make_review, viewer

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)
runner = CliRunner()


def rf(review: Path, *args: str):
    return runner.invoke(app, ["--review", str(review), *args])


def _open(review: Path) -> Store:
    return Store.open(load_config(review).database_url())


@pytest.fixture
def screened(tmp_path: Path) -> Path:
    """Six records; 1 and 2 included at both stages, 3 excluded at full text."""
    review = make_review(tmp_path / "rev", 6)
    assert rf(review, "reviewer", "add", "carol", "--role", "arbiter").exit_code == 0
    with _open(review) as store:
        ann, bob = viewer(store, "ann"), viewer(store, "bob")
        for who in (ann, bob):
            for rid in (1, 2, 3):
                decide(store, who, rid, TITLE_ABSTRACT, "include")
            for rid in (4, 5, 6):
                decide(store, who, rid, TITLE_ABSTRACT, "exclude")
        for who in (ann, bob):
            decide(store, who, 1, FULL_TEXT, "include")
            decide(store, who, 2, FULL_TEXT, "include")
            decide(store, who, 3, FULL_TEXT, "exclude", reason="wrong population")
    (review / "extraction_form.toml").write_text(TEST_FORM_TEXT, encoding="utf-8")
    return review


def _sheet(review: Path, path: Path, rows: list[dict[str, str]], extra: list[str]) -> Path:
    with _open(review) as store:
        _, form = form_now(store, review)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*header(form), *extra], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _counts(review: Path):
    with _open(review) as store, store.session() as s:
        return (s.exec(models.Study.__table__.select()).all(),
                s.exec(models.ExtractionValue.__table__.select()).all())


def test_create_studies_links_rows_to_included_records_or_refuses_them(screened: Path,
                                                                       tmp_path: Path) -> None:
    bad = _sheet(screened, tmp_path / "bad.csv", [
        {"study": "Kim 2020", "outcome": "", "country": "Korea", "record_id": "1"},
        {"study": "Ito 2019", "outcome": "", "country": "Japan", "record_id": "3"},  # excluded
        {"study": "Ghost 2021", "outcome": "", "country": "Peru"},  # names nothing
    ], ["record_id"])
    res = rf(screened, "extraction", "import", str(bad), "--reviewer", "ann", "--create-studies")
    assert res.exit_code == 1
    message = str(res.exception)
    assert "row 3 'Ito 2019'" in message and "row 4 'Ghost 2021'" in message
    assert "Kim 2020" not in message
    assert _counts(screened) == ([], [])  # one transaction: nothing at all was written
    good = _sheet(screened, tmp_path / "good.csv", [
        {"study": "Kim 2020", "outcome": "", "country": "Korea", "record_id": "1"},
        {"study": "Lee 2021", "outcome": "", "country": "Korea",
         "title": "UMBILICAL cord MSC infusion in systemic lupus erythematosus (2)"},
    ], ["record_id", "title"])
    res = rf(screened, "extraction", "import", str(good), "--reviewer", "ann", "--create-studies")
    assert res.exit_code == 0, res.output
    with _open(screened) as store, store.session() as s:
        state = load_review_state(s)
        counts = prisma_counts(s)
    assert {st.label: st.record_ids for st in state.studies} == {"Kim 2020": (1,),
                                                                 "Lee 2021": (2,)}
    assert state.studies_without_report == ()
    assert counts.included_studies == 2 == len(state.included_studies)


def test_the_only_report_of_an_extracted_study_cannot_be_dropped_silently(
        screened: Path, tmp_path: Path) -> None:
    sheet = _sheet(screened, tmp_path / "s.csv", [
        {"study": "Kim 2020", "outcome": "", "country": "Korea", "record_id": "1"}],
        ["record_id"])
    assert rf(screened, "extraction", "import", str(sheet), "--reviewer", "ann",
              "--create-studies").exit_code == 0
    args = ("resolve", "1", "--stage", "full-text", "--decision", "exclude", "--reason",
            "wrong population", "--by", "carol", "--method", "arbiter")
    res = rf(screened, *args)
    assert res.exit_code == 1 and "only included report of study 'Kim 2020'" in str(res.exception)
    with _open(screened) as store, store.session() as s:
        assert prisma_counts(s).included_studies == 2
    assert rf(screened, *args, "--force").exit_code == 0
    res = rf(screened, "status", "--json")
    data = json.loads(res.output)
    assert data["studies"]["without_included_report"] == ["Kim 2020"]
    assert "studies without an included report: Kim 2020" in rf(screened, "status").output
