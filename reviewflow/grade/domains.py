"""The GRADE vocabulary: domains, judgements, starting points and certainty levels.

Values are stored as their strings (``GradeJudgement.domain``/``judgement``),
so renaming a member is a migration, not a refactor.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from reviewflow.errors import ReviewflowError


class Domain(StrEnum):
    STUDY_DESIGN = "study_design"
    RISK_OF_BIAS = "risk_of_bias"
    INCONSISTENCY = "inconsistency"
    INDIRECTNESS = "indirectness"
    IMPRECISION = "imprecision"
    PUBLICATION_BIAS = "publication_bias"
    LARGE_EFFECT = "large_effect"
    DOSE_RESPONSE = "dose_response"
    PLAUSIBLE_CONFOUNDING = "plausible_confounding"


DOWNGRADING = (Domain.RISK_OF_BIAS, Domain.INCONSISTENCY, Domain.INDIRECTNESS,
               Domain.IMPRECISION, Domain.PUBLICATION_BIAS)
UPGRADING = (Domain.LARGE_EFFECT, Domain.DOSE_RESPONSE, Domain.PLAUSIBLE_CONFOUNDING)
LABELS = {
    Domain.STUDY_DESIGN: "Study design", Domain.RISK_OF_BIAS: "Risk of bias",
    Domain.INCONSISTENCY: "Inconsistency", Domain.INDIRECTNESS: "Indirectness",
    Domain.IMPRECISION: "Imprecision", Domain.PUBLICATION_BIAS: "Publication bias",
    Domain.LARGE_EFFECT: "Large effect", Domain.DOSE_RESPONSE: "Dose-response gradient",
    Domain.PLAUSIBLE_CONFOUNDING: "Plausible confounding",
}


class Judgement(StrEnum):
    """Downgrading domains take the first three, upgrading ones the next three;
    ``study_design`` takes the last two."""

    NOT_SERIOUS = "not_serious"
    SERIOUS = "serious"
    VERY_SERIOUS = "very_serious"
    NO_UPGRADE = "no_upgrade"
    UPGRADE_ONE = "upgrade_one"
    UPGRADE_TWO = "upgrade_two"
    RANDOMISED = "randomised"
    NON_RANDOMISED = "non_randomised"


STEPS = {Judgement.NOT_SERIOUS: 0, Judgement.SERIOUS: -1, Judgement.VERY_SERIOUS: -2,
         Judgement.NO_UPGRADE: 0, Judgement.UPGRADE_ONE: 1, Judgement.UPGRADE_TWO: 2}
JUDGEMENT_LABELS = {
    Judgement.NOT_SERIOUS: "not serious", Judgement.SERIOUS: "serious",
    Judgement.VERY_SERIOUS: "very serious", Judgement.NO_UPGRADE: "none",
    Judgement.UPGRADE_ONE: "upgrade one level", Judgement.UPGRADE_TWO: "upgrade two levels",
    Judgement.RANDOMISED: "randomised trials", Judgement.NON_RANDOMISED: "non-randomised studies",
}


def allowed(domain: Domain) -> tuple[Judgement, ...]:
    if domain is Domain.STUDY_DESIGN:
        return (Judgement.RANDOMISED, Judgement.NON_RANDOMISED)
    if domain in UPGRADING:
        return (Judgement.NO_UPGRADE, Judgement.UPGRADE_ONE, Judgement.UPGRADE_TWO)
    return (Judgement.NOT_SERIOUS, Judgement.SERIOUS, Judgement.VERY_SERIOUS)


class Certainty(IntEnum):
    VERY_LOW = 1
    LOW = 2
    MODERATE = 3
    HIGH = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").title()

    @property
    def symbols(self) -> str:
        """GRADEpro's circles, e.g. ⊕⊕⊝⊝ for low."""
        return "⊕" * self.value + "⊝" * (4 - self.value)


def parse_domain(text: str) -> Domain:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {"rob": Domain.RISK_OF_BIAS, "bias": Domain.RISK_OF_BIAS,
               "publication": Domain.PUBLICATION_BIAS, "design": Domain.STUDY_DESIGN,
               "dose": Domain.DOSE_RESPONSE, "confounding": Domain.PLAUSIBLE_CONFOUNDING}
    if key in aliases:
        return aliases[key]
    try:
        return Domain(key)
    except ValueError:
        raise ReviewflowError(f"unknown GRADE domain {text!r}; use one of: "
                              f"{', '.join(d.value for d in Domain)}") from None


def parse_judgement(domain: Domain, text: str) -> Judgement:
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    key = {"none": "no_upgrade", "no": "not_serious", "+1": "upgrade_one",
           "+2": "upgrade_two", "-1": "serious", "-2": "very_serious", "rct": "randomised",
           "randomized": "randomised", "non_randomized": "non_randomised",
           "observational": "non_randomised"}.get(key, key)
    choices = allowed(domain)
    if key == "none" and domain in DOWNGRADING:
        key = "not_serious"
    for j in choices:
        if j.value == key:
            return j
    raise ReviewflowError(f"{LABELS[domain]}: judgement {text!r} must be one of "
                          f"{', '.join(j.value for j in choices)}")
