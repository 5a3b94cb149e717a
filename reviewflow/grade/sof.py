"""Summary of findings tables in the Cochrane layout (Handbook chapter 14).

For a dichotomous outcome the relative effect and its CI are applied to an
assumed comparator risk (ACR): the review's value, else the median
control-arm risk of the studies (or their pooled risk, if the review says so),
giving the corresponding intervention risk per 1,000 and the absolute
difference, each with the CI carried over from the relative effect
(Handbook 14.1.5.1):

    RR: CIR = ACR x RR;   OR: CIR = OR x ACR / (1 - ACR + OR x ACR);   RD: CIR = ACR + RD

Continuous outcomes are shown as the MD (or SMD) with the comparator mean.
Certainty and its footnotes come from the GRADE judgements in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewflow.grade.certainty import derive_certainty, downgrades
from reviewflow.grade.domains import (
    JUDGEMENT_LABELS,
    LABELS,
    STEPS,
    UPGRADING,
    Certainty,
    Domain,
    Judgement,
)
from reviewflow.pooling.formatting import level_percent, short_measure_name


@dataclass(frozen=True)
class AbsoluteEffect:
    """Per 1,000: the assumed risk, the corresponding risk and the difference, with CIs."""

    assumed: float
    corresponding: float
    corresponding_low: float
    corresponding_high: float
    difference: float
    difference_low: float
    difference_high: float


def corresponding_risk(acr: float, measure: str, effect: float) -> float:
    """Intervention risk for comparator risk ``acr`` (0-1) and a natural-scale effect."""
    if measure == "RR":
        return min(1.0, acr * effect)
    if measure == "OR":
        return effect * acr / (1 - acr + effect * acr)
    if measure == "RD":
        return min(1.0, max(0.0, acr + effect))
    raise ValueError(f"no absolute effect for measure {measure}")


def absolute_effect(acr: float, measure: str, estimate: float, ci_low: float,
                    ci_high: float) -> AbsoluteEffect:
    """Natural-scale effect and CI -> per 1,000 (unrounded)."""
    cir = [1000 * corresponding_risk(acr, measure, x) for x in (estimate, ci_low, ci_high)]
    base = 1000 * acr
    lo, hi = sorted(cir[1:])
    return AbsoluteEffect(base, cir[0], lo, hi, cir[0] - base, lo - base, hi - base)


def per_1000(x: float) -> str:
    return f"{round(x):,}"


def difference_text(effect: AbsoluteEffect) -> str:
    """'87 fewer per 1,000 (from 132 fewer to 25 fewer)', GRADEpro's wording."""

    def word(x: float) -> str:
        n = round(x)
        return "0 fewer" if n == 0 else f"{abs(n):,} {'more' if n > 0 else 'fewer'}"

    return (f"{word(effect.difference)} per 1,000 (from {word(effect.difference_low)} to "
            f"{word(effect.difference_high)})")


def mean_difference_text(measure: str, estimate: float, low: float, high: float) -> str:
    """'MD 1.2 lower (1.9 lower to 0.5 lower)' on the outcome's own scale."""

    def word(x: float) -> str:
        return f"{abs(x):.2f} {'higher' if x > 0 else 'lower'}" if round(x, 2) else "0.00"

    prefix = "MD " if measure == "MD" else f"{measure} "  # SMD, or a generic's own name
    return f"{prefix}{word(estimate)} ({word(low)} to {word(high)})"


@dataclass(frozen=True)
class Footnote:
    domain: Domain
    judgement: Judgement
    text: str


@dataclass(frozen=True)
class SofRow:
    analysis: str
    outcome: str
    measure: str
    dichotomous: bool
    estimate: float  # natural scale
    ci_low: float
    ci_high: float
    participants: int
    studies: int
    assumed: str  # "250 per 1,000", or the comparator mean
    assumed_source: str
    corresponding: str
    difference: str
    relative: str
    certainty: Certainty | None
    footnotes: tuple[Footnote, ...]
    comments: str
    absolute: AbsoluteEffect | None = None
    level: float = 0.95  # of the analysis's CIs, which the table's headings name


@dataclass(frozen=True)
class SofInput:
    """One outcome's pooled result and the review's settings, for the table."""

    analysis: str
    outcome: str
    measure: str
    estimate: float  # natural scale
    ci_low: float
    ci_high: float
    participants: int
    studies: int
    control_risks: tuple[float, ...] = ()
    control_events: int = 0
    control_total: int = 0
    assumed_risk: float | None = None
    assumed_from: str = "median"  # or "pooled"
    comparator_mean: str | None = None
    judgements: dict[Domain, Judgement] | None = None
    reasons: dict[Domain, str] | None = None
    comments: str = ""
    level: float = 0.95
    measure_label: str = ""  # a generic RATIO's or DIFFERENCE's own name


def assumed_comparator_risk(row: SofInput) -> tuple[float | None, str]:
    if row.assumed_risk is not None:
        return row.assumed_risk, "set by the review"
    if row.assumed_from == "pooled" and row.control_total:
        return row.control_events / row.control_total, "pooled control-arm risk"
    if row.control_risks:
        ordered = sorted(row.control_risks)
        n = len(ordered)
        mid = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
        return mid, "median control-arm risk"
    return None, "no comparator risk"


def footnotes_for(judgements: dict[Domain, Judgement], reasons: dict[Domain, str]
                  ) -> tuple[Footnote, ...]:
    notes = []
    for domain, judgement in downgrades(judgements):
        levels = "two levels" if STEPS[judgement] == -2 else "one level"
        why = reasons.get(domain) or JUDGEMENT_LABELS[judgement]
        notes.append(Footnote(domain, judgement, f"Downgraded {levels} for "
                              f"{LABELS[domain].lower()}: {why}"))
    for domain in UPGRADING:
        judgement = judgements.get(domain)
        if judgement is not None and STEPS[judgement] > 0:
            levels = "two levels" if STEPS[judgement] == 2 else "one level"
            why = reasons.get(domain) or ""
            notes.append(Footnote(domain, judgement, f"Upgraded {levels} for "
                                  f"{LABELS[domain].lower()}: {why}".rstrip(": ")))
    return tuple(notes)


def sof_row(row: SofInput) -> SofRow:
    dichotomous = row.measure in ("RR", "OR", "RD")
    judgements = row.judgements or {}
    certainty = derive_certainty(judgements) if judgements else None
    notes = footnotes_for(judgements, row.reasons or {})
    common = {"analysis": row.analysis, "outcome": row.outcome, "measure": row.measure,
              "dichotomous": dichotomous, "estimate": row.estimate, "ci_low": row.ci_low,
              "ci_high": row.ci_high, "participants": row.participants, "studies": row.studies,
              "certainty": certainty, "footnotes": notes, "comments": row.comments,
              "level": row.level}
    shown = short_measure_name(row.measure, row.measure_label)
    if row.measure in ("HR", "RATIO"):  # a generic ratio: no risks to take it from
        relative = f"{shown} {row.estimate:.2f} ({row.ci_low:.2f} to {row.ci_high:.2f})"
        return SofRow(**common, assumed="—", assumed_source="", corresponding="—",
                      difference="—", relative=relative)
    if not dichotomous:
        text = mean_difference_text(shown, row.estimate, row.ci_low, row.ci_high)
        return SofRow(**common, assumed=row.comparator_mean or "—",
                      assumed_source="comparator mean" if row.comparator_mean else "",
                      corresponding=text, difference=text, relative="—")
    relative = f"{row.measure} {row.estimate:.2f} ({row.ci_low:.2f} to {row.ci_high:.2f})"
    acr, source = assumed_comparator_risk(row)
    if acr is None:
        return SofRow(**common, assumed="—", assumed_source=source, corresponding="—",
                      difference="—", relative=relative)
    eff = absolute_effect(acr, row.measure, row.estimate, row.ci_low, row.ci_high)
    return SofRow(**common, assumed=f"{per_1000(eff.assumed)} per 1,000", assumed_source=source,
                  corresponding=(f"{per_1000(eff.corresponding)} per 1,000 "
                                 f"({per_1000(eff.corresponding_low)} to "
                                 f"{per_1000(eff.corresponding_high)})"),
                  difference=difference_text(eff), relative=relative, absolute=eff)


@dataclass(frozen=True)
class SofTable:
    comparison: str
    rows: tuple[SofRow, ...]

    def footnote_marks(self) -> list[tuple[str, str]]:
        """(mark, text) in order of first use: a, b, c ... (the same text, the same mark)."""
        seen: dict[str, str] = {}
        for row in self.rows:
            for note in row.footnotes:
                if note.text not in seen:
                    seen[note.text] = _mark(len(seen))
        return [(mark, text) for text, mark in seen.items()]

    def marks_for(self, row: SofRow) -> str:
        lookup = {text: mark for mark, text in self.footnote_marks()}
        return "".join(lookup[n.text] for n in row.footnotes)


def _mark(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def build_tables(rows: Sequence[tuple[str, SofRow]]) -> tuple[SofTable, ...]:
    """Group (comparison, row) pairs into one table per comparison, order kept."""
    grouped: dict[str, list[SofRow]] = {}
    for comparison, row in rows:
        grouped.setdefault(comparison, []).append(row)
    return tuple(SofTable(c, tuple(r)) for c, r in grouped.items())


CERTAINTY_LEGEND = (
    ("High certainty", "we are very confident that the true effect lies close to that of "
     "the estimate of the effect."),
    ("Moderate certainty", "we are moderately confident in the effect estimate: the true "
     "effect is likely to be close to the estimate, but there is a possibility that it is "
     "substantially different."),
    ("Low certainty", "our confidence in the effect estimate is limited: the true effect may "
     "be substantially different from the estimate."),
    ("Very low certainty", "we have very little confidence in the effect estimate: the true "
     "effect is likely to be substantially different from the estimate."),
)

HEADERS = ("Outcome", "Assumed risk with comparator", "Corresponding risk with intervention",
           "Absolute effect ({ci})", "Relative effect ({ci})",
           "Participants (studies)", "Certainty of the evidence (GRADE)", "Comments")


def ci_heading(rows: Sequence[SofRow]) -> str:
    """'95% CI' (or '90% CI') when every row's analysis has that level; plain 'CI' when
    they differ, each row's effect cells then naming their own level."""
    levels = {row.level for row in rows}
    return f"{level_percent(levels.pop())}% CI" if len(levels) == 1 else "CI"


def headers(rows: Sequence[SofRow]) -> tuple[str, ...]:
    ci = ci_heading(rows)
    return tuple(h.format(ci=ci) for h in HEADERS)


def certainty_text(row: SofRow, marks: str = "") -> str:
    if row.certainty is None:
        return "not rated"
    sup = f" {marks}" if marks else ""
    return f"{row.certainty.symbols} {row.certainty.label}{sup}"


def cells(table: SofTable, row: SofRow) -> list[str]:
    """The eight columns as text (CSV, docx and HTML share them)."""
    own = "" if ci_heading(table.rows) != "CI" else f" ({level_percent(row.level)}% CI)"
    effects = [text if text == "—" else text + own for text in (row.difference, row.relative)]
    return [row.outcome, row.assumed, row.corresponding if row.dichotomous else "—",
            *effects, f"{row.participants:,} ({row.studies} "
            f"{'study' if row.studies == 1 else 'studies'})",
            certainty_text(row, table.marks_for(row)), row.comments]


