"""The English-title signal of same-study suggestions, on a review's worth of titles.

Every title in one review shares its topic words, so two trials of one
intervention in different diseases must not look like one trial, while a trial's
Chinese report (its title translated, paraphrased) and its English report must.
"""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from reviewflow.linking.suggest import LinkReason, LinkRecord, suggest_links
from reviewflow.linking.title_match import TitleWeights, title_words

# Chinese reports: (id, title, translated title, first author, year)
CHINESE = [
    (1, "间充质干细胞治疗系统性硬化症", "Mesenchymal stem cells for systemic sclerosis",
     "刘洋", 2013),
    (2, "脐带间充质干细胞移植治疗难治性系统性红斑狼疮的临床研究",
     "Clinical study of umbilical cord mesenchymal stem cell transplantation in the treatment"
     " of refractory systemic lupus erythematosus", "孙丽", 2018),
    (3, "骨髓间充质干细胞关节腔注射治疗膝骨关节炎的随机对照研究",
     "Intra-articular injection of bone marrow mesenchymal stem cells for knee "
     "osteoarthritis: a randomized controlled study", "周强", 2020),
    (4, "人脐带间充质干细胞治疗类风湿关节炎",
     "Human umbilical cord MSCs in the treatment of rheumatoid arthritis", "吴敏", 2016),
]
ENGLISH = [
    (11, "Mesenchymal stem cells for systemic lupus erythematosus: a randomised controlled "
         "trial", "Garcia, M", 2013),
    (12, "Umbilical cord mesenchymal stem cell transplantation for refractory systemic lupus "
         "erythematosus: a randomized controlled trial", "Smith, J", 2019),
    (13, "Bone marrow mesenchymal stromal cells injected intra-articularly in knee "
         "osteoarthritis: a randomized trial", "Jones, A", 2021),
    (14, "Umbilical cord mesenchymal stem cells for rheumatoid arthritis: a randomized "
         "controlled trial", "Brown, K", 2017),
    (15, "Adipose-derived mesenchymal stem cells for knee osteoarthritis", "Miller, P", 2020),
    (16, "Mesenchymal stem cells in Crohn's perianal fistula: a randomised trial",
     "Davis, R", 2016),
    (17, "Mesenchymal stem cell therapy for ulcerative colitis", "Wilson, T", 2018),
    (18, "Umbilical cord mesenchymal stem cells for Sjogren's syndrome", "Moore, L", 2019),
    (19, "Mesenchymal stem cells for lupus nephritis: a randomized placebo-controlled trial",
     "Taylor, S", 2017),
]
SAME_TRIAL = {(2, 12), (3, 13), (4, 14)}


def review() -> list[LinkRecord]:
    return ([LinkRecord(i, zh, en, (who,), year, language="chi")
             for i, zh, en, who, year in CHINESE]
            + [LinkRecord(i, title, None, (who,), year) for i, title, who, year in ENGLISH])


def test_same_trial_across_languages_suggested_and_different_diseases_not() -> None:
    found = suggest_links(review())
    assert {(s.a, s.b) for s in found} == SAME_TRIAL
    assert all(s.reasons == (LinkReason.ENGLISH_TITLE,) for s in found)


def test_topic_words_alone_are_not_the_same_trial() -> None:
    """The reported case: systemic sclerosis against lupus, one intervention, same year.
    The plain string score rates them alike; the review's titles tell them apart."""
    sclerosis, lupus = CHINESE[0][2], ENGLISH[0][1]
    assert fuzz.token_set_ratio(sclerosis, lupus, processor=default_process) > 80
    assert not [s for s in suggest_links(review()) if (s.a, s.b) == (1, 11)]
    alone = [LinkRecord(1, CHINESE[0][1], sclerosis, ("刘洋",), 2013, language="chi"),
             LinkRecord(11, lupus, None, ("Garcia, M",), 2013)]
    assert suggest_links(alone) == []  # even with no other titles to weigh against
    # bone marrow against adipose cells in one disease: a different trial too
    assert fuzz.token_set_ratio(CHINESE[2][2], ENGLISH[4][1], processor=default_process) > 80
    assert not [s for s in suggest_links(review()) if (s.a, s.b) == (3, 15)]


def test_rare_words_weigh_more_and_acronyms_match_their_words() -> None:
    titles = [title_words(t) for _, _, t, _, _ in CHINESE] + \
        [title_words(t) for _, t, _, _ in ENGLISH]
    weights = TitleWeights(titles)
    assert weights.weight("sclerosis") > weights.weight("systemic") > weights.weight("stem")
    msc = title_words("MSCs in lupus")
    spelled = title_words("mesenchymal stem cells in lupus")
    assert weights.similarity(msc, spelled) == 100.0
    assert weights.similarity(title_words("SLE"), title_words("systemic lupus "
                                                              "erythematosus")) == 100.0
    assert title_words("A randomised controlled trial of stem cells in the treatment of RA") \
        == ("stem", "cells", "ra")


DISEASES = ["systemic lupus erythematosus", "systemic sclerosis", "knee osteoarthritis",
            "Crohn's disease", "ulcerative colitis", "multiple sclerosis", "Sjogren's syndrome",
            "lupus nephritis", "psoriasis", "ankylosing spondylitis", "type 1 diabetes",
            "graft-versus-host disease", "liver cirrhosis", "heart failure", "dermatomyositis",
            "systemic vasculitis", "Behcet's disease", "primary biliary cholangitis",
            "spinal cord injury", "aplastic anaemia", "osteonecrosis of the femoral head",
            "interstitial lung disease", "diabetic foot", "premature ovarian failure"]


def test_the_trial_is_found_among_many_titles_sharing_more_topic_words() -> None:
    """Two dozen trials of the same cells in other diseases each share more words with
    the Chinese title than its own English report does (plain score above the pair's):
    the first pass compares the words that set titles apart, so it is still found."""
    zh = LinkRecord(4, CHINESE[3][1], CHINESE[3][2], ("吴敏",), 2016, language="chi")
    en = LinkRecord(14, ENGLISH[3][1], None, ("Brown, K",), 2017)
    others = [LinkRecord(100 + k, f"Human umbilical cord mesenchymal stem cells in the "
                         f"treatment of {d}", None, (f"Author{k}, A",), 2016)
              for k, d in enumerate(DISEASES)]
    plain = fuzz.token_set_ratio(zh.translated_title, en.title, processor=default_process)
    assert all(fuzz.token_set_ratio(zh.translated_title, o.title, processor=default_process)
               > plain for o in others)
    assert [(s.a, s.b) for s in suggest_links([zh, en, *others])] == [(4, 14)]


def test_a_report_gets_its_few_best_title_only_suggestions() -> None:
    """Trials of one cell source in one disease look alike by title: a report's
    title-only suggestions are its five best, the closest first."""
    zh = LinkRecord(1, CHINESE[1][1], CHINESE[1][2], ("孙丽",), 2018, language="chi")
    alike = [LinkRecord(10 + k, f"Umbilical cord mesenchymal stem cell transplantation for "
                        f"refractory systemic lupus erythematosus{extra}", None,
                        (f"Author{k}, A",), 2018)
             for k, extra in enumerate(["", ": a pilot study", " in adults", " in China",
                                        ": one-year outcomes", " with nephritis",
                                        " and cytopenia", ": a multicentre trial"])]
    found = suggest_links([zh, *alike])
    assert len(found) == 5 and all(s.reasons == (LinkReason.ENGLISH_TITLE,) for s in found)
    ranked = [(-s.title_score, s.b) for s in found]
    assert ranked == sorted(ranked)
