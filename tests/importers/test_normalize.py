"""Normalisation rules shared by every reader."""

from __future__ import annotations

import pytest

from reviewflow.importers import normalize as nz


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1000/ABC.def", "10.1000/abc.def"),
        ("https://doi.org/10.1000/X1", "10.1000/x1"),
        ("http://dx.doi.org/10.1186/s12919-018-0099-8", "10.1186/s12919-018-0099-8"),
        ("doi:10.1011/hea0004444", "10.1011/hea0004444"),
        ("10.4103/abr.abr_99_17 [doi]", "10.4103/abr.abr_99_17"),
        ("10.1016%2fj.addbeh.2022.107538", "10.1016/j.addbeh.2022.107538"),
        ("10.1000/xyz.", "10.1000/xyz"),
        ("not a doi", None),
        ("", None),
        (None, None),
    ],
)
def test_doi(raw: str | None, doi: str | None) -> None:
    assert nz.normalise_doi(raw) == doi


@pytest.mark.parametrize(
    ("raw", "pages"),
    [
        ("123-9", "123-129"),
        ("1535-41", "1535-1541"),
        ("100-110", "100-110"),
        ("S12-9", "S12-S19"),
        ("e0815", "e0815"),
        ("53", "53"),
        ("12-12", "12"),
        ("199-3", "199-3"),  # ambiguous: left as written, never guessed
        ("i-ii", "i-ii"),
        (" 134 -  137 ", "134-137"),
        ("", None),
    ],
)
def test_pages(raw: str, pages: str | None) -> None:
    assert nz.expand_pages(raw) == pages


def test_join_pages() -> None:
    assert nz.join_pages("206", "17") == "206-217"
    assert nz.join_pages("206", None) == "206"
    assert nz.join_pages(None, None) is None


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        ("2016/09//", 2016),
        ("Start date: 20170812", 2017),
        ("2021 Jan 19", 2021),
        ("10 15", None),
        ("", None),
        ("Aug 1 2019", 2019),
        ("19999", None),
    ],
)
def test_year(raw: str, year: int | None) -> None:
    assert nz.parse_year(raw) == year


@pytest.mark.parametrize(
    ("raw", "given_first", "author"),
    [
        ("Smith, John", False, "Smith, John"),
        ("  Smith ,  John  ", False, "Smith, John"),
        ("Lim SM", False, "Lim, SM"),
        ("Behan L.", False, "Behan, L."),
        ("Adler D.G.", False, "Adler, D.G."),
        ("World Health Organization", False, "World Health Organization"),
        ("Joseph Rottman", True, "Rottman, Joseph"),
        ("Ludwig van Beethoven", True, "van Beethoven, Ludwig"),
        ("柯洪琴", False, "柯洪琴"),
        ("柯洪琴", True, "柯洪琴"),
        ("M&uuml;ller, Anna", False, "Müller, Anna"),
        ("", False, None),
    ],
)
def test_author(raw: str, given_first: bool, author: str | None) -> None:
    assert nz.normalise_author(raw, given_first=given_first) == author


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a \n  b\tc ", "a b c"),
        ("<p>Background &amp; aims</p>", "Background & aims"),
        ('<AbstractText Label="X">Text</AbstractText>', "Text"),
        ("p < 0.05 and q > 1", "p < 0.05 and q > 1"),
        ("&lt;i&gt;E. coli&lt;/i&gt;", "E. coli"),
        ("   ", None),
    ],
)
def test_clean_text(raw: str, clean: str | None) -> None:
    assert nz.clean_text(raw) == clean


def test_cnki_markers_removed_from_abstract() -> None:
    assert nz.clean_abstract("<正>苯妥英钠(#br)作为") == "苯妥英钠 作为"


def test_pmid() -> None:
    assert nz.normalise_pmid("35227408") == "35227408"
    assert nz.normalise_pmid("PMID: 123") == "123"
    assert nz.normalise_pmid("abc") is None
