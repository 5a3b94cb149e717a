"""The extraction tests' form (MSC RCTs: cell source, pain VAS, SLEDAI...), kept with the
tests since the shipped default is a generic RCT form (issue 22)."""

from __future__ import annotations

from pathlib import Path

TEST_FORM_TEXT = (Path(__file__).with_name("msc_oa_form.toml")).read_text(encoding="utf-8")


def use_test_form(store, folder: Path | None = None):  # -> tuple[int, Form]
    """Put the tests' form in force: in the review folder when given, else in the store."""
    from reviewflow.extraction.form import FORM_FILE

    if folder is not None:
        (folder / FORM_FILE).write_text(TEST_FORM_TEXT, encoding="utf-8")
        return form_now(store, folder)
    return stored_form(store, TEST_FORM_TEXT, "test form")


def form_now(store, folder: Path | None = None):  # -> tuple[int, Form]
    """The form in force, stored if new, as one transaction (setting a review up)."""
    from reviewflow.extraction.form_versions import current_form

    with store.write() as session:
        return current_form(session=session, folder=folder)


def stored_form(store, text: str, source: str = "extraction_form.toml"):  # -> (int, Form)
    """``text`` stored as the next form version (unless it is the latest), one transaction."""
    from reviewflow.extraction.form_versions import store_form_text

    with store.write() as session:
        return store_form_text(session=session, text=text, source=source)


def write_sheet(path: Path, rows: list[dict[str, str]], form) -> Path:
    """An extraction spreadsheet of ``rows`` in ``form``'s layout (blank cells elsewhere)."""
    import csv

    from reviewflow.extraction.spreadsheet import header

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header(form))
        writer.writeheader()
        writer.writerows(rows)
    return path


def extracted_with(store, folder: Path, form_text: str, rows: list[dict[str, str]],
                   sheet: Path):  # -> Form
    """``form_text`` in force and ``rows`` imported identically by alice and bob."""
    from reviewflow.extraction.form import FORM_FILE
    (folder / FORM_FILE).write_text(form_text, encoding="utf-8")
    form_id, form = form_now(store, folder)
    write_sheet(sheet, rows, form)
    for who in ("alice", "bob"):
        import_sheet(store, form, form_id, sheet, who, create_studies=True)
    return form


def save_values(store, form, form_id, reviewer_id: int, entries, *,
                consensus: bool = False) -> int:
    """One reviewer action that saves values: its own write transaction, as the CLI opens."""
    from reviewflow.extraction.values import set_values

    with store.write() as session:
        return set_values(session=session, form=form, form_id=form_id, reviewer_id=reviewer_id,
                          entries=entries, consensus=consensus)


def settle_value(store, form, form_id, **where) -> None:
    """``extraction resolve`` as one transaction (study_id, reviewer_id, path, value)."""
    from reviewflow.extraction.values import resolve

    with store.write() as session:
        resolve(session=session, form=form, form_id=form_id, **where)


def save_judgements(store, rob_tool, reviewer_id: int, entries, **options) -> int:
    """``rob record`` as one transaction (options: consensus, outcome)."""
    from reviewflow.extraction.rob import record_judgements

    with store.write() as session:
        return record_judgements(session=session, rob_tool=rob_tool, reviewer_id=reviewer_id,
                                 entries=entries, **options)


def new_study(store, label: str, record_ids: list[int] | None = None):  # -> StudyInfo
    """``extraction study add`` as one transaction."""
    from reviewflow.extraction.studies import create_study

    with store.write() as session:
        return create_study(session=session, label=label, record_ids=record_ids)


def import_sheet(store, form, form_id, path: Path, reviewer: str, *,
                 create_studies: bool = False) -> tuple[int, int]:
    """``extraction import`` as one transaction."""
    from reviewflow.extraction.transfer import import_extraction

    with store.write() as session:
        return import_extraction(session=session, form=form, form_id=form_id, path=path,
                                 reviewer=reviewer, create_studies=create_studies)


def input_of(store, analysis, **options):  # -> AnalysisInput
    """``analysis_input`` read in one session of ``store`` (the commands read through
    ``cli.common.reading``; tests holding a store read through ``store_reader``)."""
    from reviewflow.extraction.analyses import analysis_input
    from reviewflow.store.reader import store_reader

    with store_reader(store) as reader:
        return analysis_input(reader, analysis, **options)
