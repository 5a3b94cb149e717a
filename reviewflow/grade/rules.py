"""Prefilled GRADE suggestions, each with the rule that produced it.

A suggestion is never a judgement: it prefills the form a person confirms or
changes. Every rule is a small named function returning a :class:`Rule` (an
enum a caller can branch on) and the judgement, with thresholds kept as module
constants so the review can see, and the docs can state, exactly what fired.
Sources: GRADE Handbook 5.2; Cochrane Handbook 14.2.2 and 10.10; Guyatt et al.
2011 (GRADE guidelines 5-8) for the optimal information size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from scipy.special import ndtri

from reviewflow.grade.domains import DOWNGRADING, UPGRADING, Domain, Judgement
from reviewflow.wording import plural

# risk of bias: share of the analysis weight from studies at high / high-or-unclear risk
# (two levels only when most of the evidence is at high risk, one when most is not low)
ROB_HIGH_SHARE_VERY_SERIOUS = 0.75
ROB_CONCERN_SHARE_SERIOUS = 0.50
# inconsistency
I2_SERIOUS = 50.0
I2_VERY_SERIOUS = 75.0
NON_OVERLAP_VERY_SERIOUS = 0.25  # share of study pairs whose CIs do not overlap
# publication bias (Cochrane Handbook 13.3.5.4: tests need 10 or more studies)
MIN_STUDIES_FOR_TESTS = 10
EGGER_ALPHA = 0.10
# optimal information size: alpha 0.05 two-sided, power 0.80, relative risk reduction 25%
OIS_RRR = 0.25
OIS_ALPHA = 0.05
OIS_POWER = 0.80
OIS_CONTINUOUS = 400  # GRADE's rule of thumb for continuous outcomes
# large effect (non-randomised evidence): ratio beyond 2 (or 5) with a CI clear of 1
LARGE_RATIO = 2.0
VERY_LARGE_RATIO = 5.0


class Rob(StrEnum):
    LOW = "low"
    CONCERNS = "concerns"  # RoB 1 unclear, RoB 2 some concerns
    HIGH = "high"
    UNKNOWN = "unknown"  # not judged: counted with the concerns


class Rule(StrEnum):
    ROB_MOSTLY_HIGH = "rob_mostly_high"
    ROB_MOSTLY_CONCERNS = "rob_mostly_concerns"
    ROB_MOSTLY_LOW = "rob_mostly_low"
    SINGLE_STUDY = "single_study"
    I2_CONSIDERABLE_NO_OVERLAP = "i2_considerable_no_overlap"
    I2_SUBSTANTIAL = "i2_substantial"
    PI_CROSSES_NULL = "pi_crosses_null"
    CONSISTENT = "consistent"
    CI_CROSSES_BOTH_THRESHOLDS = "ci_crosses_both_thresholds"
    CI_CROSSES_ONE_THRESHOLD = "ci_crosses_one_threshold"
    CI_CROSSES_NULL = "ci_crosses_null"
    BELOW_OIS = "below_ois"
    PRECISE = "precise"
    TOO_FEW_FOR_TESTS = "too_few_for_tests"
    EGGER_ASYMMETRY = "egger_asymmetry"
    NO_ASYMMETRY = "no_asymmetry"
    RANDOMISED_NO_UPGRADE = "randomised_no_upgrade"
    VERY_LARGE_EFFECT = "very_large_effect"
    LARGE_EFFECT = "large_effect"
    NO_LARGE_EFFECT = "no_large_effect"
    NEEDS_PERSON = "needs_person"


@dataclass(frozen=True)
class StudyEvidence:
    study: str
    weight: float  # percent of the analysis
    rob: Rob
    ci_low: float  # analysis scale
    ci_high: float


@dataclass(frozen=True)
class OutcomeEvidence:
    """What the rules read about one outcome's analysis (analysis scale: log for ratios)."""

    outcome: str
    ratio: bool
    continuous: bool
    k: int
    participants: int
    estimate: float
    ci_low: float
    ci_high: float
    i2: float | None
    prediction_interval: tuple[float, float] | None
    studies: tuple[StudyEvidence, ...]
    design: Judgement = Judgement.RANDOMISED
    egger_p: float | None = None
    trim_fill_k0: int | None = None
    control_risk: float | None = None
    thresholds: tuple[float, float] | None = None  # natural scale, as the review sets them
    ois: int | None = None  # review-set optimal information size


@dataclass(frozen=True)
class Suggestion:
    domain: Domain
    judgement: Judgement | None  # None: a person has to judge
    rule: Rule
    reason: str


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def risk_of_bias(ev: OutcomeEvidence) -> Suggestion:
    total = sum(s.weight for s in ev.studies) or 1.0
    high = sum(s.weight for s in ev.studies if s.rob is Rob.HIGH) / total
    concern = sum(s.weight for s in ev.studies if s.rob is not Rob.LOW) / total
    d = Domain.RISK_OF_BIAS
    if high >= ROB_HIGH_SHARE_VERY_SERIOUS:
        return Suggestion(d, Judgement.VERY_SERIOUS, Rule.ROB_MOSTLY_HIGH,
                          f"{_pct(high)} of the weight is from studies at high risk of bias")
    if concern >= ROB_CONCERN_SHARE_SERIOUS:
        return Suggestion(d, Judgement.SERIOUS, Rule.ROB_MOSTLY_CONCERNS,
                          f"{_pct(concern)} of the weight is from studies at high or unclear "
                          f"risk of bias ({_pct(high)} high)")
    return Suggestion(d, Judgement.NOT_SERIOUS, Rule.ROB_MOSTLY_LOW,
                      f"{_pct(1 - concern)} of the weight is from studies at low risk of bias")


def non_overlap_share(studies: tuple[StudyEvidence, ...]) -> float:
    pairs = list(combinations(studies, 2))
    if not pairs:
        return 0.0
    apart = sum(1 for a, b in pairs if a.ci_high < b.ci_low or b.ci_high < a.ci_low)
    return apart / len(pairs)


def inconsistency(ev: OutcomeEvidence) -> Suggestion:
    d = Domain.INCONSISTENCY
    if ev.k < 2 or ev.i2 is None:
        return Suggestion(d, Judgement.NOT_SERIOUS, Rule.SINGLE_STUDY,
                          "one study: inconsistency cannot be assessed")
    apart = non_overlap_share(ev.studies)
    i2 = f"I² = {ev.i2:.0f}%"
    if ev.i2 >= I2_VERY_SERIOUS and apart >= NON_OVERLAP_VERY_SERIOUS:
        return Suggestion(d, Judgement.VERY_SERIOUS, Rule.I2_CONSIDERABLE_NO_OVERLAP,
                          f"{i2} and {_pct(apart)} of study pairs have CIs that do not overlap")
    if ev.i2 >= I2_SERIOUS:
        return Suggestion(d, Judgement.SERIOUS, Rule.I2_SUBSTANTIAL,
                          f"{i2} (substantial heterogeneity)")
    pi = ev.prediction_interval
    ci_clear = ev.ci_low > 0 or ev.ci_high < 0
    if pi is not None and ci_clear and pi[0] < 0 < pi[1]:
        return Suggestion(d, Judgement.SERIOUS, Rule.PI_CROSSES_NULL,
                          f"{i2}, but the prediction interval includes no effect")
    return Suggestion(d, Judgement.NOT_SERIOUS, Rule.CONSISTENT,
                      f"{i2}; study CIs overlap")


def optimal_information_size(ev: OutcomeEvidence) -> tuple[int, str]:
    """Participants needed (both arms) and how the number was reached."""
    if ev.ois is not None:
        return ev.ois, "set by the review"
    if ev.continuous or ev.control_risk is None or not 0 < ev.control_risk < 1:
        return OIS_CONTINUOUS, "GRADE's rule of thumb for continuous outcomes"
    p0 = ev.control_risk
    p1 = p0 * (1 - OIS_RRR)
    z = float(ndtri(1 - OIS_ALPHA / 2) + ndtri(OIS_POWER))
    per_arm = z * z * (p0 * (1 - p0) + p1 * (1 - p1)) / (p0 - p1) ** 2
    return 2 * math.ceil(per_arm), (f"RRR {_pct(OIS_RRR)} from a control risk of {_pct(p0)}, "
                                    f"alpha {OIS_ALPHA}, power {OIS_POWER}")


def _thresholds(ev: OutcomeEvidence) -> tuple[float, float] | None:
    if ev.thresholds is None:
        return None
    lo, hi = sorted(ev.thresholds)
    if ev.ratio:
        return math.log(lo), math.log(hi)
    return lo, hi


def imprecision(ev: OutcomeEvidence) -> Suggestion:
    d = Domain.IMPRECISION
    limits = _thresholds(ev)
    if limits is not None:
        crossed = [t for t in limits if ev.ci_low < t < ev.ci_high]
        shown = " and ".join(f"{math.exp(t) if ev.ratio else t:g}" for t in crossed)
        if len(crossed) == 2:
            return Suggestion(d, Judgement.VERY_SERIOUS, Rule.CI_CROSSES_BOTH_THRESHOLDS,
                              f"the CI crosses both decision thresholds ({shown})")
        if crossed:
            return Suggestion(d, Judgement.SERIOUS, Rule.CI_CROSSES_ONE_THRESHOLD,
                              f"the CI crosses the decision threshold {shown}")
    elif ev.ci_low < 0 < ev.ci_high:
        return Suggestion(d, Judgement.SERIOUS, Rule.CI_CROSSES_NULL,
                          "the CI includes no effect (the review set no decision thresholds)")
    ois, how = optimal_information_size(ev)
    if ev.participants < ois:
        return Suggestion(d, Judgement.SERIOUS, Rule.BELOW_OIS,
                          f"{ev.participants} participants, fewer than the optimal information "
                          f"size of {ois} ({how})")
    return Suggestion(d, Judgement.NOT_SERIOUS, Rule.PRECISE,
                      f"the CI stays on one side of the thresholds and {ev.participants} "
                      f"participants meet the optimal information size of {ois}")


def publication_bias(ev: OutcomeEvidence) -> Suggestion:
    d = Domain.PUBLICATION_BIAS
    if ev.k < MIN_STUDIES_FOR_TESTS or ev.egger_p is None:
        return Suggestion(d, Judgement.NOT_SERIOUS, Rule.TOO_FEW_FOR_TESTS,
                          f"{plural(ev.k, 'study')}: funnel plot and Egger's test need "
                          f"{MIN_STUDIES_FOR_TESTS} or more; judge from the search")
    fill = ""
    if ev.trim_fill_k0:
        fill = f"; trim-and-fill estimates {ev.trim_fill_k0} missing"
    if ev.egger_p < EGGER_ALPHA:
        return Suggestion(d, Judgement.SERIOUS, Rule.EGGER_ASYMMETRY,
                          f"funnel asymmetry: Egger's test P = {ev.egger_p:.3f}{fill}")
    return Suggestion(d, Judgement.NOT_SERIOUS, Rule.NO_ASYMMETRY,
                      f"no funnel asymmetry detected (Egger's test P = {ev.egger_p:.3f}){fill}")


def large_effect(ev: OutcomeEvidence) -> Suggestion:
    d = Domain.LARGE_EFFECT
    if ev.design is Judgement.RANDOMISED:
        return Suggestion(d, Judgement.NO_UPGRADE, Rule.RANDOMISED_NO_UPGRADE,
                          "randomised evidence is not upgraded")
    if not ev.ratio:
        return Suggestion(d, None, Rule.NEEDS_PERSON, "judge the size of a continuous effect")
    near = min(abs(ev.ci_low), abs(ev.ci_high)) if ev.ci_low * ev.ci_high > 0 else 0.0
    if near >= math.log(VERY_LARGE_RATIO):
        return Suggestion(d, Judgement.UPGRADE_TWO, Rule.VERY_LARGE_EFFECT,
                          f"the whole CI lies beyond a ratio of {VERY_LARGE_RATIO:g}")
    if near >= math.log(LARGE_RATIO):
        return Suggestion(d, Judgement.UPGRADE_ONE, Rule.LARGE_EFFECT,
                          f"the whole CI lies beyond a ratio of {LARGE_RATIO:g}")
    return Suggestion(d, Judgement.NO_UPGRADE, Rule.NO_LARGE_EFFECT,
                      f"the CI reaches within a ratio of {LARGE_RATIO:g}")


def _needs_person(domain: Domain, what: str) -> Suggestion:
    return Suggestion(domain, None, Rule.NEEDS_PERSON, what)


RULES = {
    Domain.RISK_OF_BIAS: risk_of_bias,
    Domain.INCONSISTENCY: inconsistency,
    Domain.INDIRECTNESS: lambda ev: _needs_person(
        Domain.INDIRECTNESS, "compare the studies' population, intervention, comparator and "
        "outcome with the review question"),
    Domain.IMPRECISION: imprecision,
    Domain.PUBLICATION_BIAS: publication_bias,
    Domain.LARGE_EFFECT: large_effect,
    Domain.DOSE_RESPONSE: lambda ev: _needs_person(
        Domain.DOSE_RESPONSE, "look for a gradient across doses (a meta-regression on dose)"),
    Domain.PLAUSIBLE_CONFOUNDING: lambda ev: _needs_person(
        Domain.PLAUSIBLE_CONFOUNDING, "would residual confounding reduce the effect shown?"),
}


def suggest(ev: OutcomeEvidence) -> tuple[Suggestion, ...]:
    """One suggestion per downgrading and upgrading domain, in GRADE's order."""
    return tuple(RULES[d](ev) for d in (*DOWNGRADING, *UPGRADING))
