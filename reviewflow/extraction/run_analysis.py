"""The one place extraction talks to the pooling engine.

Everything the engine is asked for goes through here (pool, JSON form, forest,
funnel, text forest), so a change of the engine's API is a change of this file.
The RevMan-style summary lines are built from the engine's JSON dict (issue 5's
``--json`` shape), which is the engine's stable contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.extraction.analyses import ENTERED, Analysis
from reviewflow.extraction.form import Form, OutcomeDef

FUNNEL_MIN_STUDIES = 10


@dataclass(frozen=True)
class AnalysisRun:
    analysis: Analysis
    data: pd.DataFrame
    result: Any  # the engine's result object
    summary: dict[str, Any]  # its JSON dict

    @property
    def estimable(self) -> int:
        return sum(1 for s in self.summary["studies"] if s.get("estimable", True))


def pool(analysis: Analysis, data: pd.DataFrame) -> AnalysisRun:
    from reviewflow.pooling import meta_analysis, result_to_json_dict

    result = meta_analysis(data, subgroup=analysis.subgroup, source=f"analysis {analysis.name}",
                           **analysis.options())
    return AnalysisRun(analysis, data, result, result_to_json_dict(result))


def favours(outcome: OutcomeDef, arms: tuple[str, str]) -> tuple[str, str]:
    """(left, right) labels: the left side favours treatment when lower is better."""
    treat, ctrl = (f"Favours {arms[0]}", f"Favours {arms[1]}")
    return (treat, ctrl) if outcome.direction == "lower_is_better" else (ctrl, treat)


def write_forest(run: AnalysisRun, out: Path, labels: tuple[str, str],
                 arms: tuple[str, str]) -> Path:
    """The forest plot, its arm columns headed with the form's arm labels."""
    from reviewflow.pooling.plots import save_forest_plot

    return save_forest_plot(run.result, out, title=run.analysis.title or run.analysis.name,
                            favours=labels, groups=arms, entered=entered_cells(run.data))


def entered_cells(data: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Per study, its data cells as extracted, in the engine's column order."""
    from reviewflow.pooling.analysis import CONTINUOUS_COLUMNS, DICHOTOMOUS_COLUMNS

    entered: dict[str, dict[str, str]] = data.attrs.get(ENTERED, {})
    cols = CONTINUOUS_COLUMNS if "mean_treat" in data.columns else DICHOTOMOUS_COLUMNS
    return {study: tuple(cells[c] for c in cols) for study, cells in entered.items()
            if all(c in cells for c in cols)}


def data_as_entered(data: pd.DataFrame) -> pd.DataFrame:
    """The pooling input as the data CSV shows it: values as extracted (7.0, 30), counts
    as whole numbers even when no text was kept."""
    from reviewflow.pooling.frame import COUNT_COLUMNS

    shown = data.astype({c: object for c in data.columns if c != "study"})
    entered: dict[str, dict[str, str]] = data.attrs.get(ENTERED, {})
    for i, study in enumerate(data["study"]):
        for j, col in enumerate(data.columns):
            value = data.iat[i, j]
            if col in entered.get(str(study), {}):
                shown.iat[i, j] = entered[str(study)][col]
            elif col in COUNT_COLUMNS and float(value).is_integer():
                shown.iat[i, j] = str(int(value))
    return shown


def write_funnel(run: AnalysisRun, out: Path) -> Path | None:
    if run.estimable < FUNNEL_MIN_STUDIES:
        return None
    from reviewflow.pooling.plots import save_funnel_plot

    return save_funnel_plot(run.result, out, title=run.analysis.title or run.analysis.name)


def text_forest(run: AnalysisRun, form: Form) -> Any:
    """A Rich renderable of the forest plot (for the TUI), its sides named as in the plots."""
    from reviewflow.pooling.text_forest import text_forest as render

    arms = (form.arms[0].label, form.arms[1].label)
    return render(run.result, favours=favours(form.outcome(run.analysis.outcome), arms))


def _table_and_options(run: AnalysisRun) -> tuple[Any, Any]:
    from reviewflow.pooling import make_options, table_from_frame

    opts = make_options(**run.analysis.options())  # type: ignore[arg-type]
    return table_from_frame(run.data, measure=opts.measure), opts


def leave_one_out_rows(run: AnalysisRun) -> list[dict[str, Any]]:
    """The analysis re-pooled without each study in turn (natural scale)."""
    from reviewflow.pooling import leave_one_out
    from reviewflow.pooling.serialize import natural

    table, opts = _table_and_options(run)
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

    table, opts = _table_and_options(run)
    e = egger_for(table, opts)
    return f"Egger's test: intercept = {e.intercept:.2f} (SE {e.se:.2f}), t = {e.t:.2f}, " \
           f"df = {e.df} ({fmt_p(e.p)})"


# -- RevMan-style lines, from the JSON dict ----------------------------------------------


def fmt_p(p: float | None) -> str:
    """RevMan's P ('P = 0.002', 'P < 0.00001'), exactly as the engine prints it."""
    from reviewflow.pooling.formatting import format_p

    return "P not applicable" if p is None else format_p(float(p))


def _num(x: float | None, nd: int = 2) -> str:
    return "NA" if x is None else f"{x:.{nd}f}"


def effect_line(measure: str, block: dict[str, Any]) -> str:
    """'SMD = -0.95, 95% CI -1.55 to -0.36, P = 0.002'."""
    return (f"{measure} = {_num(block['estimate'])}, 95% CI {_num(block['ci_low'])} to "
            f"{_num(block['ci_high'])}, {fmt_p(block.get('p'))}")


def heterogeneity_line(h: dict[str, Any], random: bool) -> str:
    if not h.get("df"):
        return "Heterogeneity: Not applicable"  # one study, as RevMan says
    tau = f"Tau² = {_num(h.get('tau2'))}; " if random else ""
    i2 = "not applicable" if h.get("i2") is None else f"{round(h['i2'])}%"
    return (f"Heterogeneity: {tau}Chi² = {_num(h.get('q'))}, df = {h.get('df')} "
            f"({fmt_p(h.get('p'))}); I² = {i2}")


def summary_lines(run: AnalysisRun) -> list[str]:
    s, a = run.summary, run.analysis
    random = a.model == "random"
    lines = [f"{a.name}: {a.title or a.outcome} ({s.get('measure', a.measure)}, "
             f"{a.method} {a.model}, {run.estimable} studies)"]
    for g in s.get("subgroups") or []:
        lines.append(f"  {g['name']} (k = {g['k']}): {effect_line(a.measure, g)}")
        lines.append(f"    {heterogeneity_line(g['heterogeneity'], random)}")
    overall = s["overall"]
    lines.append(f"  Overall: {effect_line(a.measure, overall)}")
    lines.append(f"    {heterogeneity_line(overall['heterogeneity'], random)}")
    if overall.get("z") is not None:
        lines.append(f"    Test for overall effect: Z = {abs(overall['z']):.2f} "
                     f"({fmt_p(overall.get('p'))})")
    diff = s.get("subgroup_difference")
    if diff:
        i2 = "NA" if diff.get("i2") is None else (
            f"{diff['i2']:.1f}%")
        lines.append(f"    Test for subgroup differences: Chi² = {_num(diff['q'])}, "
                     f"df = {diff['df']} ({fmt_p(diff.get('p'))}), I² = {i2}")
    egger = egger_line(run)
    if egger:
        lines.append(f"    {egger}")
    return lines


def results_rows(run: AnalysisRun) -> list[dict[str, Any]]:
    """Rows of the results table: one per subgroup and one overall."""
    a, s = run.analysis, run.summary
    blocks = [(g["name"], g.get("k"), g) for g in s.get("subgroups") or []]
    blocks.append(("Overall", run.estimable, s["overall"]))
    return [{"analysis": a.name, "outcome": a.outcome, "measure": a.measure,
             "method": a.method, "model": a.model, "group": name, "k": k,
             "estimate": b["estimate"], "ci_low": b["ci_low"], "ci_high": b["ci_high"],
             "z": b.get("z"), "p": b.get("p"), "q": b["heterogeneity"].get("q"),
             "df": b["heterogeneity"].get("df"), "i2": b["heterogeneity"].get("i2"),
             "tau2": b["heterogeneity"].get("tau2"), "line": effect_line(a.measure, b)}
            for name, k, b in blocks]
