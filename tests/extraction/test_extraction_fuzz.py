"""``extraction import`` on hostile spreadsheets: all rows stored, or none and one clear error."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.spreadsheet import header
from reviewflow.extraction.transfer import export_extraction
from reviewflow.store import models
from tests.extraction.forms import form_now, import_sheet

_cell = st.one_of(st.sampled_from(["", "0", "-1", "12", "3.5", "1e9", "nan", "abc", "1,5"]),
                  st.text(max_size=8))


def _count(store) -> int:
    with store.session() as s:
        return len(s.exec(select(models.ExtractionValue)).all())


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_import_is_whole_or_refused(extracted, tmp_path, data) -> None:
    folder, store, _ids = extracted
    form_id, form = form_now(store, folder)
    good = tmp_path / "good.csv"
    export_extraction(store, form, good, "csv")
    rows = list(csv.DictReader(good.open(encoding="utf-8", newline="")))
    cols = header(form)
    # Mangle a few cells of the real export (numbers, names, empty), maybe drop a column.
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.sampled_from(rows))
        row[data.draw(st.sampled_from(cols))] = data.draw(_cell)
    if data.draw(st.booleans()):
        cols = [c for c in cols if c != data.draw(st.sampled_from(cols))]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "mangled.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    before = _count(store)
    try:
        import_sheet(store, form, form_id, path, "carol")
    except ReviewflowError as exc:
        assert "mangled.csv" in str(exc)
        assert _count(store) == before  # refused: nothing written
        return
    assert _count(store) >= before
