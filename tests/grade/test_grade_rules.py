"""GRADE certainty arithmetic and the prefilled suggestions' rules."""

from __future__ import annotations

import math

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.grade.certainty import derive_certainty
from reviewflow.grade.domains import Certainty, Domain, Judgement, parse_domain, parse_judgement
from reviewflow.grade.rules import (
    OutcomeEvidence,
    Rob,
    Rule,
    StudyEvidence,
    imprecision,
    inconsistency,
    large_effect,
    optimal_information_size,
    publication_bias,
    risk_of_bias,
    suggest,
)

J = Judgement


@pytest.mark.parametrize(("judged", "expected"), [
    ({}, Certainty.HIGH),
    ({Domain.RISK_OF_BIAS: J.SERIOUS}, Certainty.MODERATE),
    ({Domain.RISK_OF_BIAS: J.SERIOUS, Domain.IMPRECISION: J.VERY_SERIOUS}, Certainty.VERY_LOW),
    ({Domain.INCONSISTENCY: J.VERY_SERIOUS, Domain.IMPRECISION: J.VERY_SERIOUS},
     Certainty.VERY_LOW),
    ({Domain.STUDY_DESIGN: J.NON_RANDOMISED}, Certainty.LOW),
    ({Domain.STUDY_DESIGN: J.NON_RANDOMISED, Domain.LARGE_EFFECT: J.UPGRADE_TWO},
     Certainty.HIGH),
    ({Domain.STUDY_DESIGN: J.NON_RANDOMISED, Domain.LARGE_EFFECT: J.UPGRADE_ONE,
      Domain.RISK_OF_BIAS: J.SERIOUS}, Certainty.VERY_LOW),  # no upgrade after a downgrade
    ({Domain.LARGE_EFFECT: J.UPGRADE_ONE, Domain.RISK_OF_BIAS: J.SERIOUS}, Certainty.MODERATE),
])
def test_certainty_follows_the_judgements(judged, expected) -> None:
    assert derive_certainty(judged) is expected


def test_parsing_names_the_allowed_values() -> None:
    assert parse_domain("publication bias") is Domain.PUBLICATION_BIAS
    assert parse_judgement(Domain.IMPRECISION, "very serious") is J.VERY_SERIOUS
    assert parse_judgement(Domain.LARGE_EFFECT, "+1") is J.UPGRADE_ONE
    with pytest.raises(ReviewflowError, match="not_serious, serious, very_serious"):
        parse_judgement(Domain.IMPRECISION, "upgrade_one")


def ev(**kw) -> OutcomeEvidence:
    studies = kw.pop("studies", (
        StudyEvidence("A", 40, Rob.LOW, -0.5, 0.1), StudyEvidence("B", 35, Rob.LOW, -0.6, 0.0),
        StudyEvidence("C", 25, Rob.HIGH, -0.4, 0.2)))
    base = dict(outcome="x", ratio=True, continuous=False, k=len(studies), participants=900,
                estimate=math.log(0.8), ci_low=math.log(0.7), ci_high=math.log(0.9), i2=10.0,
                prediction_interval=None, studies=studies, control_risk=0.3)
    base.update(kw)
    return OutcomeEvidence(**base)


def test_risk_of_bias_counts_the_weight_not_the_studies() -> None:
    assert risk_of_bias(ev()).rule is Rule.ROB_MOSTLY_LOW
    high = tuple(StudyEvidence(s, w, r, -1, 1) for s, w, r in
                 (("A", 80, Rob.HIGH), ("B", 10, Rob.LOW), ("C", 10, Rob.LOW)))
    s = risk_of_bias(ev(studies=high))
    assert (s.judgement, s.rule) == (J.VERY_SERIOUS, Rule.ROB_MOSTLY_HIGH)
    assert s.reason.startswith("80% of the weight")
    mostly = tuple(StudyEvidence(s, w, r, -1, 1) for s, w, r in
                   (("A", 60, Rob.HIGH), ("B", 20, Rob.LOW), ("C", 20, Rob.LOW)))
    assert risk_of_bias(ev(studies=mostly)).rule is Rule.ROB_MOSTLY_CONCERNS
    unclear = tuple(StudyEvidence(s, w, r, -1, 1) for s, w, r in
                    (("A", 30, Rob.CONCERNS), ("B", 25, Rob.UNKNOWN), ("C", 45, Rob.LOW)))
    assert risk_of_bias(ev(studies=unclear)).judgement is J.SERIOUS


def test_inconsistency_reads_i2_overlap_and_the_prediction_interval() -> None:
    assert inconsistency(ev()).judgement is J.NOT_SERIOUS
    assert inconsistency(ev(i2=60.0)).rule is Rule.I2_SUBSTANTIAL
    apart = (StudyEvidence("A", 50, Rob.LOW, -2, -1), StudyEvidence("B", 50, Rob.LOW, 1, 2))
    assert inconsistency(ev(i2=90.0, studies=apart)).judgement is J.VERY_SERIOUS
    pi = inconsistency(ev(i2=30.0, prediction_interval=(-0.9, 0.2)))
    assert pi.rule is Rule.PI_CROSSES_NULL and pi.judgement is J.SERIOUS


def test_imprecision_uses_the_reviews_thresholds_then_the_ois() -> None:
    assert imprecision(ev(thresholds=(0.75, 1.25))).rule is Rule.CI_CROSSES_ONE_THRESHOLD
    wide = ev(ci_low=math.log(0.5), ci_high=math.log(1.5), thresholds=(0.75, 1.25))
    assert imprecision(wide).judgement is J.VERY_SERIOUS
    null = imprecision(ev(ci_high=math.log(1.1)))
    assert null.rule is Rule.CI_CROSSES_NULL
    small = imprecision(ev(participants=200))
    assert small.rule is Rule.BELOW_OIS and small.judgement is J.SERIOUS
    assert imprecision(ev(participants=2000)).judgement is J.NOT_SERIOUS


def test_optimal_information_size_for_a_25_percent_relative_reduction() -> None:
    # p0 = 0.3, p1 = 0.225: (1.96 + 0.8416)^2 (0.21 + 0.174375) / 0.075^2 = 536.2 per arm
    n, how = optimal_information_size(ev(control_risk=0.3))
    assert n == 2 * 537 and "RRR 25%" in how
    assert optimal_information_size(ev(continuous=True, ratio=False))[0] == 400
    assert optimal_information_size(ev(ois=123))[0] == 123


def test_publication_bias_needs_ten_studies() -> None:
    assert publication_bias(ev(egger_p=0.01)).rule is Rule.TOO_FEW_FOR_TESTS
    many = ev(k=12, egger_p=0.03, trim_fill_k0=3)
    s = publication_bias(many)
    assert s.judgement is J.SERIOUS and "3 missing" in s.reason
    assert publication_bias(ev(k=12, egger_p=0.4)).judgement is J.NOT_SERIOUS


def test_large_effect_upgrades_non_randomised_evidence_only() -> None:
    big = dict(estimate=math.log(0.15), ci_low=math.log(0.1), ci_high=math.log(0.19))
    assert large_effect(ev(**big)).judgement is J.NO_UPGRADE
    assert large_effect(ev(design=J.NON_RANDOMISED, **big)).judgement is J.UPGRADE_TWO
    assert large_effect(ev(design=J.NON_RANDOMISED, estimate=math.log(0.3),
                           ci_low=math.log(0.2), ci_high=math.log(0.45))).judgement is \
        J.UPGRADE_ONE


def test_suggest_covers_every_domain_and_leaves_indirectness_to_a_person() -> None:
    out = {s.domain: s for s in suggest(ev())}
    assert len(out) == 8
    assert out[Domain.INDIRECTNESS].judgement is None
    assert out[Domain.INDIRECTNESS].rule is Rule.NEEDS_PERSON


def test_settings_parse_and_refuse_with_the_table_named() -> None:
    from reviewflow.grade.settings import parse_settings

    got = parse_settings('[grade.vas]\nthresholds = [0.8, 1.25]\nassumed_risk = "pooled"\n'
                         'design = "non_randomised"\nois = 300\n')["vas"]
    assert (got.thresholds, got.assumed_risk, got.assumed_from, got.design, got.ois) == (
        (0.8, 1.25), None, "pooled", J.NON_RANDOMISED, 300)
    for bad, message in (('thresholds = [1]', "two numbers"), ('assumed_risk = 2', "proportion"),
                         ('colour = "red"', "unknown key"), ('design = "cohort"', "design")):
        with pytest.raises(ReviewflowError, match=message) as exc:
            parse_settings(f"[grade.vas]\n{bad}\n", "a.toml")
        assert "a.toml, [grade.vas]" in str(exc.value)
