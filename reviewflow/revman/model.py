"""What a RevMan 5 file holds, as plain frozen types (no XML, no store).

The reader fills these from an ``.rm5`` file (or a RevMan CSV export), the
checker re-pools them, the importer turns them into a review and the writer
turns them back into XML. RevMan's own computed results (``CALCULATED_DATA``)
are kept beside the data as :class:`Stored` so that a file can be audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StudyStatus(StrEnum):
    INCLUDED = "included"
    EXCLUDED = "excluded"
    AWAITING = "awaiting"
    ONGOING = "ongoing"


class OutcomeKind(StrEnum):
    """RevMan's data types; the element prefix in the file (DICH_, CONT_, IV_)."""

    DICHOTOMOUS = "DICH"
    CONTINUOUS = "CONT"
    GENERIC = "IV"


class Totals(StrEnum):
    YES = "YES"  # totals and subtotals
    SUB = "SUB"  # subtotals only
    NO = "NO"  # no totals


@dataclass(frozen=True)
class Reference:
    type: str
    primary: bool
    authors: str = ""
    title: str = ""
    source: str = ""  # journal or book
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    identifiers: tuple[tuple[str, str], ...] = ()  # (TYPE, VALUE): DOI, PUBMED, ...

    def identifier(self, kind: str) -> str:
        return next((v for k, v in self.identifiers if k == kind), "")


@dataclass(frozen=True)
class Study:
    id: str
    name: str
    year: str
    status: StudyStatus
    data_source: str = ""
    references: tuple[Reference, ...] = ()
    characteristics: tuple[tuple[str, str], ...] = ()  # (CHAR_METHODS, text), ...


@dataclass(frozen=True)
class RiskOfBiasEntry:
    study_id: str
    result: str  # YES (low risk), NO (high risk), UNKNOWN (unclear)
    support: str
    group_id: str = ""


@dataclass(frozen=True)
class RiskOfBiasItem:
    id: str
    no: int
    name: str
    description: str
    level: str  # STUDY or GROUP (per outcome group)
    entries: tuple[RiskOfBiasEntry, ...]
    groups: tuple[tuple[str, str], ...] = ()  # (GROUP_ID, name) for LEVEL="GROUP"


@dataclass(frozen=True)
class Stored:
    """Numbers RevMan computed and stored; None where the file leaves them empty.

    ``effect``/``ci_*`` are on the scale RevMan shows (ratio, not log). For a
    study row ``chi2`` and the rest stay None.
    """

    estimable: bool | None = None
    effect: float | None = None
    ci_start: float | None = None
    ci_end: float | None = None
    weight: float | None = None
    z: float | None = None
    p_z: float | None = None
    chi2: float | None = None
    df: float | None = None
    p_chi2: float | None = None
    i2: float | None = None
    tau2: float | None = None
    studies: int | None = None
    se: float | None = None  # study rows


@dataclass(frozen=True)
class SubgroupTest:
    q: float | None
    p: float | None
    i2: float | None


@dataclass(frozen=True)
class DataRow:
    """One study's data in one outcome (or subgroup); the fields of its kind are set.

    Dichotomous: events/total per group; continuous: mean, SD, total; generic
    inverse variance: estimate and SE on the analysis scale (log for ratios)
    and optional totals.
    """

    study_id: str
    order: int | None = None
    events_1: float | None = None
    total_1: float | None = None
    events_2: float | None = None
    total_2: float | None = None
    mean_1: float | None = None
    sd_1: float | None = None
    mean_2: float | None = None
    sd_2: float | None = None
    estimate: float | None = None
    se: float | None = None
    stored: Stored = Stored()
    line: int | None = None


@dataclass(frozen=True)
class Subgroup:
    id: str
    no: int
    name: str
    rows: tuple[DataRow, ...]
    stored: Stored = Stored()


# RevMan's names of effect measures (a generic outcome's <EFFECT_MEASURE> text, a data
# package's "Effect measure" column), lower-cased, to reviewflow's codes. A free name
# such as "Ratio of means" has no code: it is kept as written for the export.
MEASURE_NAMES = {"odds ratio": "OR", "odds ratio (non-event)": "OR", "peto odds ratio": "PETO_OR",
                 "risk ratio": "RR", "risk difference": "RD", "mean difference": "MD",
                 "std. mean difference": "SMD", "standardized mean difference": "SMD",
                 "standardised mean difference": "SMD", "hazard ratio": "HR"}


@dataclass(frozen=True)
class Settings:
    """How RevMan analyses the outcome (attributes of the *_OUTCOME element)."""

    measure: str  # RR OR RD MD SMD (for generic: what EFFECT_MEASURE says, or "")
    method: str  # MH IV PETO
    random: bool
    totals: Totals
    subgroup_test: bool
    ci_study: int = 95
    ci_total: int = 95
    swap_events: bool = False
    log_data: bool = False  # generic IV entered on the log scale
    units: str = ""
    tau2: str = "DL"  # RevMan 5: always DerSimonian-Laird; RevMan Web also REML, PM
    hksj: bool = False  # RevMan Web's Hartung-Knapp-Sidik-Jonkman CI method


@dataclass(frozen=True)
class Outcome:
    id: str
    no: int
    name: str
    kind: OutcomeKind
    settings: Settings
    rows: tuple[DataRow, ...]  # when the outcome has no subgroups
    subgroups: tuple[Subgroup, ...]
    has_subgroups: bool
    group_labels: tuple[str, str] = ("", "")
    graph_labels: tuple[str, str] = ("", "")
    stored: Stored = Stored()
    subgroup_test: SubgroupTest | None = None
    line: int | None = None

    def all_rows(self) -> tuple[DataRow, ...]:
        if self.has_subgroups:
            return tuple(r for s in self.subgroups for r in s.rows)
        return self.rows


@dataclass(frozen=True)
class Comparison:
    id: str
    no: int
    name: str
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class RevManFile:
    source: str
    title: str
    revman_version: str
    calculated: bool  # ANALYSES_AND_DATA CALCULATED_DATA="YES"
    studies: tuple[Study, ...]
    risk_of_bias: tuple[RiskOfBiasItem, ...]
    comparisons: tuple[Comparison, ...]
    # Outcomes of kinds reviewflow cannot analyse (O-E and variance, "other data"),
    # named so that an import or a check says so instead of dropping them silently.
    unsupported: tuple[str, ...] = ()

    def outcomes(self) -> tuple[tuple[Comparison, Outcome], ...]:
        return tuple((c, o) for c in self.comparisons for o in c.outcomes)

    def study_names(self) -> dict[str, str]:
        return {s.id: s.name for s in self.studies}
