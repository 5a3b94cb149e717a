"""The extraction form: the shipped default, checks on values, versions in the store."""

from __future__ import annotations

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import default_form_text, normalise_value, parse_form
from reviewflow.extraction.form_versions import current_form, latest_form_row, store_form_text


def test_default_form_has_rct_fields_arms_and_typed_outcomes() -> None:
    form = parse_form(default_form_text())
    names = [f.name for f in form.study_fields]
    for wanted in ("country", "design", "sample_size", "disease", "cell_source", "dose",
                   "route", "follow_up"):
        assert wanted in names
    assert [a.id for a in form.arms] == ["treat", "ctrl"]
    assert form.outcome("pain_vas").type == "continuous"
    assert form.outcome("pain_vas").direction == "lower_is_better"
    assert form.outcome("clinical_response").type == "dichotomous"
    assert "outcome/pain_vas/arm/ctrl/sd" in form.field_paths()
    assert "outcome/adverse_events/arm/treat/events" in form.field_paths()
    assert "outcome/adverse_events/arm/treat/sd" not in form.field_paths()


@pytest.mark.parametrize(("path", "raw", "problem"), [
    ("outcome/pain_vas/arm/treat/sd", "0", "SD must be > 0"),
    ("outcome/pain_vas/arm/treat/sd", "-2.5", "SD must be > 0"),
    ("outcome/pain_vas/arm/treat/mean", "abc", "not a number"),
    ("outcome/pain_vas/arm/treat/n", "12.5", "not a whole number"),
    ("outcome/pain_vas/arm/treat/n", "0", "n must be at least 1"),
    ("outcome/adverse_events/arm/ctrl/events", "-1", "cannot be negative"),
    ("study/cell_source", "liver", "is not one of"),
    ("study/nonexistent", "x", "unknown study field"),
    ("outcome/pain_vas/arm/treat/events", "3", "not a field"),
])
def test_bad_values_are_refused_with_reason(path: str, raw: str, problem: str) -> None:
    form = parse_form(default_form_text())
    with pytest.raises(ReviewflowError, match=problem):
        normalise_value(form, path, raw)


def test_values_are_canonicalised() -> None:
    form = parse_form(default_form_text())
    assert normalise_value(form, "outcome/pain_vas/arm/treat/mean", " 32.50 ") == "32.5"
    assert normalise_value(form, "outcome/pain_vas/arm/treat/n", "20.0") == "20"
    assert normalise_value(form, "study/cell_source", "Bone Marrow") == "bone marrow"
    assert normalise_value(form, "study/country", "  ") is None


@pytest.mark.parametrize(("text", "problem"), [
    ("[[arms]]\nid='a'\n", "at least two arms"),
    ("[[arms]]\nid='a'\n[[arms]]\nid='b'\n[[outcomes]]\nid='x'\ntype='ordinal'\n",
     "continuous, dichotomous or generic"),
    ("[[arms]]\nid='a'\n[[arms]]\nid='a'\n", "defined twice"),
    ("not toml = = 1", "not valid TOML"),
    ("[[arms]]\nid='a'\n[[arms]]\nid='b'\n[[outcomes]]\nid='pain vas'\ntype='continuous'\n",
     "bad outcome name 'pain vas'"),
    ("[[study_fields]]\nname='n_treat'\n[[arms]]\nid='treat'\n[[arms]]\nid='ctrl'\n",
     "clash.*n_treat"),
])
def test_bad_form_definitions_are_refused(text: str, problem: str) -> None:
    with pytest.raises(ReviewflowError, match=problem):
        parse_form(text, "my_form.toml")


def test_form_versions_follow_the_folder_file(review) -> None:
    folder, store = review
    first_id, _ = current_form(store, folder)  # no file: the default is stored as v1
    assert current_form(store, folder)[0] == first_id  # unchanged: no new version
    edited = default_form_text().replace('unit = "mm"', 'unit = "cm"')
    (folder / "extraction_form.toml").write_text(edited, encoding="utf-8")
    second_id, form = current_form(store, folder)
    assert second_id != first_id
    assert form.outcome("pain_vas").unit == "cm"
    assert latest_form_row(store).version == 2
    assert store_form_text(store, edited)[0] == second_id
