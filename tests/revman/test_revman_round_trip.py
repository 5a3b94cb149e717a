"""import -> export -> import gives the same review: studies, records, data, RoB, analyses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.analyses import load_analyses
from reviewflow.extraction.rob import ROB1, reconcile_rob
from reviewflow.extraction.rob_items import item_descriptions
from reviewflow.extraction.values import reconcile
from reviewflow.revman.check import Verdict, check_file
from reviewflow.revman.reader import read_rm5
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import form_now

SMALL = Path(__file__).parent / "fixtures" / "small.rm5"
RECORD_FIELDS = ("title", "authors_json", "year", "journal", "volume", "issue", "pages", "doi",
                 "pmid", "publication_type")


def invoke(*args: str) -> None:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, (res.output, res.exception)


def snapshot(folder: Path):
    store = Store.open(load_config(folder).database_url())
    try:
        form = form_now(store, folder)[1]
        with store.session() as s:
            records = sorted(tuple(getattr(r, f) for f in RECORD_FIELDS)
                             + (json.loads(r.raw_json).get("revman_study_id"),)
                             for r in s.exec(select(models.RecordRow)).all())
        rob = reconcile_rob(store, ROB1).judgements
        with store.session() as s:
            descriptions = item_descriptions(ROB1.id, session=s)
        return {
            "form": form.text,
            "values": reconcile(store).values,
            "rob": rob,
            "rob_descriptions": descriptions,
            "records": records,
            "analyses": load_analyses(folder, form),
        }
    finally:
        store.dispose()


def round_trip(source: Path, tmp_path: Path) -> tuple[dict, dict, Path]:
    first, second, exported = tmp_path / "a", tmp_path / "b", tmp_path / "a.rm5"
    invoke("revman", "import", str(source), str(first))
    invoke("--review", str(first), "revman", "export", "--out", str(exported))
    invoke("revman", "import", str(exported), str(second))
    return snapshot(first), snapshot(second), exported


def test_hand_made_review_round_trips(tmp_path: Path) -> None:
    a, b, exported = round_trip(SMALL, tmp_path)
    assert a == b
    assert a["values"]["Li 2019"]["outcome/c1_o1/arm/treat/events"] == "12"
    assert check_file(read_rm5(exported)).count(Verdict.AGREES) == 3


@pytest.mark.corpus
def test_every_corpus_file_round_trips(corpus: Path, tmp_path: Path) -> None:
    files = sorted((corpus / "revman" / "rm5").glob("*.rm5"))
    if not files:
        pytest.skip("no .rm5 files in the corpus")
    for f in files:
        a, b, exported = round_trip(f, tmp_path / f.stem)
        for key in a:
            assert a[key] == b[key], (f.name, key)
        report = check_file(read_rm5(exported))
        assert report.agrees, (f.name, [o.label for o in report.outcomes
                                        if o.verdict is Verdict.DIFFERS])


@pytest.mark.corpus
def test_rob_item_descriptions_survive_the_round_trip(corpus: Path, tmp_path: Path) -> None:
    """Each RoB item's question (RevMan's QUALITY_ITEM DESCRIPTION) is imported, kept and
    exported: every item the export writes asks what the original asked."""
    source = corpus / "revman" / "rm5" / "Benzodiazepines_versus_pregabalin_for_GAD.rm5"
    if not source.is_file():
        pytest.skip(f"{source} not in the corpus")
    a, b, exported = round_trip(source, tmp_path)
    original = {i.name: i.description for i in read_rm5(source).risk_of_bias}
    written = {i.name: i.description for i in read_rm5(exported).risk_of_bias}
    assert written == original and len(written) == 8
    assert all(written.values())  # the file states every question
    # the item no study was judged in is listed, as RevMan lists it
    assert not {i.name: i.entries for i in read_rm5(exported).risk_of_bias}[
        "Blinding (performance bias and detection bias)"]
    assert written["Other bias"] == "Bias due to problems not covered elsewhere in the table"
    assert a["rob_descriptions"] == b["rob_descriptions"]
