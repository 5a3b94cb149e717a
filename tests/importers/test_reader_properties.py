"""Property tests: whatever records we write in RIS or MEDLINE, the readers read back."""

from __future__ import annotations

import io
from dataclasses import fields

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewflow.importers import medline, read_bytes, ris
from reviewflow.importers.ris_writer import write_ris
from reviewflow.records import Record

# Values: text without line breaks or surrounding space (readers strip those). A fixed
# alphabet with the characters exports really carry keeps generation fast.
_ALPHABET = "abcxyzABCXYZ0129éüßø中文间충Жα&<>;:,.-–()[]/\\'\"%#@{}*+=?!_~"
_WORD = st.text(_ALPHABET, min_size=1, max_size=12)
_VALUE = st.lists(_WORD, min_size=1, max_size=8).map(" ".join)
_CONTINUATION = st.text("abcdefghij klm", min_size=1, max_size=20).map(str.strip).filter(bool)
_RIS_VALUE = st.one_of(
    _VALUE,
    st.tuples(_VALUE, st.lists(_CONTINUATION, min_size=1, max_size=3)).map(
        lambda parts: "\n".join([parts[0], *parts[1]])
    ),
)
_RIS_TAGS = st.sampled_from(["TI", "AU", "A1", "KW", "PY", "AB", "N1", "JF", "DO", "SP", "ZZ"])
_RIS_RECORD = st.dictionaries(_RIS_TAGS, st.lists(_RIS_VALUE, min_size=1, max_size=3), max_size=8)


def _ris_text(records: list[dict[str, list[str]]], separator: str) -> str:
    out = []
    for raw in records:
        out.append("TY  - JOUR")
        for tag, values in raw.items():
            out.extend(f"{tag}  - {value}" for value in values)
        out.append("ER  - ")
        out.append(separator)
    return "\n".join(out)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_RIS_RECORD, min_size=1, max_size=6),
    st.sampled_from(["", "\n", "\n\n"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_ris_reads_back_what_was_written(
    records: list[dict[str, list[str]]], separator: str, newline: str
) -> None:
    text = _ris_text(records, separator)
    data = text.replace("\n", newline).encode("utf-8")
    result = read_bytes(data, name="p.ris", format="ris")
    assert len(result.records) == len(records)
    starts = [n for n, line in enumerate(text.split("\n"), 1) if line.startswith("TY  - ")]
    assert [r.line for r in result.records] == starts
    for written, read in zip(records, result.records, strict=True):
        assert read.raw == {"TY": ["JOUR"], **written}


_COMPARED = [f.name for f in fields(Record) if f.name not in ("raw", "position", "line")]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_RIS_RECORD, min_size=1, max_size=5))
@example([{"TI": ["0"], "AU": ["0 A ,"]}])  # a trailing comma once took a path of its own
def test_ris_writer_round_trips_normalised_records(records: list[dict[str, list[str]]]) -> None:
    first = ris.parse(_ris_text(records, "")).records
    buffer = io.StringIO()
    write_ris(first, buffer)
    second = ris.parse(buffer.getvalue()).records
    for a, b in zip(first, second, strict=True):
        assert {n: getattr(a, n) for n in _COMPARED} == {n: getattr(b, n) for n in _COMPARED}


_MEDLINE_TAGS = st.sampled_from(["TI", "AB", "FAU", "AU", "DP", "LID", "MH", "OT", "JT", "AD"])
_MEDLINE_RECORD = st.dictionaries(
    _MEDLINE_TAGS, st.lists(_VALUE, min_size=1, max_size=3), max_size=8
)


def _medline_text(records: list[dict[str, list[str]]], pmids: list[int]) -> str:
    out = []
    for pmid, raw in zip(pmids, records, strict=True):
        out.append(f"PMID- {pmid}")
        for tag, values in raw.items():
            for value in values:
                words = value.split(" ")
                lines = [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
                out.append(f"{tag:<4}- {lines[0]}")
                out.extend(f"      {line}" for line in lines[1:])
        out.append("")
    return "\n".join(out)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_MEDLINE_RECORD, min_size=1, max_size=6), st.booleans())
def test_medline_reads_back_what_was_written(
    records: list[dict[str, list[str]]], leading_blank: bool
) -> None:
    pmids = list(range(1000, 1000 + len(records)))
    text = ("\n" if leading_blank else "") + _medline_text(records, pmids)
    parsed = medline.parse(text).records
    assert len(parsed) == len(records)
    for pmid, written, read in zip(pmids, records, parsed, strict=True):
        assert read.raw == {"PMID": [str(pmid)], **written}
        assert read.pmid == str(pmid)
