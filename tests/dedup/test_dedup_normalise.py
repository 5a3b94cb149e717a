"""Matching keys: titles, pages, DOIs, names and journal names as databases write them."""

from __future__ import annotations

import pytest

from reviewflow.dedup.journals import journal_compatible
from reviewflow.dedup.normalise import norm_doi, norm_pages, norm_title, split_author


@pytest.mark.parametrize(("raw", "expected"), [
    ("[Therapy of acne with visible light]. [German]", "therapy of acne with visible light"),
    ("[Research on fast track surgery in lung cancer] LA: Chi",
     "research on fast track surgery in lung cancer"),
    ("Clinical management of HPV disease. [Review] [39 refs]",
     "clinical management of hpv disease"),
    ("间充质干细胞移植治疗狼疮：随机对照研究", "间充质干细胞移植治疗狼疮 随机对照研究"),
    ("Ｍｅｓｅｎｃｈｙｍａｌ stem cells", "mesenchymal stem cells"),
    ("Crohn’s disease and Sjögren's syndrome", "crohns disease and sjogrens syndrome"),
])
def test_norm_title(raw: str, expected: str) -> None:
    assert norm_title(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("221-8", ("221", "228")),
    ("1393--1400", ("1393", "1400")),
    ("01-Jul", ("1", "7")),
    ("e70933", ("e70933", "")),
    ("NA", ("", "")),
])
def test_norm_pages(raw: str, expected: tuple[str, str]) -> None:
    assert norm_pages(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("http://dx.doi.org/10.1097/MOL.0b013e3282ffaf82", "10.1097/mol.0b013e3282ffaf82"),
    ("https://doi.org/10.1016/S0025-7753%2817%2930624-3", "10.1016/s0025-7753(17)30624-3"),
    ("doi: 10.1186/ar4520.", "10.1186/ar4520"),
    ("not a doi", ""),
])
def test_norm_doi(raw: str, expected: str) -> None:
    assert norm_doi(raw) == expected


@pytest.mark.parametrize(("raw", "surname", "initial"), [
    ("Zhou, Xiangdong", "zhou", "x"),
    ("Zhou X.", "zhou", "x"),
    ("Le Quintrec, M.", "lequintrec", "m"),
    ("Jon D Elhai", "elhai", "j"),
    ("Müller-Lüdenscheidt, Jürgen", "mullerludenscheidt", "j"),
])
def test_split_author(raw: str, surname: str, initial: str) -> None:
    assert split_author(raw)[:2] == (surname, initial)


@pytest.mark.parametrize(("a", "b", "same"), [
    ("new england journal of medicine", "new engl j med", True),
    ("british medical journal", "bmj", True),
    ("americas conference on information systems", "amcis 2017 proceedings", True),
    ("international journal of gynecology and obstetrics",
     "international journal of gynaecology and obstetrics", True),
    ("aizheng", "ai zheng", True),
    ("canadian journal of neurological sciences", "stroke", False),
    ("annals of internal medicine", "acp journal club", False),
])
def test_journal_compatible(a: str, b: str, same: bool) -> None:
    assert journal_compatible(a, b) is same
