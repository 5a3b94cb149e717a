"""Exports no spreadsheet will run, read back unchanged; and no silent coercion on the
way in (issue 21, items 5 and 11)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.formula_guard import TRIGGERS, neutralise, restore
from reviewflow.importers.tabular import parse as parse_csv
from reviewflow.importers.tabular import parse_excel
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import add_reviewer, vote

runner = CliRunner()
EVIL = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3",
        "@SUM(A1:A9)", "\t=1", "'=already quoted"]


@pytest.mark.parametrize("text", [*EVIL, "-0.5", "plain", "'plain", "''=x", ""])
def test_neutralise_is_reversible_and_leaves_numbers(text: str) -> None:
    cell = neutralise(text)
    assert restore(cell) == text
    if text.lstrip("'").startswith(TRIGGERS) and text != "-0.5":
        assert cell.startswith("'")
    else:
        assert cell == text


def _review_with_evil_records(tmp_path: Path) -> tuple[list[str], Store]:
    assert runner.invoke(app, ["init", str(tmp_path / "rev")]).exit_code == 0
    store = Store.open(load_config(tmp_path / "rev").database_url())
    with store.write() as s:
        imp = models.SearchImport(database="X", file_name="x.ris", file_sha256="c" * 64,
                                  format="ris", encoding="utf-8")
        s.add(imp)
        s.flush()
        for i, title in enumerate(EVIL, 1):
            rec = models.RecordRow(title=title, abstract=f"=cmd {i}", authors_json='["@me"]')
            s.add(rec)
            s.flush()
            s.add(models.RecordProvenance(record_id=rec.id, import_id=imp.id, position=i))
    return ["--review", str(tmp_path / "rev")], store


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_export_records_csv_neutralises_and_reads_back(tmp_path: Path) -> None:
    r, store = _review_with_evil_records(tmp_path)
    out = tmp_path / "records.csv"
    res = runner.invoke(app, [*r, "export", "records", "--format", "csv", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert not any(c.startswith(TRIGGERS) for c in _cells(text))
    back = parse_csv(text, "records.csv")
    assert [rec.title for rec in back.records] == [t.strip() for t in EVIL]  # titles trimmed
    assert {rec.abstract for rec in back.records} == {f"=cmd {i}" for i in range(1, 7)}
    store.dispose()


def test_export_decisions_neutralises_notes(tmp_path: Path) -> None:
    r, store = _review_with_evil_records(tmp_path)
    rid = int(add_reviewer(store, "ann").id or 0)
    vote(store, record_id=1, stage="title_abstract", reviewer_id=rid,
                    decision="exclude", note="=HYPERLINK(\"x\")", reason="@reason")
    out = tmp_path / "d.csv"
    res = runner.invoke(app, [*r, "export", "decisions", "--out", str(out), "--as", "ann"])
    assert res.exit_code == 0, res.output
    cells = _cells(out.read_text(encoding="utf-8"))
    assert "'=HYPERLINK(\"x\")" in cells and "'@reason" in cells
    assert not any(c.startswith(TRIGGERS) for c in cells)
    store.dispose()


def test_extraction_xlsx_holds_text_not_formulas_and_reimports(tmp_path: Path) -> None:
    r, store = _review_with_evil_records(tmp_path)
    store.dispose()
    assert runner.invoke(app, [*r, "extraction", "study", "add", "Kim 2020"]).exit_code == 0
    for who in ("ann", "bob"):
        assert runner.invoke(app, [*r, "reviewer", "add", who]).exit_code == 0
    res = runner.invoke(app, [*r, "extraction", "set", "Kim 2020", "study/country",
                              EVIL[0], "--reviewer", "ann"])
    assert res.exit_code == 0, res.output
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"x.{fmt}"
        res = runner.invoke(app, [*r, "extraction", "export", "--format", fmt, "--out",
                                  str(out), "--reviewer", "ann"])
        assert res.exit_code == 0, res.output
        if fmt == "xlsx":
            cell = load_workbook(out)["extraction"]["C2"]
            assert cell.value == EVIL[0] and cell.data_type == "s"  # text, not a formula
        else:
            assert f"'{EVIL[0]}".replace('"', '""') in out.read_text(encoding="utf-8")
        res = runner.invoke(app, [*r, "extraction", "import", str(out), "--reviewer", "bob"])
        assert res.exit_code == 0, res.output
        res = runner.invoke(app, [*r, "extraction", "compare"])
        assert "country" not in res.output, res.output  # bob's import equals ann's value


def test_xlsx_formula_title_is_kept_with_a_warning(tmp_path: Path) -> None:
    """Item 11: a formula with no stored value imported as an untitled record, silently."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Title", "Authors", "Year"])
    ws.append(['=HYPERLINK("http://x","MSC for lupus")', "Lee, K.", 2020])
    buf = io.BytesIO()
    wb.save(buf)
    out = parse_excel(buf.getvalue(), "refs.xlsx")
    assert out.records[0].title == '=HYPERLINK("http://x","MSC for lupus")'
    assert any("formula" in w.message for w in out.warnings)


def test_corrupt_xlsx_is_one_line() -> None:
    from reviewflow.errors import InputError

    with pytest.raises(InputError, match="refs.xlsx: not a readable Excel workbook"):
        parse_excel(b"PK\x03\x04 broken", "refs.xlsx")


def test_csv_field_size_error_names_the_line() -> None:
    from reviewflow.errors import InputError

    text = "title,year\nok,2020\n\"" + "x" * (csv.field_size_limit() + 10) + "\",2021\n"
    with pytest.raises(InputError) as err:
        parse_csv(text, "big.csv")
    assert err.value.line == 3 and "big.csv, line 3" in str(err.value)


def test_a_decide_csv_with_the_same_record_twice_is_refused(tmp_path: Path) -> None:
    """Item 11: the last of two rows for one record won without a word."""
    r, store = _review_with_evil_records(tmp_path)
    f = tmp_path / "d.csv"
    f.write_text("record_id,decision\n1,include\n2,exclude\n1,exclude\n", encoding="utf-8")
    res = runner.invoke(app, [*r, "reviewer", "add", "ann"])
    res = runner.invoke(app, [*r, "decide", "--reviewer", "ann", "--stage", "title-abstract",
                              "--from", str(f)])
    assert res.exit_code == 1
    assert "line 4" in str(res.exception) and "also on line 2" in str(res.exception)
    with store.session() as s:
        assert not s.exec(select(models.ScreeningDecision)).all()
    store.dispose()


def test_corrupt_extraction_xlsx_is_one_line(tmp_path: Path) -> None:
    from reviewflow.errors import ReviewflowError
    from reviewflow.extraction.spreadsheet import read_sheet

    bad = tmp_path / "sheet.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ReviewflowError, match="sheet.xlsx: not a readable Excel workbook"):
        read_sheet(bad)


def test_extraction_export_to_a_full_disk_leaves_no_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    import errno

    from reviewflow.errors import ReviewflowError
    from reviewflow.extraction import spreadsheet
    from reviewflow.extraction.form import default_form_text, parse_form

    def full(path: Path, *args: object) -> None:
        path.write_bytes(b"study,out")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spreadsheet, "_write", full)
    out = tmp_path / "x.csv"
    with pytest.raises(ReviewflowError, match="No space left"):
        spreadsheet.write_sheet(out, "csv", parse_form(default_form_text()), {})
    assert list(tmp_path.iterdir()) == []
