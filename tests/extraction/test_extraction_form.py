"""The extraction form: the shipped default, checks on values, versions in the store."""

from __future__ import annotations

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import (
    FORM_FILE,
    default_form_text,
    example_form_text,
    example_forms,
    normalise_value,
    parse_form,
)
from reviewflow.extraction.form_versions import latest_form_row
from tests.extraction.forms import TEST_FORM_TEXT, form_now, stored_form


def test_default_form_is_a_generic_rct_form() -> None:
    form = parse_form(default_form_text())
    names = [f.name for f in form.study_fields]
    for wanted in ("country", "design", "population", "sample_size", "intervention",
                   "comparator", "follow_up"):
        assert wanted in names
    # nothing of the model case: no cell source, no disease-specific outcome
    assert "cell_source" not in names
    assert [o.id for o in form.outcomes] == ["primary", "response", "adverse_events"]
    assert [a.id for a in form.arms] == ["treat", "ctrl"]
    assert form.outcome("primary").type == "continuous"
    assert form.outcome("response").type == "dichotomous"
    assert "outcome/primary/arm/ctrl/sd" in form.field_paths()
    assert "outcome/adverse_events/arm/treat/events" in form.field_paths()


def test_the_msc_model_case_is_a_worked_example() -> None:
    assert "msc" in example_forms()
    form = parse_form(example_form_text("msc"))
    assert "cell_source" in [f.name for f in form.study_fields]
    assert form.outcome("pain_vas").type == "continuous"
    with pytest.raises(ReviewflowError, match="no example form 'nope'.*msc"):
        example_form_text("nope")


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
    form = parse_form(TEST_FORM_TEXT)
    with pytest.raises(ReviewflowError, match=problem):
        normalise_value(form, path, raw)


def test_values_are_canonicalised() -> None:
    form = parse_form(TEST_FORM_TEXT)
    assert normalise_value(form, "outcome/pain_vas/arm/treat/mean", " 32.50 ") == "32.50"
    assert normalise_value(form, "outcome/pain_vas/arm/treat/mean", "7,0") == "7.0"
    assert normalise_value(form, "outcome/pain_vas/arm/treat/mean", "1e2") == "100"
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
    (folder / FORM_FILE).unlink()  # the fixture's form
    first_id, _ = form_now(store, folder)  # no file: the latest stored form stays in force
    assert form_now(store, folder)[0] == first_id  # unchanged: no new version
    edited = TEST_FORM_TEXT.replace('unit = "mm"', 'unit = "cm"')
    (folder / "extraction_form.toml").write_text(edited, encoding="utf-8")
    second_id, form = form_now(store, folder)
    assert second_id != first_id
    assert form.outcome("pain_vas").unit == "cm"
    assert latest_form_row(store).version == 2
    assert stored_form(store, edited)[0] == second_id


def test_a_review_without_a_form_file_uses_the_generic_default(tmp_path) -> None:
    from reviewflow.store.db import Store

    store = Store.create(f"sqlite:///{tmp_path / 'rf.db'}", title="x")
    try:
        form_id, form = form_now(store, tmp_path)
        assert form.name == "RCT (reviewflow default)" and latest_form_row(store).version == 1
        assert form_now(store, tmp_path)[0] == form_id
    finally:
        store.dispose()


def test_a_form_version_is_written_in_the_callers_transaction_only(review) -> None:
    """A failure later in the same action takes the new form version back."""
    import pytest

    from reviewflow.extraction.form_versions import current_form, store_form_text

    folder, store = review
    before = latest_form_row(store).version
    edited = TEST_FORM_TEXT.replace('unit = "mm"', 'unit = "cm"')
    with pytest.raises(KeyError), store.write() as session:
        first, _ = store_form_text(session=session, text=edited)
        assert current_form(session=session)[0] == first  # the latest, inside the transaction
        raise KeyError("later in the same action")
    assert latest_form_row(store).version == before
    assert form_now(store, folder)[1].outcome("pain_vas").unit == "mm"
