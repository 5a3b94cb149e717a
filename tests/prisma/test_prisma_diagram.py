"""The PRISMA diagram carries exactly the counts it was given (read back from the SVG text)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from reviewflow.prisma.counts import OtherMethods, PrismaCounts
from reviewflow.prisma.diagram import draw


def _counts(**over) -> PrismaCounts:
    base = dict(
        identified={"PubMed": 112, "Embase": 140, "CNKI": 45},
        removed_duplicates=97, removed_duplicates_auto=90, removed_duplicates_manual=7,
        removed_automation=0, removed_other=0, screened=200, excluded_screening=150,
        sought=50, not_retrieved=3, assessed=47,
        excluded_reports={"not randomised": 9, "wrong population": 4},
        included_studies=31, included_reports=34,
    )
    base.update(over)
    return PrismaCounts(**base)


def _svg_lines(path: Path) -> list[str]:
    tree = ET.parse(path)
    texts = ["".join(el.itertext()) for el in tree.iter() if el.tag.endswith("text")]
    return [line.strip() for t in texts for line in t.splitlines() if line.strip()]


def _n(lines: list[str], label: str) -> int:
    for line in lines:
        if line.startswith(label):
            m = re.search(r"\(n = ([\d,]+)\)\s*$", line)
            assert m, line
            return int(m.group(1).replace(",", ""))
    raise AssertionError(f"{label!r} not in diagram: {lines}")


def test_svg_boxes_hold_the_counts(tmp_path: Path) -> None:
    c = _counts()
    assert c.identity_errors() == []
    draw(c, tmp_path / "p.svg")
    lines = _svg_lines(tmp_path / "p.svg")
    assert _n(lines, "Records identified from") == 297
    assert _n(lines, "PubMed") == 112 and _n(lines, "Embase") == 140 and _n(lines, "CNKI") == 45
    assert _n(lines, "Records screened") == 200
    assert _n(lines, "Records excluded") == 150
    assert _n(lines, "Reports sought for retrieval") == 50
    assert _n(lines, "Reports not retrieved") == 3
    assert _n(lines, "Reports assessed for eligibility") == 47
    assert _n(lines, "Not randomised") == 9 and _n(lines, "Wrong population") == 4
    assert _n(lines, "Studies included in review") == 31
    assert _n(lines, "Reports of included studies") == 34


def test_other_methods_column_and_png(tmp_path: Path) -> None:
    c = _counts(other_methods=OtherMethods(identified={"Citation searching": 12}, sought=6,
                                           not_retrieved=1, assessed=5,
                                           excluded_reports={"wrong outcome": 2}))
    draw(c, tmp_path / "p.svg", tmp_path / "p.png")
    lines = _svg_lines(tmp_path / "p.svg")
    assert "Identification of studies via other methods" in lines
    assert _n(lines, "Citation searching") == 12
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_identity_errors_detect_a_broken_flow() -> None:
    bad = _counts(screened=201)
    errs = bad.identity_errors()
    assert any("identified - removed = screened" in e for e in errs)


def _x_of(path: Path, start: str) -> float:
    tree = ET.parse(path)
    for el in tree.iter():
        if el.tag.endswith("text") and "".join(el.itertext()).strip().startswith(start):
            return float(el.get("x", "nan"))
    raise AssertionError(f"{start!r} not drawn")


def test_indentation_is_by_position_so_inlined_svg_keeps_it(tmp_path: Path) -> None:
    """HTML collapses leading spaces in an inlined SVG: levels must be x positions."""
    draw(_counts(), tmp_path / "p.svg")
    svg = tmp_path / "p.svg"
    top, databases, pubmed = (_x_of(svg, "Records identified"), _x_of(svg, "Databases"),
                              _x_of(svg, "PubMed"))
    assert top < databases < pubmed
    assert not any(line != line.lstrip() for line in
                   ("".join(el.itertext()) for el in ET.parse(svg).iter()
                    if el.tag.endswith("text")))


def test_a_count_is_never_split_across_lines(tmp_path: Path) -> None:
    from reviewflow.prisma.diagram import WRAP, _wrap

    for pad in range(20, WRAP + 5):  # every position of the count against the wrap width
        text = "word " * (pad // 5) + "x" * (pad % 5) + " (n = 1,234)"
        lines = _wrap(text, WRAP - 3)
        assert any("(n = 1,234)" in line for line in lines), lines
    reasons = {"wrong comparator reported in the trial register " + "x" * k: 10 + k
               for k in range(12)}
    draw(_counts(excluded_reports=reasons), tmp_path / "p.svg")
    for line in _svg_lines(tmp_path / "p.svg"):
        assert not re.search(r"\(n =\s*$", line) and not re.match(r"^[\d,]+\)", line), line
