"""Which database a RIS file came from: named only when its records agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.importers import read_file
from reviewflow.importers.ris import parse


def _ris(*urls: str) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - Trial {i}\nUR  - {url}\nER  - \n\n" for i, url in enumerate(urls)
    )


SCOPUS = "https://www.scopus.com/inward/record.uri?eid=2-s2.0-1"
LENS = "https://www.lens.org/lens/scholar/article/1"


def test_one_database_throughout_is_named() -> None:
    out = parse(_ris(*[SCOPUS] * 5, "https://example.org/no-hint"))
    assert out.database == "Scopus"
    assert not [w for w in out.warnings if "several databases" in w.message]


def test_a_few_strays_do_not_unname_the_file() -> None:
    assert parse(_ris(*[SCOPUS] * 9, LENS)).database == "Scopus"


def test_a_mixed_library_is_not_named_after_its_largest_share() -> None:
    # the majority sits past the first records: a first-records guess said "Lens"
    out = parse(_ris(*[LENS] * 25, *[SCOPUS] * 40))
    assert out.database is None
    (warning,) = [w for w in out.warnings if "several databases" in w.message]
    assert "Scopus 40, Lens 25" in warning.message and "--database" in warning.message


def test_a_database_line_in_the_preamble_wins() -> None:
    text = "Database: Ovid MEDLINE(R) ALL\n\n" + _ris(SCOPUS, LENS)
    assert parse(text).database == "Ovid MEDLINE(R) ALL"


@pytest.mark.corpus
def test_real_mixed_library_export_is_left_unnamed(corpus: Path) -> None:
    """CiteSource's issue file: one RIS holding Web of Science, Dimensions and Lens records."""
    path = corpus / "exports" / "ris_edge_cases" / "synthesisr_citesource_issue_24.ris"
    if not path.exists():
        pytest.skip(f"{path} not in the corpus")
    out = read_file(path)
    assert out.database is None
    assert any("Web of Science 8, Dimensions 5, Lens 4" in w.message for w in out.warnings)
