"""Certainty of the evidence from the judgements (GRADE Handbook 5; Cochrane Handbook 14.2).

Randomised trials start at high certainty and non-randomised studies at low;
each serious concern moves one level down and each very serious one two;
the upgrading domains move non-randomised evidence up (GRADE upgrades only
evidence that no domain has downgraded). The rating never leaves very low..high.
"""

from __future__ import annotations

from collections.abc import Mapping

from reviewflow.grade.domains import (
    DOWNGRADING,
    STEPS,
    UPGRADING,
    Certainty,
    Domain,
    Judgement,
)


def starting_certainty(design: Judgement) -> Certainty:
    return Certainty.HIGH if design is Judgement.RANDOMISED else Certainty.LOW


def derive_certainty(judgements: Mapping[Domain, Judgement]) -> Certainty:
    """Unjudged downgrading domains count as not serious; the design defaults to RCTs."""
    design = judgements.get(Domain.STUDY_DESIGN, Judgement.RANDOMISED)
    level = int(starting_certainty(design))
    down = sum(STEPS[judgements[d]] for d in DOWNGRADING if d in judgements)
    level += down
    if design is Judgement.NON_RANDOMISED and down == 0:
        level += sum(STEPS[judgements[d]] for d in UPGRADING if d in judgements)
    return Certainty(min(4, max(1, level)))


def downgrades(judgements: Mapping[Domain, Judgement]) -> list[tuple[Domain, Judgement]]:
    """The domains that lowered the rating, in GRADE's order (for footnotes)."""
    return [(d, judgements[d]) for d in DOWNGRADING
            if d in judgements and STEPS[judgements[d]] < 0]
