"""Extraction, risk-of-bias and GRADE commands write the same rows through sqlite3 and
through the ORM store's session (the write seam, issue 22).

The commands (refused inputs among them) run on two copies of one review: one
written through :func:`~reviewflow.store.writer.open_sqlite_writer`, one with it
monkeypatched to yield None so every command falls back to the session path. Their
output and every table must agree; a refused command leaves the file and its WAL
byte-identical. The same day of work also runs on the test backend (PostgreSQL in
the store pass), where every command writes through a session.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.form import parse_form
from tests.extraction.forms import TEST_FORM_TEXT
from tests.screening.support import make_review, without_sqlite_writer
from tests.store.test_writer import SHOWN_TIME, _dump, _file_state

runner = CliRunner()
N = 7
ANALYSES = """
[[analysis]]
name = "vas"
outcome = "pain_vas"
measure = "SMD"
method = "IV"
model = "random"
"""
# Each command, with the exit code it gives: 1 for a refused input.
Step = tuple[int, tuple[str, ...]]


def _run(review: Path, *args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["--review", str(review), *args])
    error = "" if res.exception is None else f"error: {res.exception}"
    return res.exit_code, res.output + error


def _votes(path: Path, ids: range) -> Path:
    path.write_text("record_id,decision\n" + "".join(f"{i},include\n" for i in ids),
                    encoding="utf-8")
    return path


def _review(folder: Path, files: Path) -> Path:
    """Records 1-6 included at full text by ann and bob (7 excluded); the tests' form and
    one declared analysis in the folder."""
    review = make_review(folder, N)
    (review / "extraction_form.toml").write_text(TEST_FORM_TEXT, encoding="utf-8")
    (review / "analyses.toml").write_text(ANALYSES, encoding="utf-8")
    votes = _votes(files / "in.csv", range(1, 7))
    for stage in ("title-abstract", "full-text"):
        for who in ("ann", "bob"):
            code, said = _run(review, "decide", "--reviewer", who, "--stage", stage,
                              "--from", str(votes))
            assert code == 0, said
    return review


def _sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    """A spreadsheet in the tests' form's layout, with the column naming a new study's
    included report."""
    import csv

    from reviewflow.extraction.spreadsheet import header

    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=[*header(parse_form(TEST_FORM_TEXT, "test form")),
                                             "record_id"])
        out.writeheader()
        out.writerows(rows)
    return path


def _files(files: Path) -> dict[str, Path]:
    rob = files / "rob.csv"
    rob.write_text("study,domain,judgement,support\n"
                   "Alpha 2010,D2,low,sealed envelopes\n"
                   "Beta 2011,blinding_participants,high,open label\n", encoding="utf-8")
    bad_rob = files / "bad_rob.csv"
    bad_rob.write_text("study,domain,judgement\nAlpha 2010,D1,low\nAlpha 2010,D1,maybe\n",
                       encoding="utf-8")
    return {
        "sheet": _sheet(files / "sheet.csv", [
            {"study": "Alpha 2010", "sample_size": "40"},
            {"study": "Delta 2013", "record_id": "4", "sample_size": "60"}]),
        "bad_sheet": _sheet(files / "bad.csv", [
            {"study": "Alpha 2010", "sample_size": "42"},
            {"study": "Alpha 2010", "sample_size": "many"}]),
        "rob": rob, "bad_rob": bad_rob,
    }


def _steps(files: dict[str, Path]) -> list[Step]:
    """One day of extraction, risk of bias and GRADE, as commands (refusals exit 1)."""
    ex, st = "extraction", ("extraction", "study")
    return [
        (0, (*st, "add", "Alpha 2010", "--record", "1")),
        (0, (*st, "add", "Beta 2011", "--record", "2")),
        (1, (*st, "add", "Alpha 2010")),  # taken
        (1, (*st, "add", "Gamma 2012", "--record", "1")),  # record 1 is Alpha's
        (0, (*st, "link", "Beta 2011", "3")),
        (1, (*st, "link", "Beta 2011", "99")),  # no such record
        (1, (*st, "link", "Nobody 2000", "5")),
        (0, (ex, "set", "Alpha 2010", "study/country", "China", "-r", "ann")),  # stores the form
        (0, (ex, "set", "Alpha 2010", "study/country", "China", "-r", "ann")),  # unchanged
        (0, (ex, "set", "alpha 2010", "study/sample_size", "40", "-r", "ann")),
        (1, (ex, "set", "Alpha 2010", "study/sample_size", "forty", "-r", "ann")),
        (1, (ex, "set", "Alpha 2010", "study/country", "Chile", "-r", "nobody")),
        (1, (ex, "set", "Alpha 2010", "study/nonsense", "1", "-r", "ann")),
        (0, (ex, "set", "Beta 2011", "study/country", "Iran", "-r", "bob")),
        (0, (ex, "import", str(files["sheet"]), "-r", "bob", "--create-studies")),
        (1, (ex, "import", str(files["bad_sheet"]), "-r", "bob")),
        (1, (ex, "import", str(files["sheet"]), "-r", "nobody")),
        (0, (ex, "resolve", "Alpha 2010", "study/sample_size", "40", "-r", "ann")),
        (1, (ex, "resolve", "Alpha 2010", "study/nonsense", "40", "-r", "ann")),
        (0, (*st, "from-included",)),  # records 5 and 6
        (0, (*st, "from-included",)),  # none left
        (0, ("rob", "set", "Alpha 2010", "D1", "low", "-r", "ann", "-s", "computer list")),
        (0, ("rob", "set", "Alpha 2010", "random_sequence", "high", "-r", "bob")),
        (0, ("rob", "set", "Alpha 2010", "D1", "low", "-r", "ann", "--consensus")),
        (0, ("rob", "set", "Beta 2011", "overall", "some_concerns", "-t", "rob2", "-r", "ann",
             "--outcome", "pain_vas")),
        (1, ("rob", "set", "Alpha 2010", "D9", "low", "-r", "ann")),
        (1, ("rob", "set", "Alpha 2010", "D1", "perhaps", "-r", "ann")),
        (1, ("rob", "set", "Nobody 2000", "D1", "low", "-r", "ann")),
        (0, ("rob", "import", str(files["rob"]), "-r", "bob")),
        (1, ("rob", "import", str(files["bad_rob"]), "-r", "bob")),
        (1, (*st, "merge", "Alpha 2010", "Delta 2013")),  # bob: 40 / 60 would be hidden
        (0, (*st, "merge", "Beta 2011", "Author5 2014", "-r", "ann")),
        (1, (*st, "merge", "Beta 2011", "Author5 2014", "-r", "ann")),  # merged already
        (1, (ex, "set", "Author5 2014", "study/country", "Iran", "-r", "ann")),  # merged
        (0, (*st, "unmerge", "Author5 2014", "-r", "ann")),
        (1, (*st, "unmerge", "Author5 2014", "-r", "ann")),  # not merged now
        (1, (*st, "unmerge", "Nobody 2000", "-r", "ann")),
        (0, ("grade", "set", "vas", "risk_of_bias", "serious", "--reason", "unclear sequence",
             "-r", "ann")),
        (1, ("grade", "set", "vas", "imprecision", "not_serious", "-r", "carol")),  # unknown
        (0, ("grade", "set", "vas", "imprecision", "not_serious", "-r", "bob")),
        (1, ("grade", "set", "vas", "inconsistency", "serious", "-r", "ann")),  # no reason
        (1, ("grade", "set", "nope", "imprecision", "serious", "--reason", "x", "-r", "ann")),
        (0, ("grade", "retract", "vas", "imprecision", "-r", "ann")),
        (1, ("grade", "retract", "vas", "imprecision", "-r", "bob")),  # nothing to retract
        (1, ("grade", "retract", "vas", "risk_of_bias", "-r", "dan")),  # unknown reviewer
        (0, (ex, "compare",)),
        (0, ("rob", "compare",)),
        (0, ("grade", "show",)),
        (0, (*st, "list",)),
    ]


def _day(review: Path, steps: list[Step]) -> list[tuple[int, str]]:
    """Run every step; a refused one must leave the store's bytes as they were."""
    said = []
    for want, args in steps:
        before = _file_state(review)
        code, text = _run(review, *args)
        assert code == want, (args, text)
        if code == 1:
            assert "Traceback" not in text and text.strip().count("\n") == 0, (args, text)
            if _is_sqlite(review):
                assert _file_state(review) == before, (args, text)
        said.append((code, text))
    return said


def _is_sqlite(review: Path) -> bool:
    return (review / "reviewflow.db").exists()


def _shown(said: list[tuple[int, str]], folder: Path) -> list[str]:
    return [SHOWN_TIME.sub("<time>", text.replace(str(folder), "<review>")) for _, text in said]


def test_entry_commands_write_the_same_rows_through_sqlite3_and_through_the_orm(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = tmp_path / "files"
    files.mkdir()
    direct = _review(tmp_path / "direct", files)
    orm = tmp_path / "orm"
    shutil.copytree(direct, orm)
    steps = _steps(_files(files))
    said_direct = _day(direct, steps)
    calls = without_sqlite_writer(monkeypatch)
    said_orm = _day(orm, steps)
    readers = sum(args[-1] in ("compare", "show", "list") for _, args in steps)
    # every writing command took the session path ('grade set nope' is refused before
    # the store is opened: no analysis of that name)
    assert len(calls) == len(steps) - readers - 1
    assert _shown(said_orm, orm) == _shown(said_direct, direct)
    dumped = _dump(direct)
    assert dumped == _dump(orm)
    # what the day wrote (the same both ways, checked above): enough to mean something
    assert [r[1] for r in dumped["study"]] == ["Alpha 2010", "Beta 2011", "Delta 2013",
                                               "Author5 2014", "Author6 2015"]
    assert [r[1:4] for r in dumped["study_record"]] == [(1, 1, 1), (2, 2, 1), (2, 3, 0),
                                                       (3, 4, 1), (4, 5, 1), (5, 6, 1)]
    assert [r[1:3] for r in dumped["extraction_form"]] == [("MSC RCTs (extraction tests)", 1)]
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in dumped["extraction_value"]] == [
        (1, 1, "study/country", "China", 0), (1, 1, "study/sample_size", "40", 0),
        (2, 2, "study/country", "Iran", 0), (1, 2, "study/sample_size", "40", 0),
        (3, 2, "study/sample_size", "60", 0), (1, 1, "study/sample_size", "40", 1)]
    assert [r[1:8] for r in dumped["rob_judgement"]] == [
        (1, "rob1", "random_sequence", None, "low", "computer list", 1),
        (1, "rob1", "random_sequence", None, "high", None, 2),
        (1, "rob1", "random_sequence", None, "low", None, 1),
        (2, "rob2", "overall", "pain_vas", "some_concerns", None, 1),
        (1, "rob1", "allocation_concealment", None, "low", "sealed envelopes", 2),
        (2, "rob1", "blinding_participants", None, "high", "open label", 2)]
    assert [r[1:4] for r in dumped["study_merge"]] == [(4, 2, "merge"), (4, 2, "unmerge")]
    assert [r[1:5] for r in dumped["grade_judgement"]] == [
        ("vas", "risk_of_bias", "serious", "unclear sequence"),
        ("vas", "imprecision", "not_serious", None),
        ("vas", "imprecision", "retracted", None)]
    assert [r[1] for r in dumped["reviewer"]] == ["ann", "bob"]  # a GRADE rater is never made
    assert "2 studies created" in said_direct[19][1] and "0 studies" in said_direct[20][1]
    assert "would hide" in said_direct[30][1] and "sample_size (bob: 40 / 60)" in \
        said_direct[30][1]


@pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)
def test_each_writing_command_stores_through_the_backend(tmp_path: Path) -> None:
    """The same day on the test backend (on PostgreSQL every command writes through a
    session): the same answers as through sqlite3."""
    files = tmp_path / "files"
    files.mkdir()
    steps = _steps(_files(files))
    review = _review(tmp_path / "rev", files)
    said = _day(review, steps)
    assert "2 studies created" in said[19][1]
    assert "certainty now" in said[37][1] and "unknown reviewer" in said[38][1]
    assert "retracted" in said[42][1] and "unknown reviewer" in said[44][1]
    # ids left out: a PostgreSQL sequence does not give back a refused insert's number
    assert [line.split("\t", 1)[1] for line in said[-1][1].splitlines()] == [
        "Alpha 2010\treports: 1", "Author5 2014\treports: 5", "Author6 2015\treports: 6",
        "Beta 2011\treports: 2, 3", "Delta 2013\treports: 4"]

