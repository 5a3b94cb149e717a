"""Hard rules against merging, and the merges they must not prevent.

Every pair here is written to look like what two databases really export for
the same (or deliberately not the same) publication: English and Chinese
titles, transliterated and swapped author names, abbreviated journals.
"""

from __future__ import annotations

from dataclasses import replace

from reviewflow.dedup import deduplicate
from reviewflow.dedup.compare import compare
from reviewflow.dedup.normalise import normalise
from reviewflow.records import Record

TRIAL = Record(
    title="Mesenchymal stem cell transplantation for refractory systemic lupus erythematosus: "
    "a randomized controlled trial",
    authors=["Wang, Dandan", "Zhang, Huayong", "Liang, Jun", "Sun, Lingyun"],
    year=2014,
    journal="Arthritis Research & Therapy",
    volume="16",
    issue="2",
    pages="R79",
    doi="10.1186/ar4520",
)
PUBMED = Record(
    title="Mesenchymal stem cell transplantation for refractory systemic lupus erythematosus. "
    "A randomized controlled trial.",
    authors=["Wang D", "Zhang H", "Liang J", "Sun L"],
    year=2014,
    journal="Arthritis Res Ther",
    volume="16",
    issue="2",
    pages="R79",
    pmid="24661633",
)
CN_TITLE = "间充质干细胞移植治疗难治性系统性红斑狼疮的随机对照研究"
CNKI = Record(
    title=CN_TITLE,
    authors=["王丹丹", "张华勇", "梁军", "孙凌云"],
    year=2015,
    journal="中华风湿病学杂志",
    volume="19",
    issue="3",
    pages="155-160",
)
WANFANG = Record(
    title="间充质干细胞移植治疗难治性系统性红斑狼疮的随机对照研究。",
    authors=["王丹丹", "张华勇", "梁军", "孙凌云"],
    year=2015,
    journal="中华风湿病学杂志",
    volume="19",
    issue="3",
    pages="155-60",
)


def verdict(a: Record, b: Record) -> str:
    return compare(normalise(a, 0), normalise(b, 1)).outcome


def groups(records: list[Record]) -> list[list[int]]:
    return [g.members for g in deduplicate(records).groups]


# --- merges the rules must not prevent -------------------------------------------------


def test_same_trial_from_two_databases_merges_despite_formats() -> None:
    assert verdict(TRIAL, PUBMED) == "certain"
    assert groups([TRIAL, PUBMED]) == [[0, 1]]


def test_chinese_title_with_full_width_punctuation_and_short_pages_merges() -> None:
    assert verdict(CNKI, WANFANG) == "certain"


def test_transliterated_names_swapped_family_and_given_names_still_match() -> None:
    swapped = replace(PUBMED, authors=["Dandan, Wang", "Huayong, Zhang", "Jun, Liang",
                                       "Lingyun, Sun"])
    assert verdict(TRIAL, swapped) == "certain"


def test_year_off_by_one_and_excel_mangled_pages_still_merge() -> None:
    a = Record(title="Umbilical cord mesenchymal stem cells in active rheumatoid arthritis",
               authors=["Liang, J.", "Li, X."], year=2012, journal="Ann Rheum Dis",
               volume="71", pages="1-7")
    b = replace(a, year=2013, journal="Annals of the Rheumatic Diseases", pages="01-Jul")
    assert verdict(a, b) == "certain"


def test_same_title_and_same_long_abstract_merge_without_other_fields() -> None:
    abstract = ("Objective: to evaluate umbilical cord mesenchymal stem cells in refractory "
                "lupus nephritis. Methods: 40 patients were randomised ... ") * 5
    a = Record(title="Umbilical cord MSC in refractory lupus nephritis: a randomised trial",
               abstract=abstract)
    b = replace(a, title="Umbilical cord MSC in refractory lupus nephritis: a randomized trial.",
                abstract=abstract.replace("randomised", "randomized"))
    c = replace(a, abstract=abstract[:300])  # too short to be decisive
    assert verdict(a, b) == "certain"
    assert verdict(a, c) == "possible"


# --- hard rules --------------------------------------------------------------------------


def test_two_different_dois_never_merge_even_with_identical_titles() -> None:
    a = Record(title="Introduction to the minitrack on crowdsourcing and the digital workforce",
               authors=["Deng, Xuefei", "Taylor, Joseph"], year=2021,
               journal="Proceedings of the Hawaii International Conference on System Sciences",
               doi="10.24251/HICSS.2021.510")
    b = replace(a, year=2022, doi="https://doi.org/10.24251/HICSS.2022.544")
    assert verdict(a, b) == "distinct"
    assert groups([a, b]) == []


def test_different_page_ranges_in_the_same_journal_do_not_merge() -> None:
    a = replace(PUBMED, pages="233-240", issue=None, pmid=None)
    b = replace(PUBMED, pages="812-819", issue=None, pmid=None)
    assert verdict(replace(a, year=2012), b) == "distinct"
    # never merged; with the same title, authors and year a person is asked (a mistyped
    # page range, see test_same_article_with_a_mistyped_page_range_goes_to_a_person)
    assert verdict(a, b) == "possible"
    assert groups([a, b]) == []


def test_same_identifier_but_conflicting_pages_goes_to_a_person() -> None:
    a = replace(PUBMED, pages="233-240")
    b = replace(PUBMED, pages="812-819")
    assert verdict(a, b) == "possible"


def test_article_number_vs_the_articles_own_pages_merges_with_one_doi() -> None:
    """BMC/Springer online journals: one database gives article 5, another pages 1-20."""
    a = replace(TRIAL, pages="5")
    b = replace(TRIAL, pages="1-20", title=TRIAL.title.upper())
    assert verdict(a, b) == "certain"
    assert groups([a, b]) == [[0, 1]]
    # Without the shared identifier the page fields alone decide nothing for certain ...
    assert verdict(replace(a, doi=None), replace(b, doi=None)) != "certain"
    # ... nor does a shared DOI when the titles are two different reports (a supplement DOI).
    other = replace(b, title="Umbilical cord MSC for diffuse cutaneous systemic sclerosis: "
                    "a randomized controlled trial")
    assert verdict(a, other) != "certain"
    # Real page ranges in two places stay a person's call, whatever the identifier says.
    assert verdict(replace(a, pages="233-240"), replace(b, pages="812-819")) == "possible"


def test_different_volumes_do_not_merge() -> None:
    a = replace(CNKI, volume="19", issue=None, pages=None)
    b = replace(CNKI, volume="20", issue=None, pages=None)
    assert verdict(a, replace(b, year=2016)) == "distinct"
    assert verdict(a, b) == "possible"  # same year, title and authors: asked, not merged
    assert groups([a, b]) == []


def test_part_one_and_part_two_are_different_papers() -> None:
    a = Record(title="Stem cell therapy in autoimmune disease. Part I: rationale",
               authors=["Tyndall, A."], year=2009, journal="Rheumatology", volume="48")
    b = replace(a, title="Stem cell therapy in autoimmune disease. Part II: rationale")
    assert verdict(a, b) == "distinct"


def test_erratum_is_related_to_the_article_but_never_merged() -> None:
    erratum = replace(TRIAL, title="Erratum: " + TRIAL.title, pages="R120", doi=None)
    assert verdict(TRIAL, erratum) == "related"
    result = deduplicate([TRIAL, erratum])
    assert result.groups == [] and [(p.a, p.b) for p in result.related] == [(0, 1)]


def test_chinese_correction_notice_is_related_not_merged() -> None:
    notice = replace(CNKI, title="更正：" + CN_TITLE, pages="240")
    assert verdict(CNKI, notice) == "related"


def test_retraction_notice_is_related_not_merged() -> None:
    notice = replace(PUBMED, title="Retraction notice to: " + (PUBMED.title or ""),
                     pages="R200", pmid=None)
    assert verdict(PUBMED, notice) == "related"


def test_comment_on_a_trial_is_related_not_merged() -> None:
    comment = replace(TRIAL, title="Comment on: " + TRIAL.title, doi=None, pages="R81",
                      authors=["Smith, J."])
    assert verdict(TRIAL, comment) == "related"


def test_conference_abstract_and_full_paper_are_related_not_merged() -> None:
    abstract = Record(title=TRIAL.title, authors=TRIAL.authors, year=2013,
                      journal="Arthritis and Rheumatism. Conference: 2013 ACR/ARHP Annual Meeting",
                      volume="65", issue="SUPPL. 10", pages="S1120")
    paper = replace(TRIAL, pages="221-229", doi=None)
    assert verdict(abstract, paper) == "related"
    assert groups([abstract, paper]) == []


def test_unrelated_meeting_paper_and_article_are_simply_distinct() -> None:
    meeting = Record(title="城市竖向对下凹式立交桥积水风险的影响", authors=["王伟"], year=2018,
                     journal="2018中国城市规划年会", publication_type="Conference Proceedings")
    article = replace(CNKI, pages="155-160")
    result = deduplicate([meeting, article])
    assert verdict(meeting, article) == "distinct"
    assert result.related == [] and result.groups == []


def test_same_abstract_listed_by_two_databases_still_merges() -> None:
    embase = Record(title="Umbilical cord MSC infusion in lupus nephritis: 2-year follow-up",
                    authors=["Sun, L.", "Wang, D."], year=2013,
                    journal="Arthritis and Rheumatism. Conference: 2013 ACR/ARHP Annual Meeting",
                    volume="65", issue="SUPPL. 10", pages="S1120")
    wos = replace(embase, journal="Arthritis and Rheumatism", issue="10")
    assert verdict(embase, wos) == "certain"


# --- grouping ----------------------------------------------------------------------------


def test_groups_do_not_chain_two_studies_through_a_sparse_record() -> None:
    """A record with almost no fields may look like both studies; it must not join them."""
    study_a = Record(title="Mesenchymal stem cells for systemic sclerosis: a pilot trial",
                     authors=["Zhang, H.", "Liang, J."], year=2017,
                     journal="Stem Cell Res Ther", volume="8", pages="100-108",
                     doi="10.1186/s13287-017-0001-1")
    copy_a = replace(study_a, doi=None, journal="Stem Cell Research & Therapy")
    study_b = replace(study_a, volume="9", pages="200-208", doi="10.1186/s13287-018-0002-2")
    copy_b = replace(study_b, doi=None, journal="Stem Cell Research & Therapy")
    sparse = Record(title=study_a.title, authors=["Zhang, H.", "Liang, J."], year=2017,
                    journal="Stem Cell Res Ther")
    records = [study_a, copy_a, study_b, copy_b, sparse]
    assert verdict(sparse, study_a) == verdict(sparse, study_b) == "certain"
    result = deduplicate(records)
    found = [g.members for g in result.groups]
    assert [g for g in found if {0, 2} <= set(g)] == []
    assert sorted(sorted(set(g) - {4}) for g in found) == [[0, 1], [2, 3]]
    assert any(4 in (p.a, p.b) and "chain" in p.reason for p in result.queued)


def test_possible_duplicate_is_queued_not_merged() -> None:
    a = Record(title="Efficacy of mesenchymal stem cells in Crohn's disease fistula",
               authors=["Panes, J."], year=2016)
    b = Record(title="Efficacy of mesenchymal stem cells in Crohn disease fistulas",
               authors=["Panes, J."], year=2016, journal="Lancet")
    result = deduplicate([a, b])
    assert result.groups == []
    assert [(p.a, p.b) for p in result.queued] == [(0, 1)]
    assert 0 < result.queued[0].score <= 1


def test_merged_record_keeps_the_best_fields_of_each_source() -> None:
    with_abstract = replace(PUBMED, abstract="Background: lupus nephritis ... long abstract.")
    result = deduplicate([TRIAL, with_abstract])
    merged = result.groups[0].merged
    assert merged.doi == TRIAL.doi
    assert merged.pmid == PUBMED.pmid
    assert merged.abstract == with_abstract.abstract
    assert merged.journal == "Arthritis Research & Therapy"
    assert merged.authors == TRIAL.authors  # full given names beat initials
    link = result.groups[0].links[0]
    assert (link.a, link.b) == (0, 1) and link.reason


def test_labels_give_every_record_a_group_number() -> None:
    other = Record(title="Autologous haematopoietic stem cell transplantation in scleroderma",
                   authors=["van Laar, J. M."], year=2014, journal="JAMA", volume="311",
                   pages="2490-2498")
    result = deduplicate([TRIAL, other, PUBMED])
    assert result.labels() == [1, 2, 1]
    assert result.n_removed == 1


def test_empty_and_fieldless_input() -> None:
    assert deduplicate([]).labels() == []
    assert deduplicate([Record(), Record()]).labels() == [1, 2]


def test_a_data_error_cannot_build_a_giant_group() -> None:
    result = deduplicate([TRIAL] * 60)
    assert max(len(g.members) for g in result.groups) <= 50
    assert result.queued  # the refused joins go to a person


# --- a column heading kept by one database ---------------------------------------------

GIG = Record(title="The case for paying gig workers a premium for flexibility",
             authors=["Narayan, Arjun"], year=2019, journal="Harvard Business Review",
             volume="2019", issue="July")
GIG_WITH_HEADING = replace(GIG, title="Idea watch ... The case for paying gig workers a "
                           "premium for flexibility", authors=["Narayan, A."], volume="97",
                           issue="4", pages="28+")


def test_title_behind_a_column_heading_merges_with_the_bare_title() -> None:
    assert verdict(GIG, GIG_WITH_HEADING) == "certain"
    assert groups([GIG, GIG_WITH_HEADING]) == [[0, 1]]


def test_chinese_title_behind_a_column_heading_merges() -> None:
    bare = Record(title="基于深度学习的糖尿病视网膜病变筛查系统的临床验证",
                  authors=["王宁利", "李晓明", "张颖"], year=2021, journal="中华眼科杂志")
    headed = replace(bare, title="专家论坛：基于深度学习的糖尿病视网膜病变筛查系统的临床验证",
                     volume="57", issue="3", pages="161-167")
    assert verdict(bare, headed) == "certain"


def test_a_reply_or_summary_heading_is_not_a_column_heading() -> None:
    for head in ("Authors' response:", "Summary for patients:", "Part 2:"):
        other = replace(GIG_WITH_HEADING, title=f"{head} {GIG.title}")
        assert verdict(GIG, other) != "certain", head
    reply = Record(title="答复：基于深度学习的糖尿病视网膜病变筛查系统的临床验证",
                   authors=["王宁利", "李晓明", "张颖"], year=2021, journal="中华眼科杂志")
    bare = replace(reply, title="基于深度学习的糖尿病视网膜病变筛查系统的临床验证")
    assert verdict(bare, reply) != "certain"


def test_a_heading_does_not_merge_other_authors_or_a_short_title() -> None:
    commentary = replace(GIG_WITH_HEADING, authors=["Katz, Lawrence F."])
    assert verdict(GIG, commentary) != "certain"
    short = replace(GIG, title="Gig workers")
    assert verdict(short, replace(GIG_WITH_HEADING, title="Idea watch: gig workers")) \
        != "certain"


# --- one text published twice: the hard rule holds, a person is asked ------------------

ABSTRACT_TEXT = ("Liraglutide and linagliptin were given for four weeks to diet-induced obese "
                 "hamsters. Both improved glycaemic control; only liraglutide reduced body "
                 "weight and plasma cholesterol. ") * 4
MEETING = Record(title="Liraglutide and linagliptin improve glycaemic control in a hamster "
                 "model of diet-induced obesity", authors=["Hansen, F.", "Jelsing, J.",
                                                           "Vrang, N."],
                 year=2012, journal="Appetite", volume="59", issue="Suppl 1", pages="e24",
                 doi="10.1016/j.appet.2012.05.003", abstract=ABSTRACT_TEXT)


def test_two_dois_on_one_abstract_go_to_a_person_not_apart() -> None:
    """One database pasted another journal's DOI on the same meeting abstract."""
    pasted = replace(MEETING, volume="1", issue=None, doi="10.1016/j.regpep.2012.05.039")
    assert verdict(MEETING, pasted) == "possible"
    assert groups([MEETING, pasted]) == []
    later = replace(pasted, year=2013, pages="e31", abstract=None)  # next year's abstract
    assert verdict(MEETING, later) == "distinct"


def test_one_abstract_in_two_societies_journals_goes_to_a_person() -> None:
    cjns = Record(title="Stroke and aphasia: overcoming the challenges of capacity evaluation",
                  authors=["Carling-Rowland, A.", "Black, S.", "Kagan, A."], year=2010,
                  journal="Canadian Journal of Neurological Sciences", volume="37",
                  issue="3", pages="S42")
    stroke = replace(cjns, journal="Stroke", volume="41", issue="7", pages="e505")
    assert verdict(cjns, stroke) == "possible"
    assert groups([cjns, stroke]) == []
    # the same team's talk with the same title the year after: another abstract
    assert verdict(cjns, replace(stroke, year=2011, volume="42")) == "distinct"


def test_chinese_text_in_two_journals_goes_to_a_person() -> None:
    a = Record(title="重组人p53腺病毒注射液联合顺铂治疗晚期非小细胞肺癌的临床研究",
               authors=["赵卫柱", "王继坤", "李伟"], year=2009, journal="癌症",
               volume="28", issue="12", pages="1324-1327")
    b = replace(a, journal="中国肿瘤临床", volume="36", issue="2", pages="84-87")
    assert verdict(a, b) == "possible"
    other_team = replace(b, authors=["刘洋", "陈静"])
    assert verdict(a, other_team) == "distinct"


def test_same_article_with_a_mistyped_page_range_goes_to_a_person() -> None:
    """One database gives the next article's pages: never merged, but asked about."""
    a = Record(title="Cervical human papillomavirus in transplanted women: a long-term "
               "prospective follow-up study", authors=["Origoni, M.", "Stefani, C.",
                                                       "Candiani, M."],
               year=2011, journal="Journal of Clinical Virology", volume="51", issue="4",
               pages="246-250")
    b = replace(a, journal="J Clin Virol", pages="250-254")
    assert verdict(a, b) == "possible"
    assert groups([a, b]) == []
    assert verdict(a, replace(b, year=2013, volume="56")) == "distinct"  # years apart
    assert verdict(a, replace(b, authors=["Origoni, M.", "Parma, M."])) == "distinct"


# --- trial-register entries ------------------------------------------------------------

CTGOV_ENTRY = Record(title="Umbilical Cord MSC for Refractory Lupus Nephritis", year=2019,
                     accession="NCT09123456", url="https://clinicaltrials.gov/study/NCT09123456",
                     publication_type="INTERVENTIONAL")
ICTRP_COPY = Record(title="Umbilical cord MSC for refractory lupus nephritis", year=2019,
                    accession="NCT09123456", url="https://clinicaltrials.gov/show/NCT09123456")
# CENTRAL lists register entries with the register's page in the journal field
CENTRAL_COPY = Record(title="Umbilical Cord MSC for Refractory Lupus Nephritis", year=2019,
                      journal="https://clinicaltrials.gov/show/NCT09123456",
                      accession="CN-01987654")
REPORT = replace(TRIAL, abstract="Patients with refractory lupus nephritis received UC-MSC. "
                 "Trial registration: ClinicalTrials.gov NCT09123456.")


def test_one_registration_from_several_registers_merges() -> None:
    assert verdict(CTGOV_ENTRY, ICTRP_COPY) == "certain"
    assert verdict(CTGOV_ENTRY, CENTRAL_COPY) == "certain"
    # different numbers are different trials, however alike the titles
    other = replace(ICTRP_COPY, accession="ChiCTR2000031234", url=None)
    assert verdict(CTGOV_ENTRY, other) == "distinct"


def test_register_entry_and_a_report_of_the_trial_are_related_not_merged() -> None:
    assert verdict(CTGOV_ENTRY, REPORT) == "related"
    assert verdict(REPORT, CENTRAL_COPY) == "related"
    # a report of another trial (citing another number) is unrelated, even if alike
    other_report = replace(REPORT, title=CTGOV_ENTRY.title,
                           abstract="Trial registration: ISRCTN12345678.")
    assert verdict(CTGOV_ENTRY, other_report) == "distinct"
    # a report repeating the registered title, citing no number, is flagged related
    assert verdict(CTGOV_ENTRY, replace(TRIAL, title=CTGOV_ENTRY.title, abstract=None)) \
        == "related"
    result = deduplicate([CTGOV_ENTRY, REPORT, ICTRP_COPY])
    assert [g.members for g in result.groups] == [[0, 2]]
    assert {(p.a, p.b) for p in result.related} == {(0, 1), (1, 2)}


def test_chinese_register_entry_and_cnki_report() -> None:
    entry = Record(title="骨髓间充质干细胞治疗狼疮肾炎的随机对照试验", year=2020,
                   accession="ChiCTR2000031234")
    report = replace(CNKI, abstract="目的：评价骨髓间充质干细胞治疗狼疮肾炎的疗效。"
                     "注册号：ChiCTR2000031234。")
    assert verdict(entry, report) == "related"
    assert verdict(entry, CNKI) == "distinct"
