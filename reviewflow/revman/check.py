"""Re-run every analysis of a RevMan file and compare with what RevMan stored.

Tolerances, and why:

* RevMan writes its results as full doubles (Java's shortest round-trip
  form), so numbers are compared to a relative 1e-9 (absolute 1e-9 near
  zero): differences of summation order are ~1e-15, a formula difference is
  far larger.
* P values: RevMan's normal and chi-squared tail probabilities come from its
  own approximation, which runs slightly above the exact tail (by up to about
  5e-7, largest near P = 0.5), so P is compared with an absolute 5e-7.
* Where a statistic is undefined (I-squared and the chi-squared P with one
  study, df = 0) it is not compared: RevMan stores 0, or an I-squared of 100
  when rounding leaves its chi-squared a hair above 0 (1.9e-30 in CD003188).
* Study weights are those RevMan shows: percent of the total (totals on),
  percent of the subgroup (subtotals only), or 0 (no totals).
* Outcomes that RevMan never calculated (no stored effect), or that have no
  study with data, are listed as skipped, never as agreeing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from reviewflow.errors import ReviewflowError
from reviewflow.pooling.analysis import StudyTable, analyse
from reviewflow.pooling.estimators import z_crit
from reviewflow.pooling.types import MetaAnalysisResult, Pooled
from reviewflow.revman.engine_input import EngineInput, engine_input
from reviewflow.revman.model import Outcome, RevManFile, Stored, Totals

P_FIELDS = frozenset({"P", "P chi2", "P diff"})


@dataclass(frozen=True)
class Tolerance:
    relative: float
    absolute: float
    p: float


# .rm5: full doubles. RevMan CSV exports: rounded to 8 decimals (half a unit
# of the last place, plus a hair for the binary representation).
RM5_TOLERANCE = Tolerance(relative=1e-9, absolute=1e-9, p=5e-7)
CSV_TOLERANCE = Tolerance(relative=1e-9, absolute=5.0001e-9, p=5e-7 + 5.0001e-9)


class Verdict(StrEnum):
    AGREES = "agrees"
    DIFFERS = "differs"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Difference:
    where: str  # "total", "subgroup <name>", "study <name>", "subgroup differences"
    field: str
    stored: float | bool | None
    ours: float | bool | None


@dataclass(frozen=True)
class OutcomeCheck:
    label: str  # "1.2"
    name: str
    verdict: Verdict
    compared: int  # numbers compared
    differences: tuple[Difference, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class FileCheck:
    source: str
    outcomes: tuple[OutcomeCheck, ...]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for o in self.outcomes if o.verdict is verdict)

    @property
    def agrees(self) -> bool:
        return self.count(Verdict.DIFFERS) == 0


def close(field: str, stored: float, ours: float, tol: Tolerance = RM5_TOLERANCE) -> bool:
    if math.isnan(stored) and math.isnan(ours):
        return True
    if field in P_FIELDS:
        return abs(stored - ours) <= tol.p
    return abs(stored - ours) <= max(tol.absolute, tol.relative * max(abs(stored), abs(ours)))


class _Comparer:
    def __init__(self, ratio: bool, tol: Tolerance) -> None:
        self.ratio = ratio
        self.tol = tol
        self.diffs: list[Difference] = []
        self.compared = 0

    def natural(self, x: float) -> float:
        return math.exp(x) if self.ratio else x

    def number(self, where: str, field: str, stored: float | None, ours: float) -> None:
        if stored is None:
            return
        self.compared += 1
        if not close(field, stored, ours, self.tol):
            self.diffs.append(Difference(where, field, stored, ours))

    def flag(self, where: str, stored: bool | None, ours: bool) -> None:
        if stored is None:
            return
        self.compared += 1
        if stored != ours:
            self.diffs.append(Difference(where, "estimable", stored, ours))

    def pooled(self, where: str, stored: Stored, pooled: Pooled | None) -> None:
        ours_estimable = pooled is not None and pooled.estimable
        self.flag(where, stored.estimable, ours_estimable)
        if not (stored.estimable and ours_estimable):
            return
        assert pooled is not None
        het = pooled.heterogeneity
        df0 = het.df <= 0
        self.number(where, "effect", stored.effect, self.natural(pooled.estimate))
        self.number(where, "CI start", stored.ci_start, self.natural(pooled.ci_low))
        self.number(where, "CI end", stored.ci_end, self.natural(pooled.ci_high))
        self.number(where, "Z", stored.z, abs(pooled.z))
        self.number(where, "P", stored.p_z, pooled.p)
        self.number(where, "chi2", stored.chi2, het.q)
        self.number(where, "df", stored.df, float(het.df))
        if not df0:
            self.number(where, "P chi2", stored.p_chi2, het.p)
        if not df0:
            self.number(where, "I2", stored.i2, het.i2)
        tau2 = stored.tau2
        self.number(where, "tau2", None if tau2 is None or math.isnan(tau2) else tau2, het.tau2)


def shown_weights(inp: EngineInput, result: MetaAnalysisResult, totals: Totals) -> list[float]:
    """Study weights as RevMan shows them for its TOTALS setting."""
    if totals is Totals.YES:
        return [s.weight for s in result.studies]
    if totals is Totals.NO or inp.table.subgroups is None:
        return [0.0] * len(inp.rows)
    out = [0.0] * len(inp.rows)
    groups = inp.table.subgroups
    for gid in dict.fromkeys(groups):
        idx = np.flatnonzero(np.array([g == gid for g in groups]))
        sub = StudyTable(inp.table.data_type, tuple(inp.table.studies[i] for i in idx),
                         {k: v[idx] for k, v in inp.table.columns.items()}, None)
        for i, s in zip(idx, analyse(sub, inp.options).studies, strict=True):
            out[i] = s.weight
    return out


def _compare_studies(cmp: _Comparer, inp: EngineInput, result: MetaAnalysisResult,
                     outcome: Outcome, names: dict[str, str]) -> None:
    ci = outcome.settings.ci_study
    crit = z_crit(ci / 100)
    weights = shown_weights(inp, result, outcome.settings.totals)
    for row, study, weight in zip(inp.rows, result.studies, weights, strict=True):
        where = f"study {names.get(row.study_id, row.study_id)}"
        s = row.stored
        cmp.flag(where, s.estimable, study.estimable)
        if not (s.estimable and study.estimable):
            continue
        cmp.number(where, "effect", s.effect, cmp.natural(study.estimate))
        cmp.number(where, "CI start", s.ci_start, cmp.natural(study.estimate - crit * study.se))
        cmp.number(where, "CI end", s.ci_end, cmp.natural(study.estimate + crit * study.se))
        cmp.number(where, "weight", s.weight, weight)


def _skip(label: str, outcome: Outcome, reason: str) -> OutcomeCheck:
    return OutcomeCheck(label, outcome.name, Verdict.SKIPPED, 0, reason=reason)


def check_outcome(label: str, outcome: Outcome, names: dict[str, str],
                  tol: Tolerance = RM5_TOLERANCE) -> OutcomeCheck:
    if outcome.stored.effect is None and all(
            s.stored.effect is None for s in outcome.subgroups) and all(
            r.stored.effect is None for r in outcome.all_rows()):
        return _skip(label, outcome, "RevMan never calculated this outcome")
    try:
        inp = engine_input(outcome, names)
        if inp is None:
            return _skip(label, outcome, "no study has data")
        result = analyse(inp.table, inp.options)
    except ReviewflowError as exc:
        return OutcomeCheck(label, outcome.name, Verdict.DIFFERS, 0,
                            reason=f"the engine refused: {exc}")
    cmp = _Comparer(result.ratio, tol)
    _compare_studies(cmp, inp, result, outcome, names)
    totals = outcome.settings.totals
    if totals is Totals.YES:
        cmp.pooled("total", outcome.stored, result.overall)
    if outcome.has_subgroups and totals is not Totals.NO:
        ours = {s.name: s for s in result.subgroups}
        for sub in outcome.subgroups:
            if not sub.rows:
                continue
            mine = ours.get(sub.id)
            cmp.pooled(f"subgroup {sub.name}", sub.stored, mine.pooled if mine else None)
            if mine is not None and sub.stored.estimable and totals is Totals.YES:
                cmp.number(f"subgroup {sub.name}", "weight", sub.stored.weight, mine.weight)
        _compare_test(cmp, outcome, result)
    verdict = Verdict.DIFFERS if cmp.diffs else Verdict.AGREES
    return OutcomeCheck(label, outcome.name, verdict, cmp.compared, tuple(cmp.diffs))


def _compare_test(cmp: _Comparer, outcome: Outcome, result: MetaAnalysisResult) -> None:
    test = outcome.subgroup_test
    if test is None or not outcome.settings.subgroup_test:
        return
    diff = result.subgroup_difference
    if diff is None:
        return
    where = "subgroup differences"
    cmp.number(where, "chi2", test.q, diff.q)
    cmp.number(where, "P diff", test.p, diff.p)
    cmp.number(where, "I2", test.i2, diff.i2)


def check_file(review: RevManFile, tol: Tolerance = RM5_TOLERANCE) -> FileCheck:
    names = review.study_names()
    checks = []
    for comparison, outcome in review.outcomes():
        label = f"{comparison.no}.{outcome.no}"
        if not review.calculated:
            checks.append(_skip(label, outcome, "the file stores no calculated results"))
            continue
        checks.append(check_outcome(label, outcome, names, tol))
    return FileCheck(review.source, tuple(checks))
