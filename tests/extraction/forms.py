"""The extraction tests' form (MSC RCTs: cell source, pain VAS, SLEDAI...), kept with the
tests since the shipped default is a generic RCT form (issue 22)."""

from __future__ import annotations

from pathlib import Path

TEST_FORM_TEXT = (Path(__file__).with_name("msc_oa_form.toml")).read_text(encoding="utf-8")


def use_test_form(store, folder: Path | None = None):  # -> tuple[int, Form]
    """Put the tests' form in force: in the review folder when given, else in the store."""
    from reviewflow.extraction.form import FORM_FILE
    from reviewflow.extraction.form_versions import current_form, store_form_text

    if folder is not None:
        (folder / FORM_FILE).write_text(TEST_FORM_TEXT, encoding="utf-8")
        return current_form(store, folder)
    return store_form_text(store, TEST_FORM_TEXT, "test form")
