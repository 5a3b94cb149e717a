"""`pool --moderator` / `--trim-fill`: meta-regression and trim-and-fill for `pool`.

Kept apart from cli/pool.py so that the core command stays the issue 5
contract; pool.py calls :func:`run_beyond` once and merges what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from reviewflow.pooling.metareg import MetaRegression
    from reviewflow.pooling.trimfill import TrimFill
    from reviewflow.pooling.types import MetaAnalysisResult


@dataclass(frozen=True)
class BeyondResults:
    meta_regression: MetaRegression | None
    trim_fill: TrimFill | None
    json: dict[str, Any]
    text: str


def run_beyond(frame: pd.DataFrame, result: MetaAnalysisResult, *, source: str,
               subgroup: str | None, moderators: Sequence[str], trim_fill: bool,
               permutations: int = 0, original: pd.DataFrame | None = None
               ) -> BeyondResults | None:
    """Nothing asked, nothing computed (and the JSON keeps its issue 5 shape).

    ``frame`` is what the engine pooled; ``original`` the CSV as read, where the
    moderator columns are looked up when the pooled frame (arm-level input made
    into one row per comparison) does not carry them.
    """
    if not moderators and not trim_fill:
        return None
    from reviewflow.errors import ReviewflowError

    source_of_mods = frame
    if moderators and not all(m in frame.columns for m in moderators) and original is not None:
        if len(original) != len(frame):
            raise ReviewflowError("--moderator needs one row per study (the wide layout); "
                                  "this file has one row per arm")
        source_of_mods = original
    from reviewflow.pooling import beyond_pooling as bp
    from reviewflow.pooling.beyond_text import metareg_text, trimfill_text
    from reviewflow.pooling.frame import table_from_frame

    options = result.options
    table = table_from_frame(frame, measure=options.measure, subgroup=subgroup, source=source)
    payload: dict[str, Any] = {}
    lines: list[str] = []
    fit = tf = None
    if moderators:
        mods = bp.moderators_from_frame(source_of_mods, moderators, source=source)
        fit = bp.regress(table, options, mods, permutations=permutations)
        payload["meta_regression"] = bp.metareg_to_json(fit, ratio=options.ratio)
        lines += metareg_text(fit, ratio=options.ratio)
    if trim_fill:
        tf = bp.trim_fill(table, options)
        studies = bp.estimable_effects(table, options).studies
        payload["trim_fill"] = bp.trimfill_to_json(tf, ratio=options.ratio, studies=studies)
        lines += trimfill_text(tf, ratio=options.ratio)
    return BeyondResults(fit, tf, payload, "\n".join(lines) + "\n")


def write_beyond_plots(frame: pd.DataFrame, result: MetaAnalysisResult,
                       beyond: BeyondResults | None, *, source: str,
                       funnel: Path | None, bubble: Path | None) -> None:
    """--funnel (contour-enhanced, or filled with --trim-fill) and --bubble."""
    if funnel is None and bubble is None:
        return
    from reviewflow.errors import ReviewflowError
    from reviewflow.pooling import bias_plots as plots
    from reviewflow.pooling.beyond_pooling import estimable_effects
    from reviewflow.pooling.formatting import measure_name
    from reviewflow.pooling.frame import table_from_frame

    options = result.options
    table = table_from_frame(frame, measure=options.measure, source=source)
    eff = estimable_effects(table, options)
    label = measure_name(options)
    if funnel is not None:
        tf = beyond.trim_fill if beyond else None
        fig = (plots.trimfill_funnel_plot(eff.y, eff.v, tf, label=label, ratio=options.ratio)
               if tf is not None else
               plots.contour_funnel_plot(eff.y, eff.v, estimate=result.overall.estimate,
                                         label=label, ratio=options.ratio))
        plots.save_figure(fig, funnel)
    if bubble is not None:
        fit = beyond.meta_regression if beyond else None
        numeric = [m.name for m in fit.design.moderators if not m.categorical] if fit else []
        if not numeric:
            raise ReviewflowError("--bubble needs a numeric --moderator")
        plots.save_figure(plots.bubble_plot(eff.y, eff.v, fit, numeric[0], label=label,
                                            ratio=options.ratio, studies=eff.studies), bubble)
