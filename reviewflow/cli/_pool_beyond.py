"""`pool --moderator` / `--trim-fill`: meta-regression and trim-and-fill for `pool`.

Kept apart from cli/pool.py so that the core command stays the issue 5
contract; pool.py calls :func:`run_beyond` once and merges what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
               permutations: int = 0) -> BeyondResults | None:
    """Nothing asked, nothing computed (and the JSON keeps its issue 5 shape)."""
    if not moderators and not trim_fill:
        return None
    from reviewflow.pooling import beyond_pooling as bp
    from reviewflow.pooling.frame import table_from_frame

    options = result.options
    table = table_from_frame(frame, measure=options.measure, subgroup=subgroup, source=source)
    payload: dict[str, Any] = {}
    lines: list[str] = []
    fit = tf = None
    if moderators:
        mods = bp.moderators_from_frame(frame, moderators, source=source)
        fit = bp.regress(table, options, mods, permutations=permutations)
        payload["meta_regression"] = bp.metareg_to_json(fit, ratio=options.ratio)
        lines += metareg_text(fit, ratio=options.ratio)
    if trim_fill:
        tf = bp.trim_fill(table, options)
        studies = bp.estimable_effects(table, options).studies
        payload["trim_fill"] = bp.trimfill_to_json(tf, ratio=options.ratio, studies=studies)
        lines += trimfill_text(tf, ratio=options.ratio)
    return BeyondResults(fit, tf, payload, "\n".join(lines) + "\n")


def _p(p: float) -> str:
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def metareg_text(fit: MetaRegression, *, ratio: bool) -> list[str]:
    model = (f"mixed effects, tau² by {fit.tau2_method}" if fit.tau2 is not None
             else "fixed effect")
    test = "Knapp-Hartung t" if fit.hksj else "z"
    lines = ["", f"Meta-regression ({model}; {test} tests; k = {fit.k})"
             + ("; coefficients on the log scale" if ratio else "")]
    width = max(len(c.name) for c in fit.coefficients)
    lines.append(f"  {'':<{width}}  {'estimate':>9} {'SE':>8} {'95% CI':>21} {'P':>9}")
    for c in fit.coefficients:
        ci = f"[{c.ci_low:.4f}, {c.ci_high:.4f}]"
        lines.append(f"  {c.name:<{width}}  {c.estimate:>9.4f} {c.se:>8.4f} {ci:>21} "
                     f"{_p(c.p):>9}")
    if fit.qm is not None:
        dist = (f"F({fit.qm.df}, {fit.qm.df_resid})" if fit.qm.df_resid is not None
                else f"Chi² = {fit.qm.stat:.2f}, df = {fit.qm.df}")
        stat = f"{dist} = {fit.qm.stat:.2f}" if fit.qm.df_resid is not None else dist
        lines.append(f"  Test of moderators (QM): {stat}, P = {_p(fit.qm.p)}")
    lines.append(f"  Residual heterogeneity (QE): Chi² = {fit.qe.q:.2f}, df = {fit.qe.df}, "
                 f"P = {_p(fit.qe.p)}; I² = {fit.qe.i2:.0f}%")
    if fit.tau2 is not None:
        r2 = f"; R² = {fit.r2:.1f}%" if fit.r2 is not None else ""
        lines.append(f"  Residual tau² = {fit.tau2:.4f}{r2}")
    if fit.permutation is not None:
        kind = "exact" if fit.permutation.exact else "random"
        lines.append(f"  Permutation test ({fit.permutation.iterations} {kind} orders): "
                     f"P(QM) = {_p(fit.permutation.qm_p)}")
    return lines


def trimfill_text(tf: TrimFill, *, ratio: bool) -> list[str]:
    import math

    back = math.exp if ratio else float

    def show(c) -> str:
        return f"{back(c.estimate):.2f} [{back(c.ci_low):.2f}, {back(c.ci_high):.2f}]"

    noun = "study" if tf.k0 == 1 else "studies"
    return ["", f"Trim-and-fill (L0): {tf.k0} {noun} estimated missing on the {tf.side} "
            f"(SE {tf.se_k0:.2f})",
            f"  Observed: {show(tf.observed)}; with filled studies: {show(tf.adjusted)}"]
