"""Matching and text layers on real article PDFs (../shared/corpus/fulltext).

A subset chosen for its traps (see the corpus's SOURCES.md): a cover page before
the article, a DOI only on the last page and in XMP, pypdf dropping the spaces
between words, no DOI at all (Spanish), a DOI only on page 2, a retraction
notice citing another DOI, a garbled text layer and an image-only page. The
whole folder is scored by bench/bench_fulltext.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.fulltext.matching import Verdict, facts_from, match_all
from reviewflow.fulltext.pdftext import FIRST_PAGES, TextLayer, read_pdf, text_layer_of
from reviewflow.fulltext.records import record_key
from reviewflow.importers.api import read_file

# file -> (first author, year) of its record in records.ris
FOUND = {
    "peach2016_hpbm_implementation_intentions_rct.pdf": ("Peach", 2016),
    "hawkes2012_bmccancer_canprevent_pilot.pdf": ("Hawkes", 2012),
    "vazquezmeraz2016_stemcellsint_pbpc_mobilization.pdf": ("Vázquez Meraz", 2016),
    "uribe2013_recibe_es_no_doi.pdf": ("Uribe Rayas", 2013),
    "yardley2011_jmir_hand_hygiene_rct.pdf": ("Yardley", 2011),
    "jimmunolres2016_retraction_notice.pdf": ("Journal of Immunology Research", 2016),
}
NOT_FOUND = {
    "leal2015_f1000research_obp_garbled_text.pdf": TextLayer.GARBLED,
    "nassar2022_tableformer_suppl_p11_image_only.pdf": TextLayer.NONE,
}


@pytest.fixture(scope="module")
def fulltext(corpus: Path) -> Path:
    folder = corpus / "fulltext"
    if not (folder / "records.ris").is_file():
        pytest.skip(f"{folder} is not in this corpus")
    return folder


def test_real_pdfs_match_their_records_and_nothing_else(fulltext: Path) -> None:
    records = read_file(fulltext / "records.ris").records
    keys = [record_key(i, r) for i, r in enumerate(records)]
    names = sorted([*FOUND, *NOT_FOUND])
    texts = {n: read_pdf(fulltext / "pdf" / n) for n in names}
    facts = [facts_from(n, n, t.first_pages, "\n".join(t.pages[FIRST_PAGES:]), t.metadata_text)
             for n, t in texts.items()]
    matches = {m.pdf: m for m in match_all(keys, facts)}
    for name, (family, year) in FOUND.items():
        m = matches[name]
        assert m.verdict is Verdict.CERTAIN, (name, m)
        record = records[m.record_id]  # type: ignore[index]
        assert (record.authors[0].startswith(family), record.year) == (True, year), name
    for name, layer in NOT_FOUND.items():
        assert matches[name].verdict is Verdict.UNMATCHED, name
        assert text_layer_of(texts[name].pages[:2]) is layer, name
    assert texts["nassar2022_tableformer_suppl_p11_image_only.pdf"].text_layer is TextLayer.NONE
    # leal2015's article body (pages 3-9) reads normally: the PDF as a whole has text.
    assert texts["leal2015_f1000research_obp_garbled_text.pdf"].text_layer is TextLayer.YES
