"""Original-language and English titles, wherever each database puts them."""

from __future__ import annotations

from reviewflow.titles import titles_of


def test_cnki_chinese_title_with_english_translation() -> None:
    t = titles_of("脐带间充质干细胞治疗膝骨关节炎的临床疗效",
                  "Clinical efficacy of umbilical cord MSC in knee osteoarthritis", "chi")
    assert t.original.startswith("脐带") and t.english and t.english.startswith("Clinical")
    assert t.line().endswith("[chi]") and " / Clinical" in t.line()


def test_medline_bracketed_english_title_and_vernacular_tt() -> None:
    t = titles_of("[Mesenchymal stem cells in lupus nephritis].", "Mesenchymale Stammzellen bei "
                  "Lupusnephritis", "ger")
    assert (t.original, t.english) == ("Mesenchymale Stammzellen bei Lupusnephritis",
                                       "Mesenchymal stem cells in lupus nephritis")


def test_english_title_with_chinese_translation_is_swapped() -> None:
    t = titles_of("Stem cells for lupus", "干细胞治疗狼疮")
    assert (t.original, t.english) == ("干细胞治疗狼疮", "Stem cells for lupus")


def test_one_title_only() -> None:
    assert titles_of("Stem cells", None).line() == "Stem cells"
    assert titles_of(None, None).original == "(no title)"
    assert titles_of("Same", "same").english is None
    assert titles_of("A long title here", "Un titre", "fre").line(10) == "A long ti… [fre]"
    assert titles_of("Stem cells", None, "eng").line() == "Stem cells"
    assert titles_of("Células madre", None, "spa").line() == "Células madre [spa]"


def test_ris_t2_is_the_translation_only_when_the_journal_is_elsewhere() -> None:
    from reviewflow.importers.api import read_bytes

    ris = ("TY  - JOUR\nTI  - 脐带间充质干细胞治疗系统性红斑狼疮\n"
           "T2  - Umbilical cord MSC in lupus\n"
           "JO  - 中华医学杂志\nPY  - 2019\nER  - \n\n"
           "TY  - JOUR\nTI  - Stem cells in lupus\nT2  - Lupus\nPY  - 2019\nER  - \n\n"
           "TY  - JOUR\nTI  - 干细胞\nT2  - 中华医学杂志\nPY  - 2019\nER  - \n")
    records = read_bytes(ris.encode(), name="x.ris").records
    assert (records[0].translated_title, records[0].journal) == (
        "Umbilical cord MSC in lupus", "中华医学杂志")
    assert (records[1].translated_title, records[1].journal) == (None, "Lupus")
    assert (records[2].translated_title, records[2].journal) == (None, "中华医学杂志")
