"""Reading labelled CSVs: encodings, CRLF inside quotes, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.errors import InputError
from reviewflow.ranking.labelled import read_labelled_csv


def test_cp1252_and_crlf_inside_quotes(tmp_path: Path) -> None:
    raw = (
        'title,abstract,label_included\r\n'
        '"Caf\xe9 study","line one\r\nline two \xa9",1\r\n'
        'Other,"plain",0\r\n'
    ).encode("cp1252")
    path = tmp_path / "set.csv"
    path.write_bytes(raw)
    data = read_labelled_csv(path)
    assert data.titles == ["Café study", "Other"]
    assert data.abstracts[0] == "line one\r\nline two ©"
    assert data.labels == [1, 0]


def test_utf8_bom_keywords_and_label_spellings(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text(
        "\ufeffTitle,Abstract,keywords,label_included\nA,x,k1; k2,True\nB,y,,no\nC,z,,1.0\n",
        encoding="utf-8",
    )
    data = read_labelled_csv(path)
    assert data.labels == [1, 0, 1]
    assert data.texts()[0] == "A x k1; k2"


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,label_included\nA,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="abstract"):
        read_labelled_csv(path)


def test_bad_label_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,abstract,label_included\nA,x,1\nB,y,perhaps\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3"):
        read_labelled_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_labelled_csv(tmp_path / "nope.csv")
