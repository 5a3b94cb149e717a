"""Meta-regression and trim-and-fill as text (the CLI, the analyse summary, the report)."""

from __future__ import annotations

import math

from reviewflow.pooling.formatting import level_percent
from reviewflow.pooling.metareg import MetaRegression
from reviewflow.pooling.trimfill import TrimFill


def _p(p: float) -> str:
    """'P < 0.0001' or 'P = 0.0123'."""
    return "P < 0.0001" if p < 1e-4 else f"P = {p:.4f}"


def metareg_text(fit: MetaRegression, *, ratio: bool) -> list[str]:
    model = (f"mixed effects, tau² by {fit.tau2_method}" if fit.tau2 is not None
             else "fixed effect")
    test = "Knapp-Hartung t" if fit.hksj else "z"
    lines = ["", f"Meta-regression ({model}; {test} tests; k = {fit.k})"
             + ("; coefficients on the log scale" if ratio else "")]
    width = max(len(c.name) for c in fit.coefficients)
    ci_head = f"{level_percent(fit.level)}% CI"
    lines.append(f"  {'':<{width}}  {'estimate':>9} {'SE':>8} {ci_head:>21} {'P':>9}")
    for c in fit.coefficients:
        ci = f"[{c.ci_low:.4f}, {c.ci_high:.4f}]"
        lines.append(f"  {c.name:<{width}}  {c.estimate:>9.4f} {c.se:>8.4f} {ci:>21} "
                     f"{_p(c.p).removeprefix('P = '):>9}")
    if fit.qm is not None:
        dist = (f"F({fit.qm.df}, {fit.qm.df_resid})" if fit.qm.df_resid is not None
                else f"Chi² = {fit.qm.stat:.2f}, df = {fit.qm.df}")
        stat = f"{dist} = {fit.qm.stat:.2f}" if fit.qm.df_resid is not None else dist
        lines.append(f"  Test of moderators (QM): {stat}, {_p(fit.qm.p)}")
    lines.append(f"  Residual heterogeneity (QE): Chi² = {fit.qe.q:.2f}, df = {fit.qe.df}, "
                 f"{_p(fit.qe.p)}; I² = {fit.qe.i2:.0f}%")
    if fit.tau2 is not None:
        r2 = f"; R² = {fit.r2:.1f}%" if fit.r2 is not None else ""
        lines.append(f"  Residual tau² = {fit.tau2:.4f}{r2}")
    if fit.permutation is not None:
        kind = "exact" if fit.permutation.exact else "random"
        lines.append(f"  Permutation test ({fit.permutation.iterations} {kind} orders): "
                     f"QM {_p(fit.permutation.qm_p)}")
    return lines


def trimfill_text(tf: TrimFill, *, ratio: bool) -> list[str]:
    back = math.exp if ratio else float

    def show(c) -> str:
        return f"{back(c.estimate):.2f} [{back(c.ci_low):.2f}, {back(c.ci_high):.2f}]"

    noun = "study" if tf.k0 == 1 else "studies"
    return ["", f"Trim-and-fill (L0): {tf.k0} {noun} estimated missing on the {tf.side} "
            f"(SE {tf.se_k0:.2f})",
            f"  Observed: {show(tf.observed)}; with filled studies: {show(tf.adjusted)}"]
