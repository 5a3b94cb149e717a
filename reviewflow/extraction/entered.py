"""Values as the extractors typed them, for the forest plot and the data CSV.

RevMan shows a trial's means and SDs to the decimals it reported ("7.0", not "7"),
and counts as whole numbers. The engine pools floats; this module goes back to the
reconciled text for every number taken as reported (a converted, imputed or combined
number has no typed text: it is formatted, and marked as such by the trace).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reviewflow.extraction.form import Form, stat_path
from reviewflow.extraction.reconcile import Reconciled

if TYPE_CHECKING:
    import pandas as pd

    from reviewflow.extraction.run_analysis import AnalysisRun

STATS = {"continuous": ("mean", "sd", "n"), "dichotomous": ("events", "n")}


def entered_cells(run: AnalysisRun, form: Form,
                  rec: Reconciled) -> dict[str, tuple[str | None, ...]]:
    """Per comparison (its label), its data cells in the engine's column order: the
    typed text where the number was reported as such, None where it was derived."""
    from reviewflow.pooling.conversions import Origin

    outcome = form.outcome(run.analysis.outcome)
    stats = STATS.get(outcome.type)
    if stats is None:
        return {}
    arm_ids = {a.label: a.id for a in form.arms}
    out: dict[str, tuple[str | None, ...]] = {}
    for c in run.input.comparisons:
        typed = rec.values.get(c.study, {})
        cells: list[str | None] = []
        for arm in (c.treat, c.ctrl):
            used = arm.used() if arm is not None else {}
            for s in stats:
                d = used.get(s)
                text = None
                if d is not None and d.origin is Origin.REPORTED and arm.arm in arm_ids:
                    text = typed.get(stat_path(_entry_outcome(run, c, outcome.id),
                                               arm_ids[arm.arm], s))
                    if text is not None and float(text) != d.value:
                        text = None  # not the number pooled: never show another one
                cells.append(text)
        out[c.label] = tuple(cells)
    return out


def _entry_outcome(run: AnalysisRun, c, outcome_id: str) -> str:
    """Where a comparison's values were typed: a study's entry k (as entered in RevMan)
    lives in the analysis's k-th outcome."""
    from reviewflow.pooling.trial_data import Handling

    if c.handling is Handling.AS_ENTERED:
        return run.analysis.outcomes()[c.share[0] - 1]
    return outcome_id


def data_as_entered(frame: pd.DataFrame,
                    entered: dict[str, tuple[str | None, ...]]) -> pd.DataFrame:
    """The pooling input as the data CSV writes it: typed values where known."""
    stats = STATS["continuous"] if "mean_treat" in frame.columns else STATS["dichotomous"]
    columns = [f"{s}_{arm}" for arm in ("treat", "ctrl") for s in stats]
    if not all(c in frame.columns for c in columns):
        return frame  # generic inverse variance: estimates and SEs, nothing typed per arm
    shown = frame.astype({c: object for c in columns})
    for i, label in enumerate(frame["study"]):
        for col, text in zip(columns, entered.get(str(label), ()), strict=False):
            if text is not None:
                shown.iat[i, shown.columns.get_loc(col)] = text
    return shown
