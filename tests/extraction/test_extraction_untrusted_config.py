"""analyses.toml and forms from others: strictly typed, names confined (items 2, 10, 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.config_schema import ConfigError
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.form import example_form_text, parse_form
from reviewflow.paths import confined

runner = CliRunner()
FORM = parse_form(example_form_text("msc"))  # pain VAS, disease: the model case
BASE = 'name = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\n'


def _parse(extra: str, name_line: str | None = None):
    body = BASE if name_line is None else BASE.replace('name = "vas"', name_line)
    return parse_analyses(f"[[analysis]]\n{body}{extra}", FORM, "analyses.toml")


@pytest.mark.parametrize("name", ["/tmp/x", "../../../tmp/x", "a/b", "..", ".hidden",
                                  "x\\y", "", "a" * 81])
def test_analysis_names_that_would_leave_the_folder_are_refused(name: str) -> None:
    with pytest.raises(ConfigError) as err:
        _parse("", f"name = {name!r}".replace("'", '"') if "\\" not in name
               else "name = 'x\\y'")
    assert err.value.path == "analyses.toml" and err.value.key.endswith("name")
    assert "\n" not in str(err.value)


def test_analyse_writes_nothing_outside_the_review(extracted, tmp_path: Path) -> None:
    """Item 2: name = "../../../tmp/x" made analyse write _data.csv outside the folder."""
    folder, _store, _ids = extracted
    outside = tmp_path / "escaped"
    (folder / "analyses.toml").write_text(
        '[[analysis]]\nname = "../../escaped/x"\noutcome = "pain_vas"\nmeasure = "SMD"\n')
    res = runner.invoke(app, ["analyse", "--all", "--review", str(folder)])
    assert res.exit_code == 1
    assert "analyses.toml" in str(res.exception) and "name" in str(res.exception)
    assert not outside.exists()
    assert not list(tmp_path.glob("**/x_data.csv"))


def test_confined_refuses_escaping_names(tmp_path: Path) -> None:
    assert confined(tmp_path, "vas_data.csv") == tmp_path / "vas_data.csv"
    for bad in ("../x.csv", "/tmp/x.csv", "a/b.csv", "..", ""):
        with pytest.raises(ReviewflowError):
            confined(tmp_path, bad)


@pytest.mark.parametrize(("extra", "key", "problem"), [
    ('hksj = "false"\n', "hksj", "true or false"),  # was: HKSJ switched ON
    ('exclude = "Lee 2020"\n', "exclude", "must be a list"),  # was: split into characters
    ('leave_one_out = 1\n', "leave_one_out", "true or false"),
    ('where = "x"\n', "where", "must be a table"),
    ('tau2 = 3\n', "tau2", "text in quotes"),
    ('exclude = [""]\n', "exclude", "may not be empty"),
])
def test_wrongly_typed_keys_are_refused_not_coerced(extra: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        _parse(extra)
    assert err.value.key == f"analysis['vas'].{key}", err.value.key
    assert problem in err.value.problem
    assert str(err.value).startswith("analyses.toml: key analysis['vas']")


def test_the_right_types_still_parse() -> None:
    a = _parse('hksj = true\nexclude = ["Lee 2020"]\nwhere = { disease = "oa" }\n')[0]
    assert a.hksj is True and a.exclude == ("Lee 2020",) and a.where == {"disease": "oa"}


@pytest.mark.parametrize(("text", "needle"), [
    ("analysis = 3\n", "key analysis: must be a list"),
    ('[[analyses]]\nname = "x"\n', "unknown key 'analyses'"),
])
def test_wrong_shapes_at_the_top(text: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        parse_analyses(text, FORM, "analyses.toml")


def test_non_utf8_analyses_is_one_line(extracted) -> None:
    folder, _store, _ids = extracted
    (folder / "analyses.toml").write_bytes(b'[[analysis]]\nname = "\xff\xfe"\n')
    res = runner.invoke(app, ["analyse", "--all", "--review", str(folder)])
    assert res.exit_code == 1
    assert "analyses.toml: not UTF-8" in str(res.exception)


ARMS = "[[arms]]\nid = 'treat'\n[[arms]]\nid = 'ctrl'\n"


@pytest.mark.parametrize(("text", "key", "problem"), [
    # was ignored: a typo'd key silently did nothing (item 11)
    (ARMS + "[[study_fields]]\nname = 'design'\ntype = 'choice'\nchoises = ['a']\n",
     "study_fields['design'].choises", "unknown key 'choises'"),
    (ARMS + "[[study_fields]]\nname = 'design'\ntype = 'choice'\nchoices = 'ab'\n",
     "study_fields['design'].choices", "must be a list"),
    (ARMS + "[[outcomes]]\nid = 'x'\ntype = 'continuous'\nunit = 3\n",
     "outcomes[1].unit", "text in quotes"),
    (ARMS + "[form]\nname = 'f'\nversion = 2\n", "form.version", "unknown key"),
    ("study_fields = 3\n", "study_fields", "must be a list"),
])
def test_form_keys_are_checked(text: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_form(text, "extraction_form.toml")
    assert err.value.key == key and problem in err.value.problem, str(err.value)
    assert str(err.value).startswith("extraction_form.toml: key ")


def test_the_shipped_form_passes_its_schema() -> None:
    assert len(FORM.outcomes) >= 2


def test_non_utf8_form_is_one_line(extracted) -> None:
    folder, _store, _ids = extracted
    (folder / "extraction_form.toml").write_bytes(b"[form]\nname = '\xff'\n")
    res = runner.invoke(app, ["extraction", "form", "--review", str(folder)])
    assert res.exit_code == 1, res.output
    assert "extraction_form.toml: not UTF-8" in str(res.exception)
