"""Numbers as RevMan 5 prints them, shared by the text table, plots and TUI.

Reviewers check our output against RevMan's line by line, so the rounding and
wording (e.g. "P < 0.00001", "I² = 92%") follow RevMan's forest plots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reviewflow.pooling.types import (
    DataType,
    Heterogeneity,
    Measure,
    MetaAnalysisResult,
    Model,
    Options,
    Pooled,
    StudyEffect,
    SubgroupDifference,
)

MEASURE_NAMES = {
    Measure.RR: "Risk Ratio",
    Measure.OR: "Odds Ratio",
    Measure.HR: "Hazard Ratio",
    Measure.RD: "Risk Difference",
    Measure.MD: "Mean Difference",
    Measure.SMD: "Std. Mean Difference",
    Measure.RATIO: "Ratio",
    Measure.DIFFERENCE: "Difference",
}


def short_measure_name(measure: str, label: str = "") -> str:
    """The measure where a line or a column is short: its code (SMD, HR), a generic
    RATIO or DIFFERENCE by its author's name ("Ratio of means") or as "Ratio"."""
    if measure in (Measure.RATIO, Measure.DIFFERENCE):
        return label or str(measure).capitalize()
    return str(measure)


def measure_name(options: Options) -> str:
    """The measure as every output names it: the author's own name of a generic
    measure ("Ratio of means") when given, else RevMan's standard one."""
    return options.measure_label or MEASURE_NAMES[options.measure]


def format_p(p: float) -> str:
    """'P = 0.04', 'P = 0.002', 'P = 0.0003', 'P < 0.0001', 'P < 0.00001' as in RevMan."""
    if not math.isfinite(p):
        return "P not applicable"
    if p < 0.00001:
        return "P < 0.00001"
    if p < 0.0001:
        return "P < 0.0001"
    if p >= 0.01:
        return f"P = {p:.2f}"
    digits = -math.floor(math.log10(p))
    return f"P = {p:.{digits}f}"


def level_is_valid(level: float) -> bool:
    """One rule for analyses.toml's `level` and `pool --level`: a confidence level
    below 50% is a typo (0.05 meant as alpha), not a choice a review makes."""
    return 0.5 <= level < 1  # NaN fails both comparisons


def level_percent(level: float) -> str:
    """'95', '90', '97.5': the confidence level as every CI label prints it, so a
    review that pools at 90% never labels a 90% interval as a 95% one."""
    return f"{round(level * 100, 6):g}"


def ci_label(result: MetaAnalysisResult) -> str:
    """'95% CI' at the analysis's level (RevMan: 'Total (90% CI)', 'IV, Random, 90% CI')."""
    return f"{level_percent(result.options.level)}% CI"


def value(result: MetaAnalysisResult, x: float) -> float:
    return math.exp(x) if result.ratio else x


def format_effect(result: MetaAnalysisResult, est: float, low: float, high: float) -> str:
    if not math.isfinite(est):
        return "Not estimable"
    v = [value(result, x) for x in (est, low, high)]
    return f"{v[0]:.2f} [{v[1]:.2f}, {v[2]:.2f}]"


def effect_of(result: MetaAnalysisResult, p: Pooled | StudyEffect) -> str:
    return format_effect(result, p.estimate, p.ci_low, p.ci_high)


def heterogeneity_line(h: Heterogeneity, random: bool) -> str:
    if h.df == 0:
        return "Heterogeneity: Not applicable"
    tau = f"Tau² = {h.tau2:.2f}; " if random else ""
    return (f"Heterogeneity: {tau}Chi² = {h.q:.2f}, df = {h.df} ({format_p(h.p)}); "
            f"I² = {h.i2:.0f}%")


def overall_line(p: Pooled, hksj: bool = False) -> str:
    if not p.estimable:
        return "Test for overall effect: Not applicable"
    stat = "t" if hksj else "Z"
    return f"Test for overall effect: {stat} = {abs(p.z):.2f} ({format_p(p.p)})"


def difference_line(d: SubgroupDifference) -> str:
    return (f"Test for subgroup differences: Chi² = {d.q:.2f}, df = {d.df} "
            f"({format_p(d.p)}), I² = {d.i2:.1f}%")


def prediction_line(result: MetaAnalysisResult) -> str | None:
    pi = result.overall.prediction_interval
    if pi is None:
        return None
    lo, hi = value(result, pi[0]), value(result, pi[1])
    return f"{level_percent(result.options.level)}% prediction interval: {lo:.2f} to {hi:.2f}"


DEFAULT_GROUPS = ("Experimental", "Control")  # RevMan's own defaults


def arm_headers(result: MetaAnalysisResult, groups: tuple[str, str] = DEFAULT_GROUPS
                ) -> tuple[list[str], list[str]]:
    """(group labels, column labels) of the per-arm data columns.

    ``groups`` names the two arms over their columns (RevMan lets the review
    rename them, e.g. "MSC" / "Control"); generic inverse variance has no arms.
    """
    if result.data_type is DataType.DICHOTOMOUS:
        return list(groups), ["Events", "Total", "Events", "Total"]
    if result.data_type is DataType.CONTINUOUS:
        return list(groups), ["Mean", "SD", "Total", "Mean", "SD", "Total"]
    short = short_measure_name(result.options.measure, result.options.measure_label)
    scale = f"log[{short}]" if result.ratio else short
    return ["", ""], [scale, "SE"]


def arm_cells(result: MetaAnalysisResult, s: StudyEffect,
              entered: Sequence[str | None] | None = None) -> list[str]:
    """The study's data columns: each as entered when known (RevMan shows "7.0" as
    typed), else counts as whole numbers and means/SDs to four significant digits."""
    d = s.data
    if result.data_type is DataType.DICHOTOMOUS:
        cells = [f"{d[0]:g}", f"{d[1]:g}", f"{d[2]:g}", f"{d[3]:g}"]
    elif result.data_type is DataType.CONTINUOUS:
        cells = [f"{d[0]:.4g}", f"{d[1]:.4g}", f"{d[2]:g}",
                 f"{d[3]:.4g}", f"{d[4]:.4g}", f"{d[5]:g}"]
    else:
        cells = [f"{d[0]:.4f}", f"{d[1]:.4f}"]
    if entered is not None and len(entered) == len(cells):
        cells = [text if text is not None else cell for text, cell in zip(entered, cells,
                                                                           strict=True)]
    return cells


def is_random(result: MetaAnalysisResult) -> bool:
    return result.options.model is Model.RANDOM
