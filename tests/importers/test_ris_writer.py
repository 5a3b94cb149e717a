"""Import -> export RIS -> import gives the same records, for every real export."""

from __future__ import annotations

import io
import json
from dataclasses import fields
from pathlib import Path

import pytest

from reviewflow.importers import read_bytes, read_file
from reviewflow.importers.ris_writer import ris_type, write_ris
from reviewflow.records import Record
from tests.conftest import corpus_path

_COMPARED = [
    f.name for f in fields(Record) if f.name not in ("raw", "position", "line", "publication_type")
]


def _files() -> list[str]:
    counts = corpus_path() / "exports" / "counts.json"
    return sorted(json.loads(counts.read_text())) if counts.is_file() else ["<no corpus>"]


@pytest.mark.corpus
@pytest.mark.parametrize("rel", _files())
def test_round_trip_through_ris(rel: str, corpus: Path) -> None:
    records = read_file(corpus / "exports" / rel).records
    buffer = io.StringIO()
    assert write_ris(records, buffer) == len(records)
    again = read_bytes(buffer.getvalue().encode(), name="out.ris").records
    assert len(again) == len(records)
    for a, b in zip(records, again, strict=True):
        assert {n: getattr(a, n) for n in _COMPARED} == {n: getattr(b, n) for n in _COMPARED}
        assert b.publication_type == ris_type(a.publication_type)


def test_ids_and_pages_are_written() -> None:
    record = Record(title="T", authors=["Wu, B"], pages="123-129", pmid="42", year=2020)
    buffer = io.StringIO()
    write_ris([record], buffer, ids=[7])
    text = buffer.getvalue()
    assert "ID  - 7\n" in text
    assert "SP  - 123\nEP  - 129\n" in text
    assert "PMID  - 42\n" in text
    assert text.startswith("TY  - GEN\n") and text.rstrip().endswith("ER  -")


def test_ris_type_mapping() -> None:
    assert ris_type("Journal Article") == "JOUR"
    assert ris_type("JOUR") == "JOUR"
    assert ris_type("inproceedings") == "CPAPER"
    assert ris_type("Something else") == "GEN"
    assert ris_type(None) == "GEN"
