"""The one place extraction talks to the pooling engine.

Everything the engine is asked for goes through here (pool, JSON form, forest,
funnel, text forest), so a change of the engine's API is a change of this file.
The RevMan-style summary lines and the results table read the engine's frozen
result (natural scale through ``serialize.natural``, the one back-transform).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.extraction.analyses import Analysis
from reviewflow.extraction.form import Form, OutcomeDef
from reviewflow.wording import plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from reviewflow.extraction.reconcile import Reconciled
    from reviewflow.pooling.trial_data import AnalysisInput
    from reviewflow.pooling.types import Heterogeneity, MetaAnalysisResult, Pooled
    from reviewflow.store.reader import Reader

FUNNEL_MIN_STUDIES = 10


@dataclass(frozen=True)
class AnalysisRun:
    """One pooled analysis: its typed input, the engine's result, (``reported_only``)
    the sensitivity run without converted or imputed values, and (:attr:`data`) the
    exact engine CSV."""

    analysis: Analysis
    input: AnalysisInput
    result: MetaAnalysisResult
    summary: dict[str, Any]  # the engine's JSON dict (issue 5's shape) for results.json
    reported_only: AnalysisRun | None = None

    @cached_property
    def data(self) -> pd.DataFrame:
        """The engine CSV as a table, built when first read: pooling does not need it,
        and a command draws its figures before it imports pandas (issue 22)."""
        return self.input.frame()

    @property
    def estimable(self) -> int:
        return sum(1 for s in self.result.studies if s.estimable)

    def marks(self) -> dict[str, Any]:
        """Keyword arguments marking converted/imputed rows in plots and tables."""
        from reviewflow.pooling.trial_data import footnote

        marks = self.input.marks()
        return {"marks": marks, "footnote": footnote(marks)} if marks else {}


def pool(analysis: Analysis, data: AnalysisInput, *, sensitivity: bool = True) -> AnalysisRun:
    """Pool the typed input (and, when asked and it differs, its reported-only subset)."""
    from reviewflow.pooling import meta_analysis, result_to_json_dict

    result = meta_analysis(data.study_table(), **analysis.options())
    summary = result_to_json_dict(result)
    summary["input"] = data.trace()
    other = None
    if sensitivity and analysis.reported_only and data.derived_count:
        kept = data.reported_only()
        if kept.comparisons:
            other = pool(analysis, kept, sensitivity=False)
    return AnalysisRun(analysis, data, result, summary, other)


def pool_declared(reader: Reader, form: Form, analyses: Sequence[Analysis], *,
                  reconciled: Reconciled | None = None) -> list[AnalysisRun]:
    """Each analysis pooled once from the reconciled extraction: the one way every
    screen, command and report section obtains its runs, so the TUI, the CLI and the
    report cannot show two different numbers for one analysis."""
    from reviewflow.extraction.analyses import analysis_input
    from reviewflow.extraction.reconcile import read_reconciled

    rec = reconciled if reconciled is not None else read_reconciled(reader)
    return [pool(a, analysis_input(reader, a, form=form, reconciled=rec)) for a in analyses]


def arm_labels(form: Form, analysis: Analysis) -> tuple[str, str]:
    """The two column headings: the analysis's first intervention and comparator arms."""
    treat, ctrl = analysis.arms(form)
    return form.arm(treat[0]).label, form.arm(ctrl[0]).label


def favours(outcome: OutcomeDef, arms: tuple[str, str]) -> tuple[str, str]:
    """(left, right) labels: the left side favours treatment when lower is better."""
    treat, ctrl = (f"Favours {arms[0]}", f"Favours {arms[1]}")
    return (treat, ctrl) if outcome.direction == "lower_is_better" else (ctrl, treat)


def write_forest(run: AnalysisRun, out: Path, labels: tuple[str, str],
                 arms: tuple[str, str], *, suffix: str = "",
                 entered: dict[str, tuple[str | None, ...]] | None = None, **extra: Any) -> Path:
    """The forest plot, its arm columns headed with the form's arm labels, converted and
    imputed rows marked; ``extra`` (RoB columns, prediction interval) goes to the plot.
    Drawn by :mod:`reviewflow.drawing` (a worker process when the command opened one)."""
    from reviewflow import drawing

    title = (run.analysis.title or run.analysis.name) + suffix
    return drawing.submit("reviewflow.pooling.plots:save_forest_plot", out, run.result, out,
                          title=title, favours=labels, groups=arms, entered=entered,
                          **run.marks(), **extra)


def write_funnel(run: AnalysisRun, out: Path) -> Path | None:
    if run.estimable < FUNNEL_MIN_STUDIES:
        return None
    from reviewflow import drawing

    return drawing.submit("reviewflow.pooling.plots:save_funnel_plot", out, run.result, out,
                          title=run.analysis.title or run.analysis.name)


def text_forest(run: AnalysisRun, form: Form, *,
                entered: dict[str, tuple[str | None, ...]] | None = None, **extra: Any) -> Any:
    """A Rich renderable of the forest plot (for the TUI), its sides and arm columns named
    as in the plots, cells as typed (``entered``); ``extra`` (RoB columns, prediction
    interval: ``analysis_outputs.forest_extras``) as the PNG plot takes them."""
    from reviewflow.pooling.text_forest import text_forest as render

    arms = arm_labels(form, run.analysis)
    return render(run.result, favours=favours(form.outcome(run.analysis.outcome), arms),
                  groups=arms, entered=entered, **run.marks(), **extra)


def table_and_options(run: AnalysisRun) -> tuple[Any, Any]:
    """The engine's table (without subgroups, as leave-one-out, Egger and trim-and-fill
    pool all studies) and options: the one way a pooled run is re-read."""
    from dataclasses import replace

    from reviewflow.pooling import make_options

    opts = make_options(**run.analysis.options())  # type: ignore[arg-type]
    return replace(run.input.study_table(), subgroups=None), opts


def leave_one_out_rows(run: AnalysisRun) -> list[dict[str, Any]]:
    """The analysis re-pooled without each study in turn (natural scale)."""
    from reviewflow.pooling import leave_one_out
    from reviewflow.pooling.serialize import natural

    table, opts = table_and_options(run)
    return [{"omitted": s.study, "estimate": natural(run.result, s.pooled.estimate),
             "ci_low": natural(run.result, s.pooled.ci_low),
             "ci_high": natural(run.result, s.pooled.ci_high), "p": s.pooled.p,
             "i2": s.pooled.heterogeneity.i2, "tau2": s.pooled.heterogeneity.tau2}
            for s in leave_one_out(table, opts)]


def egger_line(run: AnalysisRun) -> str | None:
    """Egger's regression test, reported (as funnel plots are) from 10 studies on."""
    if run.estimable < FUNNEL_MIN_STUDIES:
        return None
    from reviewflow.pooling import egger_for

    table, opts = table_and_options(run)
    e = egger_for(table, opts)
    return f"Egger's test: intercept = {e.intercept:.2f} (SE {e.se:.2f}), t = {e.t:.2f}, " \
           f"df = {e.df} ({fmt_p(e.p)})"


# -- RevMan-style lines, from the typed result ------------------------------------------


@dataclass(frozen=True)
class Block:
    """One pooled estimate as a reader sees it (natural scale; None = not applicable)."""

    name: str
    k: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p: float | None
    heterogeneity: Heterogeneity


def blocks(run: AnalysisRun) -> list[Block]:
    """Each subgroup, then the overall estimate, from the engine's frozen result."""
    from reviewflow.pooling.serialize import natural

    r = run.result

    def block(name: str, k: int, p: Pooled) -> Block:
        return Block(name, k, natural(r, p.estimate), natural(r, p.ci_low),
                     natural(r, p.ci_high), _finite(p.z), _finite(p.p), p.heterogeneity)

    out = [block(g.name, g.pooled.k, g.pooled) for g in r.subgroups]
    out.append(block("Overall", run.estimable, r.overall))
    return out


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def fmt_p(p: float | None) -> str:
    """RevMan's P ('P = 0.002', 'P < 0.00001'), exactly as the engine prints it."""
    from reviewflow.pooling.formatting import format_p

    return "P not applicable" if p is None else format_p(float(p))


def _num(x: float | None, nd: int = 2) -> str:
    return "NA" if x is None else f"{x:.{nd}f}"


def effect_line(measure: str, b: Block, *, level: float) -> str:
    """'SMD = -0.95, 95% CI -1.55 to -0.36, P = 0.002' at the analysis's level ('RR not
    estimable' as RevMan says when no study could be pooled, e.g. no events in any arm)."""
    from reviewflow.pooling.formatting import level_percent

    if b.estimate is None:
        return f"{measure} not estimable"
    return (f"{measure} = {_num(b.estimate)}, {level_percent(level)}% CI {_num(b.ci_low)} to "
            f"{_num(b.ci_high)}, {fmt_p(b.p)}")


def heterogeneity_line(h: Heterogeneity, random: bool) -> str:
    if not h.df:
        return "Heterogeneity: Not applicable"  # one study, as RevMan says
    tau = f"Tau² = {_num(_finite(h.tau2))}; " if random else ""
    i2 = "not applicable" if _finite(h.i2) is None else f"{round(h.i2)}%"
    return (f"Heterogeneity: {tau}Chi² = {_num(_finite(h.q))}, df = {h.df} "
            f"({fmt_p(_finite(h.p))}); I² = {i2}")


def summary_lines(run: AnalysisRun) -> list[str]:
    a = run.analysis
    random = a.model == "random"
    lines = [f"{a.name}: {a.title or a.outcome} ({a.measure_shown}, "
             f"{a.method} {a.model}, {plural(run.estimable, 'study')})"]
    *groups, overall = blocks(run)
    for g in groups:
        lines.append(f"  {g.name} (k = {g.k}): {effect_line(a.measure_shown, g, level=a.level)}")
        lines.append(f"    {heterogeneity_line(g.heterogeneity, random)}")
    lines.append(f"  Overall: {effect_line(a.measure_shown, overall, level=a.level)}")
    lines.append(f"    {heterogeneity_line(overall.heterogeneity, random)}")
    if overall.z is not None:
        lines.append(f"    Test for overall effect: Z = {abs(overall.z):.2f} "
                     f"({fmt_p(overall.p)})")
    diff = run.result.subgroup_difference
    if diff:
        i2 = "NA" if _finite(diff.i2) is None else f"{diff.i2:.1f}%"
        lines.append(f"    Test for subgroup differences: Chi² = {_num(_finite(diff.q))}, "
                     f"df = {diff.df} ({fmt_p(_finite(diff.p))}), I² = {i2}")
    egger = egger_line(run)
    if egger:
        lines.append(f"    {egger}")
    return lines + _trace_lines(run)


def _trace_lines(run: AnalysisRun) -> list[str]:
    """Skewness warnings, what was converted or imputed, and the reported-only run."""
    warned = [f"    Warning: {w}" for w in run.input.warnings()]
    warned += [f"    Multi-arm: {line}" for line in run.input.multi_arm_lines()]
    warned += [f"    Repeated entries: {line}" for line in run.input.repeated_entry_lines()]
    derived = run.input.derived_count
    if not derived:
        return warned
    from reviewflow.pooling.trial_data import footnote

    total = len(run.input.comparisons)
    lines = [*warned, f"    Data: {derived} of {total} comparisons use converted or imputed "
                      f"values ({footnote(run.input.marks())})"]
    other = run.reported_only
    if other is not None:
        overall = blocks(other)[-1]
        line = effect_line(run.analysis.measure_shown, overall, level=run.analysis.level)
        lines.append(f"  Reported data only (k = {other.estimable}): {line}")
        random = run.analysis.model == "random"
        lines.append(f"    {heterogeneity_line(overall.heterogeneity, random)}")
    elif run.analysis.reported_only:
        lines.append("  Reported data only: no comparison left to pool")
    return lines


def results_rows(run: AnalysisRun) -> list[dict[str, Any]]:
    """Rows of the results table: one per subgroup and one overall (and the same for the
    reported-only sensitivity run, marked in ``data``)."""
    rows = _rows(run, "all")
    if run.reported_only is not None:
        rows += _rows(run.reported_only, "reported only")
    return rows


def _rows(run: AnalysisRun, data: str) -> list[dict[str, Any]]:
    a = run.analysis
    converted = run.input.derived_count
    from reviewflow.pooling.formatting import measure_name

    name = measure_name(run.result.options)
    return [{"analysis": a.name, "outcome": a.outcome, "measure": a.measure,
             "measure_name": name,
             "method": a.method, "model": a.model, "data": data, "group": b.name, "k": b.k,
             "converted": converted,
             "estimate": b.estimate, "ci_low": b.ci_low, "ci_high": b.ci_high,
             "z": b.z, "p": b.p, "q": _finite(b.heterogeneity.q), "df": b.heterogeneity.df,
             "i2": _finite(b.heterogeneity.i2), "tau2": _finite(b.heterogeneity.tau2),
             "level": a.level, "line": effect_line(a.measure_shown, b, level=a.level)}
            for b in blocks(run)]
