"""Encodings, line endings and malformed input: a clear error or warning, never a traceback."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest

from reviewflow.errors import InputError
from reviewflow.importers import decode, read_bytes, read_file

RIS = "TY  - JOUR\nTI  - Café au lait\nAU  - Müller, Anna\nPY  - 2020\nER  - \n"
NOTEEXPRESS = (
    "{Reference Type}: Journal Article\n{Title}: 间充质干细胞治疗类风湿关节炎\n"
    "{Author}: 张三;;李四\n{Year}: 2021\n"
)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (RIS.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + RIS.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + RIS.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + RIS.encode("utf-16-be"), "utf-16-be"),
        (RIS.encode("utf-16-le"), "utf-16-le"),
        (RIS.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_decode_to_the_same_record(encoded: bytes, encoding: str) -> None:
    result = read_bytes(encoded, name="x.ris")
    assert result.encoding == encoding
    assert result.records[0].title == "Café au lait"
    assert result.records[0].authors == ["Müller, Anna"]


def test_cp1252_fallback_is_a_warning() -> None:
    result = read_bytes(RIS.encode("cp1252"), name="x.ris")
    assert any("Windows-1252" in w.message for w in result.warnings)


def test_gb18030_chinese_export() -> None:
    result = read_bytes(NOTEEXPRESS.encode("gb18030"), name="x.net")
    assert result.encoding == "gb18030"
    assert result.records[0].title == "间充质干细胞治疗类风湿关节炎"
    assert result.records[0].authors == ["张三", "李四"]


def test_latin_text_is_not_mistaken_for_gb18030() -> None:
    text, encoding = decode("Résumé des données: café, naïve".encode("cp1252"))
    assert encoding == "cp1252"
    assert text == "Résumé des données: café, naïve"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    data = (RIS + "\n" + RIS).replace("\n", newline).encode()
    result = read_bytes(data, name="x.ris")
    assert [r.line for r in result.records] == [1, 7]
    assert [r.title for r in result.records] == ["Café au lait"] * 2


def test_cr_runs_before_lf_count_as_one_break() -> None:
    assert decode(b"a\r\r\r\nb\r\rc")[0] == "a\nb\n\nc"


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.ris"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty.ris: file is empty"):
        read_file(path)


def test_whitespace_only_file_is_an_error() -> None:
    with pytest.raises(InputError, match="empty"):
        read_bytes(b" \n\r\n\t ", name="blank.ris")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        read_file(tmp_path / "nope.ris")


def test_binary_garbage_is_an_error() -> None:
    garbage = bytes(range(256)) * 64
    with pytest.raises(InputError, match="binary"):
        read_bytes(garbage, name="garbage.ris")


def test_unrecognised_text_is_an_error_with_line() -> None:
    with pytest.raises(InputError, match=r"notes.txt, line 1: format not recognised"):
        read_bytes(b"just some notes\nabout a search\n", name="notes.txt")


def test_ris_without_records_is_an_error() -> None:
    with pytest.raises(InputError, match="no records found"):
        read_bytes(b"TI  - orphan title\n", name="x.ris", format="ris")


def test_truncated_ris_keeps_record_with_warning() -> None:
    result = read_bytes((RIS + RIS[:40]).encode(), name="cut.ris")
    assert len(result.records) == 2
    assert any("truncated" in w.message and w.line == 6 for w in result.warnings)


def test_missing_er_between_records_is_a_warning() -> None:
    text = RIS.replace("ER  - \n", "") + RIS
    result = read_bytes(text.encode(), name="x.ris")
    assert len(result.records) == 2
    assert any("no ER" in w.message for w in result.warnings)


def test_truncated_endnote_xml_names_the_line() -> None:
    data = b'<?xml version="1.0"?>\n<xml><records><record><titles><title>A</title>'
    with pytest.raises(InputError, match=r"cut.xml, line \d+: EndNote XML is not well-formed"):
        read_bytes(data, name="cut.xml")


def test_truncated_wos_file_keeps_record_with_warning() -> None:
    text = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI A title\nPY 2020\n"
    result = read_bytes(text.encode(), name="wos.txt")
    assert len(result.records) == 1
    assert result.warnings and "truncated" in result.warnings[0].message


def test_wrong_format_forced_is_an_error_not_a_traceback() -> None:
    with pytest.raises(InputError):
        read_bytes(RIS.encode(), name="x.ris", format="endnote_xml")


def test_unknown_format_name_is_an_error() -> None:
    with pytest.raises(InputError, match="unknown format"):
        read_bytes(RIS.encode(), name="x.ris", format="docx")


def test_broken_excel_is_an_error() -> None:
    with pytest.raises(InputError, match="Excel"):
        read_bytes(b"PK\x03\x04not really a zip", name="x.xlsx")


def test_ten_megabyte_abstract() -> None:
    abstract = "word " * (2 * 1024 * 1024)
    text = f"TY  - JOUR\nTI  - Long\nAB  - {abstract}\nER  - \n"
    started = time.perf_counter()
    result = read_bytes(text.encode(), name="big.ris")
    assert time.perf_counter() - started < 30
    assert len(result.records[0].abstract or "") == len(abstract.strip())


def test_unknown_tag_and_missing_year_are_counted_warnings() -> None:
    text = "TY  - JOUR\nTI  - A\nZZ  - odd\nER  - \n"
    result = read_bytes(text.encode(), name="x.ris")
    messages = [w.message for w in result.warnings]
    assert any("unknown RIS tag 'ZZ'" in m for m in messages)
    assert any(m == "no year" for m in messages)
    assert result.records[0].raw["ZZ"] == ["odd"]


def test_generic_csv_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("Headline;Writers;When\nStem cells in lupus;Doe, Jane;2019\n")
    with pytest.raises(InputError, match="no title column"):
        read_file(path)
    result = read_file(path, mapping={"title": "Headline", "authors": "Writers", "year": "When"})
    record = result.records[0]
    assert (record.title, record.authors, record.year) == (
        "Stem cells in lupus",
        ["Doe, Jane"],
        2019,
    )
    assert record.raw == {
        "Headline": ["Stem cells in lupus"],
        "Writers": ["Doe, Jane"],
        "When": ["2019"],
    }


def test_mapping_naming_a_missing_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("Title,Year\nA,2020\n")
    with pytest.raises(InputError, match="not in the header"):
        read_file(path, mapping={"authors": "Writers"})


def test_excel_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Title", "Authors", "Publication Year", "DOI"])
    sheet.append(["MSC for RA", "Smith, A; Wu, B", 2021, "https://doi.org/10.1234/AbC"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    result = read_file(path)
    assert result.format == "excel"
    record = result.records[0]
    assert (record.title, record.authors, record.year, record.doi) == (
        "MSC for RA",
        ["Smith, A", "Wu, B"],
        2021,
        "10.1234/abc",
    )


def test_generic_csv_author_lists() -> None:
    table = (
        "title,author\n"
        'A,"Zhai, Q. J. and Yue, X. Y."\n'
        'B,"Lim SM, Shiau CWC"\n'
        'C,"Smith, John"\n'
        'D,"Joseph Rottman, Erran Carmel"\n'
    )
    records = read_bytes(table.encode(), name="t.csv").records
    assert [r.authors for r in records] == [
        ["Zhai, Q. J.", "Yue, X. Y."],
        ["Lim, SM", "Shiau, CWC"],
        ["Smith, John"],
        ["Rottman, Joseph", "Carmel, Erran"],
    ]


@pytest.mark.corpus
def test_cp1252_asysd_labelled_set(corpus: Path) -> None:
    """A real cp1252 CSV with CRLF inside quoted fields (from the dedup corpus)."""
    result = read_file(corpus / "dedup" / "asysd" / "asysd_diabetes_labelled_test_set.csv")
    assert (len(result.records), result.encoding) == (1845, "cp1252")
    assert all(r.title for r in result.records)


XML = (
    '<?xml version="1.0" encoding="{declared}"?><xml><records><record>'
    "<titles><title><style face=\"normal\">Células madre &amp; lupus</style></title></titles>"
    "<dates><year>2022</year></dates></record></records></xml>"
)


def test_wrong_encoding_declared_in_xml_is_ignored() -> None:
    """The bytes decide: a UTF-8 file that declares windows-1252 still reads right."""
    data = XML.format(declared="windows-1252").encode("utf-8")
    record = read_bytes(data, name="x.xml").records[0]
    assert (record.title, record.year) == ("Células madre & lupus", 2022)


def test_utf16_endnote_xml() -> None:
    data = codecs.BOM_UTF16_LE + XML.format(declared="UTF-16").encode("utf-16-le")
    result = read_bytes(data, name="x.xml")
    assert (result.format, result.encoding) == ("endnote_xml", "utf-16-le")
    assert result.records[0].title == "Células madre & lupus"
