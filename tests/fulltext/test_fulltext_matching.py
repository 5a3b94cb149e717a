"""PDF-to-record matching rules (pure): evidence, verdicts, never one PDF to two records."""

from __future__ import annotations

from reviewflow.fulltext.identifiers import (
    doi_prefixes,
    dois_in,
    parse_file_name,
    pmids_in,
    squash,
)
from reviewflow.fulltext.matching import (
    Doubt,
    Evidence,
    RecordKey,
    Verdict,
    facts_from,
    match_all,
)

A = RecordKey(1, "Mesenchymal stem cells for knee osteoarthritis: a randomised controlled trial",
              None, "10.1186/s13287-020-0001-1", "31234567", "Smith, John", 2020)
B = RecordKey(2, "Umbilical cord stem cells in systemic lupus erythematosus: a pilot study",
              None, "10.1016/S2213-2600(14)70195-X", None, "Li, Wei", 2014)
C = RecordKey(3, "间充质干细胞治疗类风湿关节炎的随机对照试验",
              "Mesenchymal stem cells in rheumatoid arthritis: a randomized controlled trial",
              None, None, "Zhang, Wei", 2019)
RECORDS = [A, B, C]


def _pdf(key: str, first: str = "", later: str = "", meta: str = "", name: str = "x.pdf"):
    return facts_from(key, name, first, later, meta)


def test_identifiers_in_text() -> None:
    text = ("doi: 10.1136/bmjopen-2016-\n012335 and (https://doi.org/10.1016/S2213-2600(14)70195-X)"
            " 10.1155/2016/4078215Volume")
    found = dois_in(text)
    assert "10.1136/bmjopen-2016-012335" in found
    assert "10.1016/s2213-2600(14)70195-x" in found
    assert "10.1155/2016/4078215" in doi_prefixes("10.1155/2016/4078215volume".replace("v", "V"))
    assert pmids_in("PMID: 31234567; PMID 123") == ["31234567"]
    assert squash("Ef\ufb01cacy of Cell–Therapy") == "efficacyofcelltherapy"


def test_file_name_patterns() -> None:
    assert parse_file_name("31234567").pmid == "31234567"
    doi_name = parse_file_name("10.1186_s13287-020-0001-1")
    assert doi_name.doi_key == squash("10.1186/s13287-020-0001-1")
    zotero = parse_file_name("Smith et al. - 2020 - Mesenchymal stem cells for knee osteoarthritis")
    assert (zotero.author, zotero.year) == ("smith", 2020)
    assert zotero.title == "Mesenchymal stem cells for knee osteoarthritis"
    assert parse_file_name("Li and Wang - 2014 - Umbilical cord").author == "li"
    assert parse_file_name("scan0001") == parse_file_name("notes")


def test_doi_and_title_on_first_page_is_certain() -> None:
    first = ("Research\n" + A.title.replace(" ", "\n", 3)
             + "\nJohn Smith\ndoi 10.1186/s13287-020-0001-1")
    (m,) = match_all(RECORDS, [_pdf("p", first)])
    assert (m.verdict, m.record_id) == (Verdict.CERTAIN, 1)
    assert set(m.candidates[0].evidence) >= {Evidence.DOI_ON_PAGE, Evidence.TITLE_ON_PAGE}


def test_title_without_spaces_and_chinese_title() -> None:
    squashed = B.title.replace(" ", "")  # pypdf drops inter-word spaces in some PDFs
    (m,) = match_all(RECORDS, [_pdf("p", "Hindawi\n" + squashed)])
    assert (m.verdict, m.record_id) == (Verdict.CERTAIN, 2)
    zh_page = "中华医学杂志\n间充质干细胞治疗类风湿关节炎的随机对照试验\n张伟"
    (zh,) = match_all(RECORDS, [_pdf("z", zh_page)])
    assert (zh.verdict, zh.record_id) == (Verdict.CERTAIN, 3)
    (en,) = match_all(RECORDS, [_pdf("e", "Mesenchymal stem cells in rheumatoid arthritis: a "
                                          "randomized controlled trial")])
    assert en.record_id == 3  # the English title of a Chinese record


def test_doi_alone_on_page_is_doubtful_but_in_metadata_certain() -> None:
    cites = "We cite 10.1186/s13287-020-0001-1 in passing; nothing else here."
    (m,) = match_all(RECORDS, [_pdf("p", cites)])
    assert (m.verdict, m.doubt) == (Verdict.DOUBTFUL, Doubt.WEAK_EVIDENCE)
    (meta,) = match_all(RECORDS, [_pdf("p", "", meta="<prism:doi>10.1186/s13287-020-0001-1<")])
    assert (meta.verdict, meta.record_id) == (Verdict.CERTAIN, 1)


def test_file_names_match() -> None:
    pdfs = [_pdf("a", name="31234567.pdf"), _pdf("b", name="10.1016_S2213-2600(14)70195-X.pdf"),
            _pdf("c", name="Zhang et al. - 2019 - 间充质干细胞治疗类风湿关节炎的随机对照试验.pdf")]
    got = [(m.verdict, m.record_id) for m in match_all(RECORDS, pdfs)]
    assert got == [(Verdict.CERTAIN, 1), (Verdict.CERTAIN, 2), (Verdict.CERTAIN, 3)]


def test_never_one_pdf_to_two_records_nor_two_pdfs_to_one() -> None:
    both = A.title + "\n" + B.title  # a PDF naming two records' titles (e.g. a commentary)
    (m,) = match_all(RECORDS, [_pdf("p", both)])
    assert (m.verdict, m.record_id, m.doubt) == (Verdict.DOUBTFUL, None, Doubt.SEVERAL_RECORDS)
    assert {c.record_id for c in m.candidates} == {1, 2}
    twins = match_all(RECORDS, [_pdf("v1", A.title), _pdf("v2", A.title + " (accepted)")])
    expected = [(Verdict.DOUBTFUL, Doubt.TWO_PDFS_ONE_RECORD)] * 2
    assert [(t.verdict, t.doubt) for t in twins] == expected
    (has,) = match_all(RECORDS, [_pdf("p", A.title)], has_pdf=frozenset({1}))
    assert (has.verdict, has.doubt) == (Verdict.DOUBTFUL, Doubt.RECORD_HAS_PDF)


def test_nothing_found_and_short_titles_prove_nothing() -> None:
    short = RecordKey(9, "Editorial", None, None, None, None, None)
    (m,) = match_all([short], [_pdf("p", "Editorial\nSome text of an editorial page.")])
    assert m.verdict is Verdict.UNMATCHED
    (m2,) = match_all(RECORDS, [_pdf("p", "")])
    assert m2.verdict is Verdict.UNMATCHED
