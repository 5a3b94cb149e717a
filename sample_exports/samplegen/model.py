"""Plain data the generator passes between its stages.

One :class:`Pub` is one publication (a "report"): every database record of it
shares its ``key``, which is the duplicate group dedup should recover. Several
reports can describe one trial; they share ``study_key``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """An author; ``given`` holds full given names, ``zh`` the name in hanzi if any."""

    family: str
    given: str
    zh: str | None = None

    def initials(self) -> str:
        parts = self.given.replace("-", " ").split()
        return "".join(p[0].upper() for p in parts)


@dataclass(frozen=True)
class Journal:
    """One journal under the names each database uses for it."""

    code: str  # short code used in the fake DOIs
    nlm_ta: str  # MEDLINE TA
    nlm_jt: str  # MEDLINE JT (NLM style, sentence case)
    embase_jf: str  # Embase full title ("and" for "&")
    embase_ja: str  # Embase abbreviation (with dots)
    wos_j9: str  # WoS 29-character abbreviation
    wos_ji: str  # WoS ISO abbreviation
    issn: str
    medline: bool = True  # indexed in PubMed/MEDLINE
    zh: str | None = None  # Chinese name, for Chinese journals
    pinyin: str | None = None  # NLM-style romanised title of a Chinese journal


@dataclass
class Pub:
    """One report and everything the writers need to render it in any database."""

    key: str
    study_key: str
    kind: str  # article | conference | erratum | review | registry
    title: str
    abstract: str | None
    authors: list[Person]
    journal: Journal
    year: int
    month: int
    volume: str
    issue: str
    first_page: str
    last_page: str
    doi: str | None
    pmid: str | None
    language: str = "eng"
    mesh: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    epub_year: int | None = None  # set when the print year differs from the epub year
    title_zh: str | None = None
    abstract_zh: str | None = None
    keywords_zh: list[str] = field(default_factory=list)
    affiliation: str = ""
    affiliation_zh: str = ""
    registry_id: str | None = None
    dbs: list[str] = field(default_factory=list)
    relevant_ta: bool = False
    relevant_ft: bool = False
    ft_reason: str = ""
    category: str = ""  # why it is in the set (for the README and the truth file)
    quirks: dict[str, set[str]] = field(default_factory=dict)
    erratum_of: str | None = None  # key of the article an erratum corrects
    ids: dict[str, str] = field(default_factory=dict)  # accession per database

    def has(self, db: str, quirk: str) -> bool:
        return quirk in self.quirks.get(db, set())

    def add_quirk(self, db: str, quirk: str) -> None:
        self.quirks.setdefault(db, set()).add(quirk)


@dataclass(frozen=True)
class Arm:
    """Summary data of one outcome for one trial (continuous or dichotomous)."""

    outcome: str
    kind: str  # continuous | dichotomous
    n_treat: int
    n_ctrl: int
    mean_treat: float | None = None
    sd_treat: float | None = None
    mean_ctrl: float | None = None
    sd_ctrl: float | None = None
    events_treat: int | None = None
    events_ctrl: int | None = None
    scale: str = ""
    timepoint: str = ""


@dataclass
class Trial:
    """An included randomised trial: attributes for extraction plus its outcome data."""

    study_key: str
    disease: str
    cell_source: str  # bone marrow | umbilical cord | adipose tissue
    country: str
    dose: str
    follow_up_months: int
    comparator: str
    chinese: bool = False
    arms: list[Arm] = field(default_factory=list)
    label: str = ""  # "Family Year", set once the main report exists
