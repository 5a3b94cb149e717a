"""`reviewflow analyse --init` and `--help`: a new reviewer gets analyses.toml without
reading the docs first (issue 22)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.analyses_starter import starter_analyses
from reviewflow.extraction.form import default_form_text, example_form_text, parse_form
from tests.extraction.forms import TEST_FORM_TEXT

runner = CliRunner()


@pytest.mark.parametrize("text", [default_form_text(), TEST_FORM_TEXT,
                                  example_form_text("msc")])
def test_the_starter_declares_each_outcome_and_runs_as_it_stands(text: str) -> None:
    form = parse_form(text)
    starter = starter_analyses(form)
    analyses = parse_analyses(starter, form)
    assert [a.outcome for a in analyses] == [o.id for o in form.outcomes]
    for a in analyses:
        kind = form.outcome(a.outcome).type
        assert (a.measure, a.method) == (("RR", "MH") if kind == "dichotomous" else
                                         ("MD" if form.outcome(a.outcome).unit else "SMD", "IV"))
    # every optional key is written out, commented, with the form's own field names
    for key in ("subgroup", "where", "exclude", "leave_one_out", "tau2", "hksj"):
        assert f"# {key}" in starter or f"#   {key}" in starter
    choices = [f.name for f in form.study_fields if f.type == "choice"]
    assert f'# subgroup = "{choices[0]}"' in starter


def test_a_title_with_quotes_stays_valid_toml() -> None:
    form = parse_form(TEST_FORM_TEXT.replace('label = "Pain (VAS)"',
                                             'label = "Pain \\"VAS\\" (0-100)"'))
    assert 'Pain "VAS" (0-100)' in [a["title"] for a in
                                    tomllib.loads(starter_analyses(form))["analysis"]]


def test_analyse_init_writes_once_and_help_describes_the_file(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "rev")]).exit_code == 0
    r = ["--review", str(tmp_path / "rev")]
    res = runner.invoke(app, [*r, "analyse", "--all"])
    assert res.exit_code == 1 and "analyse --init" in str(res.exception)
    res = runner.invoke(app, [*r, "analyse", "--init"])
    assert res.exit_code == 0, res.output
    assert "3 analyses (primary, response, adverse_events)" in res.output
    written = (tmp_path / "rev" / "analyses.toml").read_text(encoding="utf-8")
    res = runner.invoke(app, [*r, "analyse", "--init"])
    assert res.exit_code == 1 and "exists" in str(res.exception)
    assert (tmp_path / "rev" / "analyses.toml").read_text(encoding="utf-8") == written
    res = runner.invoke(app, ["analyse", "--help"], env={"COLUMNS": "120"})
    for words in ("[[analysis]]", "outcome", "measure", "subgroup", "leave_one_out",
                  "--init"):
        assert words in res.output, words
