"""Every real export in ../shared/corpus/exports imports completely and correctly."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from reviewflow.importers import decode, detect_format, read_file
from tests.conftest import corpus_path
from tests.importers.corpus_expectations import (
    COUNT_CORRECTIONS,
    EXPECTED_FORMAT,
    EXPECTED_FORMAT_BY_SUFFIX,
    SPOT_CHECKS,
    SYNTHETIC_COUNTS,
)

EXPORTS = corpus_path() / "exports"


def _counted_files() -> list[str]:
    counts = EXPORTS / "counts.json"
    if not counts.is_file():
        return []
    return sorted(json.loads(counts.read_text()))


def _expected_count(rel: str, counts: dict) -> int:
    if rel in COUNT_CORRECTIONS:
        listed, true_count, _why = COUNT_CORRECTIONS[rel]
        # The corpus may since have been corrected to the true count; any other change
        # means the file or its count moved and the correction must be revisited.
        assert counts[rel]["count"] in (listed, true_count), \
            "counts.json changed; revisit COUNT_CORRECTIONS"
        return true_count
    return counts[rel]["count"]


@pytest.fixture(scope="module")
def counts(corpus: Path) -> dict:
    return json.loads((corpus / "exports" / "counts.json").read_text())


@pytest.mark.corpus
@pytest.mark.parametrize("rel", _counted_files() or ["<no corpus>"])
def test_real_export_imports_exact_count(rel: str, corpus: Path, counts: dict) -> None:
    result = read_file(corpus / "exports" / rel)
    assert len(result.records) == _expected_count(rel, counts)
    assert [r.position for r in result.records] == list(range(1, len(result.records) + 1))
    lines = [r.line for r in result.records]
    assert all(line >= 1 for line in lines)
    assert lines == sorted(lines)


@pytest.mark.corpus
def test_every_export_file_is_covered(corpus: Path, counts: dict) -> None:
    on_disk = {
        p.relative_to(corpus / "exports").as_posix()
        for p in (corpus / "exports").rglob("*")
        if p.is_file() and p.name != "counts.json"
    }
    assert on_disk == set(counts) | set(SYNTHETIC_COUNTS)


@pytest.mark.corpus
@pytest.mark.parametrize("rel", sorted(SYNTHETIC_COUNTS))
def test_synthetic_envelope_imports(rel: str, corpus: Path) -> None:
    result = read_file(corpus / "exports" / rel)
    assert len(result.records) == SYNTHETIC_COUNTS[rel]


@pytest.mark.corpus
@pytest.mark.parametrize("rel", sorted(SPOT_CHECKS))
def test_spot_checked_fields(rel: str, corpus: Path) -> None:
    records = read_file(corpus / "exports" / rel).records
    for position, title, doi, first_author, year in SPOT_CHECKS[rel]:
        record = records[position - 1]
        assert record.position == position
        assert (record.title or "").startswith(title)
        assert record.doi == doi
        assert (record.authors[0] if record.authors else None) == first_author
        assert record.year == year


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


@pytest.mark.corpus
@pytest.mark.parametrize("rel", _counted_files() or ["<no corpus>"])
def test_fields_come_from_the_file(rel: str, corpus: Path) -> None:
    """Every normalised DOI, year and family name is really in the file's text."""
    path = corpus / "exports" / rel
    text = _squash(html.unescape(decode(path.read_bytes())[0])).replace("%2f", "/")
    records = read_file(path).records
    assert records, "nothing read: the checks below would pass vacuously"
    checked = 0
    for record in records:
        if record.doi:
            assert record.doi in text, (record.position, record.doi)
        if record.year:
            assert str(record.year) in text, (record.position, record.year)
        if record.authors:
            family = record.authors[0].split(",")[0]
            assert _squash(family) in text, (record.position, family)
        assert record.raw, record.position
        checked += bool(record.doi or record.year or record.authors)
    # edge-case files may lack these fields on some records, never a whole real export
    assert checked or "edge_cases" in rel, "no DOI, year or author was read from the file"


@pytest.mark.corpus
@pytest.mark.parametrize("rel", _counted_files() or ["<no corpus>"])
def test_format_detected(rel: str, corpus: Path) -> None:
    expected = EXPECTED_FORMAT.get(rel) or EXPECTED_FORMAT_BY_SUFFIX.get(
        Path(rel).suffix.lower(), "ris"
    )
    path = corpus / "exports" / rel
    assert detect_format(path) == expected
    assert detect_format(path.read_bytes()) == expected
    assert read_file(path).format == expected


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("rel", "database"),
    [
        ("scopus/revtools_restoration_scopus.ris", "Scopus"),
        ("multi_db_same_search/citesource_20221207_gambling-harms_lens_49.ris", "Lens"),
        ("wos/revtools_restoration_WoS.ciw", "Web of Science"),
        ("pubmed/revtools_restoration_pubmed.nbib", "PubMed"),
        ("ovid_embase/knh_Ovid_Embase_citavi_r3001-3002.ovd", "Ovid Embase"),
        ("chinese/mrhelper_demo_wanfang_noteexpress_202101.NET", "Wanfang"),
        ("chinese/mrhelper_demo_cnki_estudy_202101.txt", "CNKI"),
        ("scopus/bibliometrix_scopus_sample.csv", "Scopus"),
        ("ovid_embase/asreview_embase.csv", "Embase"),
        ("synthetic_envelopes/colrev_psycinfo_ris.ris", "PsycINFO"),
    ],
)
def test_database_guessed(rel: str, database: str, corpus: Path) -> None:
    assert read_file(corpus / "exports" / rel).database == database


@pytest.mark.corpus
def test_same_library_three_formats_agree(corpus: Path) -> None:
    """One EndNote library as MEDLINE, RIS and EndNote XML gives the same records."""
    folder = corpus / "exports" / "same_library_3_formats"
    nbib = read_file(folder / "reflib_blue-light.nbib").records
    ris = read_file(folder / "reflib_blue-light.ris").records
    xml = read_file(folder / "reflib_blue-light_endnote.xml").records
    assert len(ris) == len(xml) == 102
    for a, b in zip(ris, xml, strict=True):
        for name in ("title", "doi", "pmid", "year", "volume", "issue", "pages", "authors"):
            assert getattr(a, name) == getattr(b, name), (a.position, name)
    by_pmid = {r.pmid: r for r in ris}
    assert len(nbib) == 80
    for record in nbib:
        other = by_pmid[record.pmid]
        assert _title_key(record.title) == _title_key(other.title), record.pmid
        assert record.year == other.year
        assert [_family(a) for a in record.authors[:1]] == [_family(a) for a in other.authors[:1]]
        if record.doi and other.doi:
            assert record.doi == other.doi


def _title_key(title: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (title or "").casefold())


def _family(author: str) -> str:
    return author.split(",")[0].casefold()
