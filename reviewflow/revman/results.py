"""The engine's results for a review, as the :class:`Stored` numbers RevMan would keep.

A RevMan Web data package carries each study's and each total's result beside the
data; an export computes them here (the engine run with RevMan's settings, weights
as RevMan shows them for its totals setting), the same numbers the ``.rm5`` writer
puts in ``CALCULATED_DATA``.
"""

from __future__ import annotations

import math
from dataclasses import replace

from reviewflow.pooling.analysis import analyse
from reviewflow.pooling.estimators import z_crit
from reviewflow.pooling.types import MetaAnalysisResult, Pooled
from reviewflow.revman.check import shown_weights
from reviewflow.revman.engine_input import engine_input
from reviewflow.revman.model import Outcome, RevManFile, Stored, SubgroupTest, Totals

NOT_ESTIMABLE = Stored(estimable=False)


def _scale(outcome: Outcome, result: MetaAnalysisResult):
    """RevMan keeps effects on the scale it shows: ratios, not their logs."""
    return math.exp if result.ratio else (lambda x: x)


def _pooled(outcome: Outcome, result: MetaAnalysisResult, p: Pooled | None,
            weight: float | None) -> Stored:
    if p is None or not p.estimable:
        return NOT_ESTIMABLE
    nat = _scale(outcome, result)
    h = p.heterogeneity
    df0 = h.df <= 0
    return Stored(estimable=True, effect=nat(p.estimate), ci_start=nat(p.ci_low),
                  ci_end=nat(p.ci_high), weight=weight, z=abs(p.z), p_z=p.p, chi2=h.q,
                  df=float(h.df), p_chi2=1.0 if df0 else h.p, i2=0.0 if df0 else h.i2,
                  tau2=h.tau2, studies=p.k)


def outcome_with_results(outcome: Outcome, names: dict[str, str]) -> Outcome:
    """The outcome with every study's, subgroup's and the total's result filled in."""
    inp = engine_input(outcome, names)
    if inp is None:
        return replace(outcome, stored=NOT_ESTIMABLE)
    result = analyse(inp.table, inp.options)
    totals = outcome.settings.totals
    nat = _scale(outcome, result)
    crit = z_crit(outcome.settings.ci_study / 100)
    weights = shown_weights(inp, result, totals)
    per_row = {}
    for row, s, w in zip(inp.rows, result.studies, weights, strict=True):
        per_row[id(row)] = NOT_ESTIMABLE if not s.estimable else Stored(
            estimable=True, effect=nat(s.estimate), ci_start=nat(s.estimate - crit * s.se),
            ci_end=nat(s.estimate + crit * s.se), weight=w, se=s.se)

    def rows(rs):
        return tuple(replace(r, stored=per_row.get(id(r), NOT_ESTIMABLE)) for r in rs)

    mine = {g.name: g for g in result.subgroups}
    subgroups = []
    for g in outcome.subgroups:
        got = mine.get(g.id)
        weight = (got.weight if totals is Totals.YES else 100.0) if got else 0.0
        stored = _pooled(outcome, result, got.pooled if got else None, weight) \
            if totals is not Totals.NO else NOT_ESTIMABLE
        subgroups.append(replace(g, rows=rows(g.rows), stored=stored))
    test = None
    if outcome.has_subgroups and result.subgroup_difference is not None:
        d = result.subgroup_difference
        test = SubgroupTest(d.q, d.p, d.i2)
    overall = _pooled(outcome, result, result.overall, 100.0) \
        if totals is Totals.YES else NOT_ESTIMABLE
    return replace(outcome, rows=rows(outcome.rows), subgroups=tuple(subgroups),
                   stored=overall, subgroup_test=test)


def with_results(review: RevManFile) -> RevManFile:
    names = review.study_names()
    return replace(review, calculated=True, comparisons=tuple(
        replace(c, outcomes=tuple(outcome_with_results(o, names) for o in c.outcomes))
        for c in review.comparisons))

