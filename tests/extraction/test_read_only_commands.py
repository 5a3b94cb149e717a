"""Commands that read the review never write to its store.

An export, an analysis, a report or a RevMan file describes the review; it used to
store the edited extraction form as a new version on the way (the form in force was
read through a helper that records it). A reader may not change what it describes:
every table is compared, row for row, before and after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.form import FORM_FILE
from reviewflow.store.bundle import summarize

ANALYSES = '[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\n'
EDIT = '\n[[study_fields]]\nname = "funding"\ntype = "text"\nlabel = "Funding"\n'


def _rows(store) -> dict:
    with store.engine.connect() as conn:
        return summarize(conn)


@pytest.mark.parametrize("command", [
    ["extraction", "form"],
    ["extraction", "export", "--out", "{tmp}/x.csv"],
    ["extraction", "export", "--format", "xlsx", "--out", "{tmp}/x.xlsx"],
    ["extraction", "export", "--reviewer", "alice", "--out", "{tmp}/alice.csv"],
    ["analyse", "--all", "--out", "{tmp}/analyses"],
    ["revman", "export", "--out", "{tmp}/review.rm5"],
    ["grade", "sof", "--out", "{tmp}/grade"],
    ["report", "--out", "{tmp}/report"],
], ids=["form", "export-csv", "export-xlsx", "export-reviewer", "analyse", "revman-export",
        "grade-sof", "report"])
def test_a_reading_command_leaves_the_store_as_it_was(extracted, tmp_path: Path,
                                                      command: list[str]) -> None:
    folder, store, _ids = extracted
    (folder / "analyses.toml").write_text(ANALYSES, encoding="utf-8")
    form = folder / FORM_FILE
    form.write_text(form.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    before = _rows(store)
    args = [a.format(tmp=tmp_path) for a in command]
    res = CliRunner().invoke(app, ["--review", str(folder), *args])
    assert res.exit_code == 0, (res.output, res.exception)
    assert _rows(store) == before


def test_writing_values_still_records_the_edited_form(extracted) -> None:
    """The other side: a command that writes values stores the form they were entered on."""
    folder, store, _ids = extracted
    form = folder / FORM_FILE
    form.write_text(form.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    before = _rows(store)["extraction_form"].rows
    res = CliRunner().invoke(app, ["--review", str(folder), "extraction", "set", "Alda 2018",
                                   "study/funding", "industry", "--reviewer", "alice"])
    assert res.exit_code == 0, (res.output, res.exception)
    assert _rows(store)["extraction_form"].rows == before + 1
