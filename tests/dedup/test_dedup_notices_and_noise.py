"""Correction notices exported by two databases, and formatting noise that is no conflict.

Web of Science marks a correction only by a citation suffix ('Title (vol 48,
pg 277, 2017)'), PubMed by a 'Correction:' prefix: both are the same notice.
The formatting-noise pairs are what real exports do to one article's pages,
volume and issue fields; the counter-examples keep the hard rules honest.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewflow.dedup import deduplicate
from reviewflow.dedup.compare import compare
from reviewflow.dedup.normalise import normalise
from reviewflow.dedup.rules import same_first_page
from reviewflow.importers.bibtex import parse as parse_bibtex
from reviewflow.records import Record

TITLE = ("Mesenchymal stem cells from umbilical cord in systemic lupus erythematosus: "
         "a randomized controlled trial comparing MSCs with standard therapy")
ARTICLE = Record(title=TITLE, authors=["Zhou, Bin", "Li, Jing", "Yang, Jianhua"], year=2017,
                 journal="Annals of the Rheumatic Diseases", volume="48", issue="2",
                 pages="277-284", doi="10.5555/ard.2017.1234")
PUBMED_NOTICE = Record(title="Correction: " + TITLE + ".", authors=[], year=2018,
                       journal="Ann Rheum Dis", volume="49", issue="10", pages="1376",
                       doi="10.5555/ard.2018.9608", publication_type="Published Erratum")
WOS_NOTICE = Record(title=TITLE + " (vol 48, pg 277, 2017)",
                    authors=["Zhou, B", "Li, J", "Yang, J"], year=2018,
                    journal="ANNALS OF THE RHEUMATIC DISEASES", volume="49", issue="10",
                    pages="1376", doi="10.5555/ard.2018.9608", publication_type="Correction")


def outcome(a: Record, b: Record) -> str:
    return compare(normalise(a, 0), normalise(b, 1)).outcome


@pytest.mark.parametrize("suffix, kind", [
    (" (vol 48, pg 277, 2017)", "erratum"),
    (" (vol 12, art. no. e345, 2020)", "erratum"),
    (" (vol 12, e345, 2020)", "erratum"),
    (" (Annals of the Rheumatic Diseases (2017) 48 (277-284))", "erratum"),
    (" (Retraction of vol 48, pg 277, 2017)", "retraction"),
])
def test_database_citation_suffixes_mark_notices(suffix: str, kind: str) -> None:
    norm = normalise(Record(title=TITLE + suffix), 0)
    assert norm.notice == kind
    assert norm.title == normalise(ARTICLE, 1).title  # the wrapper is gone


def test_retracted_article_flag_is_the_article_itself_not_a_notice() -> None:
    flagged = replace(ARTICLE, title=TITLE + " (Retracted article. See vol 50, pg 12, 2019)")
    assert normalise(flagged, 0).notice == ""
    assert outcome(flagged, ARTICLE) == "certain"


def test_pubmed_and_wos_copies_of_one_correction_notice_merge() -> None:
    assert outcome(PUBMED_NOTICE, WOS_NOTICE) == "certain"
    no_doi = [replace(PUBMED_NOTICE, doi=None), replace(WOS_NOTICE, doi=None)]
    assert outcome(*no_doi) == "certain"  # same volume + page, same concerned title


def test_the_correction_notice_stays_apart_from_the_article() -> None:
    result = deduplicate([ARTICLE, PUBMED_NOTICE, WOS_NOTICE])
    assert [g.members for g in result.groups] == [[1, 2]]
    assert {(p.a, p.b) for p in result.related} >= {(0, 1), (0, 2)}


def test_two_different_kinds_of_notice_never_merge() -> None:
    retraction = replace(WOS_NOTICE, title=TITLE + " (Retraction of vol 48, pg 277, 2017)")
    assert outcome(retraction, WOS_NOTICE) in ("related", "distinct")


def test_two_corrections_of_one_article_on_different_pages_stay_apart() -> None:
    second = replace(WOS_NOTICE, issue="12", pages="1590", doi=None)
    assert outcome(replace(WOS_NOTICE, doi=None), second) == "distinct"


def test_electronic_page_prefix_dropped_by_one_database_still_merges() -> None:
    a = Record(title="Haemolytic uraemic syndrome in adults: a cohort of 120 patients",
               authors=["Kavanagh, D.", "Goodship, T."], year=2011, journal="Nephron",
               volume="118", issue="1", pages="c37-c42")
    assert outcome(a, replace(a, pages="37-42", year=2010)) == "certain"
    # a supplement page is another place than the print page of the same number
    assert not same_first_page(normalise(replace(a, pages="S37"), 0),
                               normalise(replace(a, pages="37"), 1))
    assert not same_first_page(normalise(replace(a, pages="c37-c42"), 0),
                               normalise(replace(a, pages="37-48"), 1))


def test_a_page_count_is_not_a_page() -> None:
    thesis = Record(title="An intelligent rehabilitation system for cognitive rehabilitation",
                    authors=["Yip, Chi Bun"], year=2011, volume="73", pages="215 p")
    assert normalise(thesis, 0).page_start == ""
    assert outcome(thesis, replace(thesis, pages="1524")) != "distinct"


def test_fields_shifted_one_place_are_put_back() -> None:
    a = Record(title="Eculizumab in children with atypical haemolytic uraemic syndrome",
               authors=["Loirat, C."], year=2011, journal="Pediatric Nephrology",
               volume=None, issue="26", pages="9")
    b = replace(a, volume="26", issue="9", pages="1746")
    assert outcome(a, b) == "certain"
    # a real volume with a different issue and page is still a different place
    assert outcome(replace(a, volume="25", issue="9", pages="9"), b) == "distinct"


def test_one_abstract_printed_twice_in_an_issue_merges() -> None:
    a = Record(title="Amantadine for the posttraumatic confusional state: a randomized trial",
               authors=["Yablon, S.", "Sherer, M.", "Nakase-Richardson, R."], year=2010,
               journal="Arch Phys Med Rehabil", volume="91", issue="10", pages="e8-e9")
    assert outcome(a, replace(a, pages="e3")) == "certain"
    # another issue, or other co-authors: two publications, the page rule stands (with
    # the same title, authors and year a person is asked; never merged)
    assert outcome(a, replace(a, pages="e3", issue="11")) == "possible"
    other = replace(a, pages="e3", authors=["Yablon, S.", "Wang, J.", "Yan, C."])
    assert outcome(a, other) == "distinct"


def test_short_title_merges_when_all_fields_agree_and_pages_cannot_differ() -> None:
    a = Record(title="BAS/BSCR Poster Abstracts", authors=["Anonymous"], year=2011,
               journal="Heart. Conference: British Atherosclerosis Society Annual Meeting",
               volume="97", issue="20")
    assert outcome(a, replace(a, journal="Heart")) == "certain"
    assert outcome(a, replace(a, journal="Heart", issue="21")) != "certain"
    editorial = Record(title="Editorial", authors=["Smith, J."], year=2011, journal="Heart",
                       volume="97", issue="20")
    assert outcome(editorial, replace(editorial)) != "certain"  # two-word titles say too little


def test_issue_s2_marks_a_supplement_so_the_abstract_merges_with_its_meeting_copy() -> None:
    meeting = Record(title="A phase II study of eculizumab in atypical haemolytic uraemic "
                     "syndrome: interim analysis", authors=["Licht, C.", "Muus, P."], year=2011,
                     journal="Journal of Thrombosis and Haemostasis. Conference: 23rd Congress "
                     "of the ISTH")
    supplement = replace(meeting, journal="J Thromb Haemost", volume="9", issue="s2",
                         pages="499-711")
    assert normalise(supplement, 0).supplement
    assert outcome(meeting, supplement) != "related"


BIBTEX = """
@inproceedings{licht2011,
  title = {Eculizumab in atypical haemolytic uraemic syndrome: two-year results},
  author = {Licht, Christoph and Muus, Petra},
  booktitle = {ICIS 2011},
  year = {2011},
  pages = {1--10},
}
"""


def test_bibtex_conference_paper_puts_its_booktitle_where_the_meeting_rule_looks() -> None:
    record = parse_bibtex(BIBTEX).records[0]
    assert record.journal == "ICIS 2011"
    assert normalise(record, 0).conference  # entry type 'inproceedings'
    article = replace(record, journal="Kidney International", volume="80", pages="100-108",
                      publication_type="article")
    assert outcome(record, article) == "related"


CN = Record(title="骨髓间充质干细胞移植治疗膝骨关节炎的随机对照研究",
            translated_title="Randomized controlled study of bone marrow mesenchymal stem cell "
            "transplantation for knee osteoarthritis",
            authors=["李爽", "梁晓红", "周国强"], year=2020, journal="中国组织工程研究",
            volume="24", issue="08", pages="45-49")
EN = Record(title=CN.translated_title, authors=["Li, S", "Liang, X", "Zhou, G"], year=2020,
            journal="Chinese Journal of Tissue Engineering Research", volume="24", issue="8",
            pages="45-49")


def test_names_in_two_scripts_are_no_disagreement() -> None:
    assert outcome(CN, EN) == "certain"  # translated title, volume, issue, pages, year
    assert outcome(CN, replace(EN, pages="145-149")) == "distinct"


def test_chinese_only_record_joins_its_group_through_a_person_not_alone() -> None:
    bare = replace(CN, translated_title=None, volume=None)
    # a Chinese and an English title cannot be compared: only a person can say
    assert outcome(bare, EN) == "possible"
    result = deduplicate([CN, EN, bare])
    assert [g.members for g in result.groups] == [[0, 1, 2]]


def test_page_lists_in_another_order_are_the_same_pages() -> None:
    a = Record(title="Incentive spirometry with expiratory positive airway pressure after "
               "myocardial revascularization", authors=["Ferreira, G. M.", "Haeffner, M. P."],
               year=2010, journal="Arq Bras Cardiol", volume="94", pages="230-5, 246-51, 233-8")
    assert outcome(a, replace(a, pages="233-238+230-235+246-251")) == "certain"
    assert outcome(a, replace(a, pages="330-5, 346-51", year=2011)) == "distinct"


def test_ahead_of_print_pages_go_to_a_person_not_apart() -> None:
    online = Record(title="Management of peripancreatic fluid collections after partial "
                    "pancreatectomy", authors=["Kwon, Y. M.", "Gerdes, H.", "Schattner, M. A."],
                    year=2013, journal="Surg Endosc", pages="1-6")
    printed = replace(online, volume="27", issue="7", pages="2422-2427")
    assert outcome(online, printed) == "possible"
    # another length, or both already in a volume: different pages stay a hard conflict
    # (a year apart: distinct; the same year: a person is asked, never merged)
    assert outcome(replace(online, pages="1-12", year=2012), printed) == "distinct"
    assert outcome(replace(online, volume="27", year=2012), printed) == "distinct"
    assert outcome(replace(online, volume="27"), printed) == "possible"


def test_doi_of_a_supplement_file_or_with_pasted_punctuation_is_no_conflict() -> None:
    a = replace(ARTICLE, doi="10.1371/journal.pone.0123456")
    assert outcome(a, replace(a, doi="10.1371/journal.pone.0123456.s001")) == "certain"
    assert outcome(a, replace(a, doi="https://doi.org/10.1371/journal.pone.0123456).")) \
        == "certain"
    # a DOI that merely starts like the other names another article: never merged (the
    # rest of the record being identical, a person is asked: a DOI typo or a double entry)
    other = replace(a, doi="10.1371/journal.pone.01234567")
    assert outcome(a, other) == "possible"
    assert outcome(a, replace(other, pages="e0123499", year=2016)) == "distinct"


def test_merged_record_keeps_the_article_doi_not_its_component_doi() -> None:
    part = replace(ARTICLE, doi="10.5555/ard.2017.1234.s001", abstract="x" * 500)
    result = deduplicate([part, ARTICLE])
    assert [g.members for g in result.groups] == [[0, 1]]
    assert result.groups[0].merged.doi == ARTICLE.doi


# Formulaic trial titles: another trial of the same cells in another disease or from
# another source reads almost like the notice's article.
OTHER_TRIAL = Record(
    title=TITLE.replace("umbilical cord", "bone marrow"),
    authors=["Garcia, Maria", "Rossi, Luca"], year=2016, journal="Rheumatology (Oxford)",
    volume="55", issue="4", pages="601-609", doi="10.5555/rheum.2016.77")


def test_notice_is_related_to_its_article_not_to_a_look_alike_trial() -> None:
    assert outcome(PUBMED_NOTICE, ARTICLE) == "related"   # same journal
    assert outcome(WOS_NOTICE, ARTICLE) == "related"      # same journal and authors
    assert outcome(PUBMED_NOTICE, OTHER_TRIAL) == "distinct"
    assert outcome(WOS_NOTICE, OTHER_TRIAL) == "distinct"
    # A notice listed without its journal still finds its article by the authors ...
    anonymous = replace(WOS_NOTICE, journal=None)
    assert outcome(anonymous, ARTICLE) == "related"
    assert outcome(anonymous, OTHER_TRIAL) == "distinct"
    # ... or, with neither, by repeating the title word for word.
    bare = replace(PUBMED_NOTICE, journal=None)
    assert outcome(bare, ARTICLE) == "related"
    assert outcome(bare, OTHER_TRIAL) == "distinct"


def test_chinese_notice_and_look_alike() -> None:
    title = "脐带间充质干细胞治疗系统性红斑狼疮的随机对照试验"
    article = Record(title=title, authors=["周斌", "李静"], year=2019, journal="中华风湿病学杂志",
                     volume="23", issue="5", pages="301-306")
    notice = Record(title="更正：" + title, authors=[], year=2020, journal="中华风湿病学杂志",
                    volume="24", issue="1", pages="70", publication_type="Erratum")
    other = Record(title=title.replace("脐带", "骨髓"), authors=["王芳", "陈磊"], year=2018,
                   journal="中国组织工程研究", volume="22", issue="9", pages="1400-1405")
    assert normalise(notice, 0).notice == "erratum"
    assert outcome(notice, article) == "related"
    assert outcome(notice, other) == "distinct"
