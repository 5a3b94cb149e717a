"""Builds every report (publication) and decides which databases hold it.

The result is the ground truth: one :class:`Pub` per duplicate group. The writers
then render each Pub once per database it is in, each time in that database's
own spelling, so the duplicates differ the way real ones do.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from samplegen import others, text_en, text_zh
from samplegen.diseases import DISEASES, SOURCES
from samplegen.fmt_common import title_case
from samplegen.model import Journal, Pub, Trial
from samplegen.names import JOURNALS, affiliation_for, authors_for
from samplegen.stable_random import StableRandom
from samplegen.trials import SPECS

ARTICLE_NUMBER_JOURNALS = {"scrt", "fimm", "sci", "cddis", "ccare", "medi", "arth"}
CONFERENCE = {"acr": (1948, "Suppl 10"), "eular": (1941, "Suppl 1"), "ecco": (2006, "Suppl 1")}
CATEGORY_JOURNALS = {  # where each kind of irrelevant report would plausibly appear
    "animal": ["sci", "jcmm", "intimp", "cddis", "scrt"],
    "review": ["fimm", "sci", "medi", "ijrd", "rheum", "scrt"],
    "other disease": ["ccare", "jcyt", "sctm", "scrt", "medi"],
    "other intervention": ["ard", "joca", "gast", "msj", "lup", "rheum", "jcc", "ajsm", "arth"],
    "in vitro": ["sci", "jcmm", "cddis", "scrt", "jcyt"],
    "case report": ["medi", "ijrd", "jcyt"],
}


class IdMaker:
    """Unique made-up identifiers in ranges real databases have not reached."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, pattern: str, digits: int) -> str:
        while True:
            value = pattern.format("".join(str(self.rng.randint(0, 9)) for _ in range(digits)))
            if value not in self.used:
                self.used.add(value)
                return value


class Builder:
    """Holds the random source and identifier allocator while the reports are made."""

    def __init__(self, seed: int) -> None:
        self.rng = StableRandom(seed)
        self.ids = IdMaker(StableRandom(seed + 1))
        self.pubs: list[Pub] = []

    def new_pub(self, study_key: str, kind: str, title: str, abstract: str | None,
                journal: Journal, year: int, country: str, n_authors: int = 0) -> Pub:
        rng = self.rng
        authors = authors_for(rng, country, n_authors or rng.randint(3, 8))
        volume, issue, first, last = self._pages(journal, year, kind)
        aff, aff_zh = affiliation_for(rng, country)
        key = f"R{len(self.pubs) + 1:03d}"
        doi = f"10.5555/{journal.code}.{year}.{rng.randint(100, 9999):04d}"
        pub = Pub(key=key, study_key=study_key, kind=kind, title=title, abstract=abstract,
                  authors=authors, journal=journal, year=year, month=rng.randint(1, 12),
                  volume=volume, issue=issue, first_page=first, last_page=last, doi=doi,
                  pmid=None, affiliation=aff, affiliation_zh=aff_zh)
        self.pubs.append(pub)
        return pub

    def _pages(self, j: Journal, year: int, kind: str) -> tuple[str, str, str, str]:
        rng = self.rng
        if j.code in CONFERENCE:
            start, issue = CONFERENCE[j.code]
            return str(year - start), issue, str(rng.randint(100, 2999)), ""
        # one volume per journal-year, so two reports in one journal and year agree
        volume = str(year - 2000 + sum(map(ord, j.code)) % 40)
        issue = str(rng.randint(1, 12))
        if j.code in ARTICLE_NUMBER_JOURNALS:
            return volume, issue, str(rng.randint(10, 480)), ""
        first = rng.randint(30, 2400)
        length = 1 if kind == "erratum" else rng.randint(5, 14)
        return volume, issue, str(first), str(first + length - 1)

    def place(self, pub: Pub, dbs: list[str]) -> None:
        pub.dbs = []
        for db in dbs:
            self.add_db(pub, db)

    def add_db(self, pub: Pub, db: str) -> None:
        """Put ``pub`` in one more database, with a fresh accession there."""
        if db in pub.dbs:
            return
        pub.dbs.append(db)
        self._accession(pub, db)

    def _accession(self, pub: Pub, db: str) -> None:
        if db == "pubmed":
            pub.pmid = self.ids.make("99{}", 6)
            return
        pattern, digits = {"embase": ("69{}", 7), "wos": ("WOS:99900{}", 10),
                           "central": ("CN-09{}", 6),
                           "cnki": (f"{pub.journal.code.upper()}{pub.year}{{}}", 5)}[db]
        pub.ids[db] = self.ids.make(pattern, digits)


def _english_dbs(rng: random.Random, trial: bool) -> list[str]:
    dbs = ["pubmed", "embase"]
    if rng.random() < 0.8:
        dbs.append("wos")
    if trial and rng.random() < 0.85:
        dbs.append("central")
    return dbs


def trial_reports(b: Builder, trials: list[Trial]) -> None:
    """Main report of every included trial (Chinese or English)."""
    spec = {s[0]: s for s in SPECS}
    for t in trials:
        _key, _d, _s, country, chinese, jcode, year, _c = spec[t.study_key]
        journal = JOURNALS[jcode]
        registry = b.ids.make("NCT0{}", 7)
        if chinese:
            pub = b.new_pub(t.study_key, "article", text_zh.trial_title_en_translated(t),
                            text_en.trial_abstract(t, registry), journal, year, country)
            pub.language = "chi"
            pub.title_zh = text_zh.trial_title_zh(t)
            pub.abstract_zh = text_zh.trial_abstract_zh(t)
            pub.keywords_zh = text_zh.trial_keywords_zh(t)
            dbs = ["cnki"] + (["pubmed", "embase", "central"] if journal.medline else [])
            if t.study_key == "OA-BM-4":
                dbs.append("central")  # CENTRAL handsearches Chinese journals, English title only
                pub.abstract = None
            b.place(pub, dbs)
        else:
            pub = b.new_pub(t.study_key, "article", text_en.trial_title(b.rng, t),
                            text_en.trial_abstract(t, registry), journal, year, country)
            b.place(pub, _english_dbs(b.rng, True))
        pub.registry_id = registry
        pub.relevant_ta = pub.relevant_ft = True
        pub.category = "included RCT"
        _index_terms(pub, t)
        t.label = f"{pub.authors[0].family} {pub.year}"
    _disambiguate_labels(trials)


def _disambiguate_labels(trials: list[Trial]) -> None:
    """RevMan's convention: "Wang 2020a", "Wang 2020b" when two studies share a label."""
    totals = Counter(t.label for t in trials)
    seen: Counter[str] = Counter()
    for t in trials:
        if totals[t.label] > 1:
            base = t.label
            seen[base] += 1
            t.label = base + "abcdefghij"[seen[base] - 1]


def _index_terms(pub: Pub, t: Trial) -> None:
    d = DISEASES[t.disease]
    pub.mesh = ["Adult", "Female", "Humans", "Male", "Middle Aged", *d.mesh,
                "*Mesenchymal Stem Cell Transplantation/methods", "Mesenchymal Stem Cells",
                SOURCES[t.cell_source][2], "Treatment Outcome"]
    pub.keywords = ["*mesenchymal stem cell transplantation", *d.emtree, "adult",
                    "controlled study", "female", "human", "male", "randomized controlled trial",
                    f"{t.cell_source} derived mesenchymal stem cell"]


def extra_trial_reports(b: Builder, trials: list[Trial]) -> None:
    """Second reports of included trials: each must stay its own record, not a merge."""
    by_key = {t.study_key: t for t in trials}
    main = {p.study_key: p for p in b.pubs if p.category == "included RCT"}
    _conference_abstract(b, by_key["OA-BM-1"], main["OA-BM-1"])
    _follow_up(b, by_key["OA-AD-1"], main["OA-AD-1"])
    _chinese_report(b, by_key["SLE-2"], main["SLE-2"])
    for key in ("IBD-1", "MS-1"):
        _registry_record(b, by_key[key], main[key])


def _conference_abstract(b: Builder, t: Trial, full: Pub) -> None:
    """An interim abstract a year before the full paper, with a different title."""
    conf = b.new_pub(t.study_key, "conference", text_en.conference_title(t),
                     text_en.conference_abstract(t), JOURNALS["acr"], full.year - 1, t.country)
    conf.authors = full.authors[:4]
    conf.doi = None
    b.place(conf, ["embase", "wos", "central"])
    _second(conf, "conference abstract of an included trial")


def _follow_up(b: Builder, t: Trial, full: Pub) -> None:
    fu = b.new_pub(t.study_key, "article", text_en.followup_title(t), text_en.followup_abstract(t),
                   JOURNALS["ajsm"], full.year + 2, t.country)
    fu.authors = full.authors
    b.place(fu, ["pubmed", "embase", "wos"])
    _second(fu, "follow-up report of an included trial")


def _chinese_report(b: Builder, t: Trial, full: Pub) -> None:
    """The same trial published a year earlier in a Chinese journal (CNKI only)."""
    zh = b.new_pub(t.study_key, "article", text_zh.trial_title_en_translated(t), None,
                   JOURNALS["zhfs"], full.year - 1, "China")
    zh.authors = full.authors
    zh.language, zh.doi = "chi", None
    zh.title_zh = text_zh.trial_title_zh(t)
    zh.abstract_zh = text_zh.trial_abstract_zh(t)
    zh.keywords_zh = text_zh.trial_keywords_zh(t)
    b.place(zh, ["cnki"])
    _second(zh, "Chinese-language report of an included English trial")


def _registry_record(b: Builder, t: Trial, full: Pub) -> None:
    """A ClinicalTrials.gov entry as CENTRAL lists it: no authors, no journal, no DOI."""
    d = DISEASES[t.disease]
    title = f"Mesenchymal Stem Cells for {title_case(d.name)}"
    reg = b.new_pub(t.study_key, "registry", title, None, JOURNALS["jcyt"], full.year - 3,
                    t.country, 1)
    reg.doi = None
    reg.registry_id = full.registry_id
    b.place(reg, ["central"])
    _second(reg, "trial registry record of an included trial")


def _second(pub: Pub, category: str) -> None:
    pub.relevant_ta, pub.relevant_ft, pub.ft_reason = True, False, "duplicate report"
    pub.category = category


def erratum(b: Builder) -> None:
    """An erratum notice for an included article: a separate item, not a duplicate."""
    target = next(p for p in b.pubs if p.study_key == "SLE-1")
    e = b.new_pub("ERR-SLE-1", "erratum", f"Correction: {target.title}", None, target.journal,
                  target.year + 1, "China", 1)
    e.authors = target.authors
    e.erratum_of = target.key
    e.category = "erratum notice"
    b.place(e, ["pubmed", "embase", "wos"])


def ft_excluded(b: Builder) -> None:
    """Reports that pass title/abstract screening but fail at full text, one per reason."""
    for i, (title, cat, reason, country, jcode) in enumerate(others.FT_EXCLUDED):
        journal = JOURNALS[jcode]
        kind = "conference" if jcode in CONFERENCE else "article"
        abstract = others.ft_abstract(b.rng, cat, kind == "conference")
        pub = b.new_pub(f"FTX-{i + 1:02d}", kind, title, abstract, journal,
                        b.rng.randint(2016, 2023), country)
        if kind == "conference":
            pub.doi = None
            b.place(pub, ["embase", "central"] if b.rng.random() < 0.5 else ["embase"])
        else:
            b.place(pub, _english_dbs(b.rng, "random" in title))
        pub.relevant_ta, pub.relevant_ft, pub.ft_reason = True, False, reason
        pub.category = cat
    _ft_excluded_chinese(b)


def _ft_excluded_chinese(b: Builder) -> None:
    """Two CNKI-only reports that look relevant but fail at full text."""
    for j, (title_zh, reason, cat) in enumerate((
        ("脐带间充质干细胞治疗难治性系统性红斑狼疮的临床观察", "not randomised",
         "single-arm study (Chinese)"),
        ("间充质干细胞移植治疗系统性硬化症的临床研究", "not retrievable",
         "no full text (Chinese)"),
    )):
        pub = b.new_pub(f"FTX-ZH-{j + 1}", "article", "", None, JOURNALS["zgyy"],
                        b.rng.randint(2017, 2022), "China")
        pub.title, pub.language, pub.doi = "", "chi", None
        pub.title_zh = title_zh
        pub.abstract_zh = (f"目的 观察{title_zh[:-5]}的疗效。方法 收集患者资料,"
                           "给予间充质干细胞治疗,观察治疗前后疾病活动度变化。"
                           "结果 治疗后患者病情改善。结论 间充质干细胞治疗安全有效。")
        pub.keywords_zh = ["间充质干细胞", "临床观察"]
        b.place(pub, ["cnki"])
        pub.relevant_ta, pub.relevant_ft, pub.ft_reason = True, False, reason
        pub.category = cat


def irrelevant(b: Builder) -> None:
    rng = b.rng
    countries = ["China", "USA", "Korea", "Iran", "Italy", "Spain", "Brazil", "India", "Turkey"]
    for i, (title, abstract, cat) in enumerate(others.irrelevant_specs(rng)):
        pool = CATEGORY_JOURNALS.get(cat, ["medi", "scrt", "fimm"])
        journal = JOURNALS[pool[i % len(pool)]]
        pub = b.new_pub(f"IRR-{i + 1:03d}", "review" if cat == "review" else "article", title,
                        abstract, journal, rng.randint(2014, 2023), rng.choice(countries))
        trialish = "random" in title
        odds = (("pubmed", 0.85), ("embase", 0.85), ("wos", 0.6))
        dbs = [db for db, p in odds if rng.random() < p]
        if trialish and rng.random() < 0.9:
            dbs.append("central")
        b.place(pub, dbs or ["embase"])
        pub.category = cat
        pub.mesh = others.index_terms(cat, title)
        if rng.random() < 0.08:
            pub.doi = None
    for i, (title_zh, abstract_zh, kws, cat) in enumerate(text_zh.IRRELEVANT_ZH):
        journal = JOURNALS[["zgzz", "zgyy", "zhfs", "zgxf"][i % 4]]
        pub = b.new_pub(f"IRR-ZH-{i + 1:02d}", "review" if cat == "review" else "article", "",
                        None, journal, rng.randint(2015, 2023), "China")
        pub.language, pub.title_zh = "chi", title_zh
        pub.abstract_zh, pub.keywords_zh = abstract_zh, kws
        pub.doi = pub.doi if rng.random() < 0.5 else None
        b.place(pub, ["cnki"])
        pub.category = cat



def embase_twins(b: Builder) -> list[Pub]:
    """Second Embase copies of reports marked ``twice``: Embase sometimes holds one article
    both as a MEDLINE-sourced and as an Embase-indexed record, so dedup meets a duplicate
    inside a single file. The copy has its own accession, no DOI and no Emtree terms."""
    twins = []
    for p in b.pubs:
        if p.has("embase", "twice"):
            ids = {**p.ids, "embase": b.ids.make("69{}", 7)}
            twins.append(replace(p, ids=ids, doi=None, keywords=[], quirks={}, dbs=["embase"]))
    return twins
