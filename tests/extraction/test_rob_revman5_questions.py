"""RevMan 5.0's question-style RoB items ("Adequate sequence generation?") are RoB 1's
domains in the author's words: shown in those words, in the domain's place, counted as
the domain, and exported as they came."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.rob import (
    REVMAN5_QUESTIONS,
    ROB1,
    Judgement,
    RobTable,
    reconcile_rob,
    with_custom_domains,
)
from reviewflow.extraction.rob_plots import forest_rob
from reviewflow.revman.reader import read_rm5
from reviewflow.store.db import Store
from reviewflow.store.location import load_config

QUESTIONS = ("Adequate sequence generation?", "Allocation concealment?", "Blinding?",
             "Incomplete outcome data addressed?", "Free of selective reporting?",
             "Free of other bias?")


def test_each_question_takes_its_domains_place_in_the_authors_words() -> None:
    tool = with_custom_domains(ROB1, QUESTIONS)
    assert [d.label for d in tool.domains] == list(QUESTIONS)
    assert [d.stands_for for d in tool.domains] == [
        ("random_sequence",), ("allocation_concealment",),
        ("blinding_participants", "blinding_outcome"), ("incomplete_outcome",),
        ("selective_reporting",), ("other_bias",)]
    # a judgement given under the RoB 1 domain's id lands on the author's item
    assert tool.domain("random_sequence").label == "Adequate sequence generation?"
    assert tool.domain("blinding_outcome").label == "Blinding?"
    assert set(REVMAN5_QUESTIONS) == {q.lower() for q in QUESTIONS}


def test_the_questions_count_as_rob1_domains_in_the_overall_judgement() -> None:
    tool = with_custom_domains(ROB1, QUESTIONS)
    table = RobTable(tool, None, {"a": {q: Judgement("low") for q in QUESTIONS},
                                  "b": {QUESTIONS[0]: Judgement("low")}})
    assert (table.overall("a"), table.overall("b")) == ("low", "unclear")
    assert forest_rob(table).headings == ("A", "B", "C", "D", "E", "F", "Overall")


def test_a_question_beside_its_own_domain_stays_a_separate_item() -> None:
    """A review judging both the domain and the question keeps both, nothing merged."""
    tool = with_custom_domains(ROB1, ["random_sequence", "Adequate sequence generation?"])
    assert [d.id for d in tool.domains][0] == "random_sequence"
    assert tool.domains[-1].label == "Adequate sequence generation?"
    assert tool.domain("random_sequence").id == "random_sequence"


@pytest.mark.corpus
def test_fleiss1993_items_import_in_their_words_and_export_as_they_came(
        corpus: Path, tmp_path: Path) -> None:
    source = corpus / "revman" / "rm5" / "Fleiss1993.rm5"
    if not source.is_file():
        pytest.skip(f"{source} not in the corpus")
    judged = {i.name: len(i.entries) for i in read_rm5(source).risk_of_bias if i.entries}
    assert judged == {"Allocation concealment?": 12}
    folder, exported = tmp_path / "fleiss", tmp_path / "fleiss.rm5"
    for args in (["revman", "import", str(source), str(folder)],
                 ["--review", str(folder), "revman", "export", "--out", str(exported)]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
    store = Store.open(load_config(folder).database_url())
    try:
        table = reconcile_rob(store, ROB1)
    finally:
        store.dispose()
    item = table.tool.domains[1]
    assert (item.label, item.stands_for) == ("Allocation concealment?",
                                             ("allocation_concealment",))
    assert len(table.tool.domains) == len(ROB1.domains)  # in the domain's place
    again = {i.name: len(i.entries) for i in read_rm5(exported).risk_of_bias}
    # every item in its words: the judged one with its entries, and those no study was
    # judged in (listed with their questions, as RevMan lists them)
    assert again == {i.name: len(i.entries) for i in read_rm5(source).risk_of_bias}
    assert {n: k for n, k in again.items() if k} == judged


def test_a_csv_naming_the_rob1_domain_judges_the_authors_item(extracted,
                                                              tmp_path: Path) -> None:
    from sqlmodel import select

    from reviewflow.extraction.rob import record_judgements
    from reviewflow.extraction.rob_import import import_rob_csv
    from reviewflow.store import models
    from tests.screening.support import add_reviewer

    _folder, store, ids = extracted
    rid = int(add_reviewer(store, "alice").id or 0)
    question = with_custom_domains(ROB1, [QUESTIONS[0]])
    with store.write() as session:
        record_judgements(session=session, rob_tool=question, reviewer_id=rid,
                          entries=[(ids["Brun 2019"], QUESTIONS[0], "low", None)])
    sheet = tmp_path / "rob.csv"
    sheet.write_text("study,domain,judgement\nAlda 2018,random_sequence,high\n",
                     encoding="utf-8")
    with store.write() as session:
        assert import_rob_csv(session=session, path=sheet, reviewer="alice",
                              default_tool=ROB1) == 1
    with store.session() as s:
        domains = set(s.exec(select(models.RobJudgement.domain)).all())
    assert domains == {QUESTIONS[0]}
