"""Spreadsheet import/export: the layout round-trips; bad cells are named and block import."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.spreadsheet import header
from reviewflow.extraction.transfer import export_extraction
from reviewflow.extraction.values import reconcile
from reviewflow.store import models
from tests.extraction.forms import form_now, import_sheet


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]], cols: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return path


def _value_count(store) -> int:
    with store.session() as s:
        return len(s.exec(select(models.ExtractionValue)).all())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_as_a_new_reviewer_round_trips(extracted, tmp_path, fmt) -> None:
    folder, store, _ids = extracted
    form_id, form = form_now(store, folder)
    out = tmp_path / f"x.{fmt}"
    n, rec = export_extraction(store, form, out, fmt)
    assert n == 12  # six studies x two outcomes
    assert rec is not None and rec.discrepancies == []
    rows, written = import_sheet(store, form, form_id, out, "carol")
    assert rows == 12 and written > 0
    # carol entered exactly what alice and bob agreed: still no discrepancy
    after = reconcile(store)
    assert after.discrepancies == [] and after.values == rec.values


def test_export_layout_is_one_row_per_study_and_outcome(extracted, tmp_path) -> None:
    folder, store, _ids = extracted
    _form_id, form = form_now(store, folder)
    export_extraction(store, form, tmp_path / "x.csv", "csv", reviewer="alice")
    rows = _rows(tmp_path / "x.csv")
    first = next(r for r in rows if r["study"] == "Alda 2018" and r["outcome"] == "pain_vas")
    assert (first["mean_treat"], first["sd_treat"], first["n_treat"]) == ("32.0", "14.0", "20")
    assert first["events_treat"] == "" and first["cell_source"] == "bone marrow"
    ae = next(r for r in rows if r["study"] == "Alda 2018" and r["outcome"] == "adverse_events")
    assert (ae["events_treat"], ae["n_treat"], ae["events_ctrl"]) == ("4", "20", "3")


@pytest.mark.parametrize(("change", "message"), [
    ({"sd_ctrl": "0"}, r"row 3, field sd_ctrl: SD must be > 0"),
    ({"sd_treat": "-4"}, r"row 3, field sd_treat: SD must be > 0"),
    ({"mean_treat": "thirty"}, r"row 3, field mean_treat: 'thirty' is not a number"),
    ({"mean_ctrl": "", "sd_ctrl": "", "n_ctrl": ""}, r"row 3, field mean_ctrl: missing arm 'ctrl'"),
    ({"n_treat": ""}, r"row 3, field n_treat: missing value"),
    ({"events_treat": "3"}, r"row 3, field events_treat: outcome 'pain_vas' has no such"),
    ({"outcome": "grip"}, r"row 3, field outcome: unknown outcome 'grip'"),
    ({"cell_source": "adipose tissue"}, r"row 3, field cell_source: .* differs from row 2"),
])
def test_bad_cells_are_named_and_nothing_is_written(extracted, tmp_path, change, message) -> None:
    folder, store, _ids = extracted
    form_id, form = form_now(store, folder)
    export_extraction(store, form, tmp_path / "x.csv", "csv")
    rows = _rows(tmp_path / "x.csv")
    rows[0], rows[1] = rows[1], rows[0]  # Alda 2018: adverse events, then VAS
    idx = 1  # spreadsheet row 3 (the header is row 1)
    assert rows[idx]["outcome"] == "pain_vas" and rows[0]["study"] == rows[1]["study"]
    rows[idx].update(change)
    before = _value_count(store)
    with pytest.raises(ReviewflowError, match=message):
        import_sheet(store, form, form_id, _write(tmp_path / "bad.csv", rows,
                                                       header(form)), "dora")
    assert _value_count(store) == before
    with store.session() as s:  # the bad cell is named before the unknown name, and no one
        assert s.exec(select(models.Reviewer).where(models.Reviewer.name == "dora")).first() \
            is None  # is created either way
    good = _write(tmp_path / "good.csv", _rows(tmp_path / "x.csv"), header(form))
    with pytest.raises(ReviewflowError, match="unknown reviewer 'dora'"):
        import_sheet(store, form, form_id, good, "dora")
    assert _value_count(store) == before


def test_events_above_n_is_refused(extracted, tmp_path) -> None:
    folder, store, _ids = extracted
    form_id, form = form_now(store, folder)
    row = {"study": "Alda 2018", "outcome": "adverse_events", "events_treat": "25",
           "n_treat": "20", "events_ctrl": "1", "n_ctrl": "20"}
    path = _write(tmp_path / "ae.csv", [row], header(form))
    with pytest.raises(ReviewflowError, match=r"row 2, field events_treat: events \(25\) > n"):
        import_sheet(store, form, form_id, path, "carol")


def test_unknown_study_needs_create_studies(review, tmp_path) -> None:
    folder, store = review
    form_id, form = form_now(store, folder)
    row = {"study": "New 2024", "outcome": "", "country": "Chile"}
    path = _write(tmp_path / "new.csv", [row], header(form))
    with pytest.raises(ReviewflowError, match="row 2, field study: unknown study 'New 2024'"):
        import_sheet(store, form, form_id, path, "carol")
    assert import_sheet(store, form, form_id, path, "carol", create_studies=True) == (1, 1)


def test_unknown_column_is_refused(review, tmp_path) -> None:
    folder, store = review
    form_id, form = form_now(store, folder)
    path = _write(tmp_path / "c.csv", [{"study": "A", "colour": "red"}], ["study", "colour"])
    with pytest.raises(ReviewflowError, match="row 1: 1 unknown column: colour"):
        import_sheet(store, form, form_id, path, "carol")
