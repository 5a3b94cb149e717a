"""Small-study plots for a declared analysis: contour-enhanced and trim-and-fill funnels.

Drawn, as funnel plots and Egger's test are, only from 10 estimable studies on
(Cochrane Handbook 13.3.5.4): with fewer, asymmetry cannot be told from chance.
"""

from __future__ import annotations

from pathlib import Path

from reviewflow.extraction.run_analysis import (
    FUNNEL_MIN_STUDIES,
    AnalysisRun,
    table_and_options,
)

DRAW = "reviewflow.pooling.bias_plots:draw"  # submitted by name: matplotlib loads in a worker


def write_small_study_plots(run: AnalysisRun, out_dir: Path) -> list[Path]:
    if run.estimable < FUNNEL_MIN_STUDIES:
        return []
    from reviewflow import drawing
    from reviewflow.pooling.beyond_pooling import estimable_effects, trim_fill
    from reviewflow.pooling.formatting import measure_name

    table, opts = table_and_options(run)  # the run's own table, as Egger's test reads it
    eff = estimable_effects(table, opts)
    label = measure_name(opts)
    title = run.analysis.title or run.analysis.name
    name = run.analysis.name
    tf = trim_fill(table, opts)
    contour, trimfill = (out_dir / f"{name}_contour_funnel.png",
                         out_dir / f"{name}_trimfill_funnel.png")
    return [
        drawing.submit(DRAW, contour, "contour_funnel", contour, eff.y, eff.v,
                       estimate=run.result.overall.estimate, label=label, ratio=opts.ratio,
                       title=f"Contour-enhanced funnel plot: {title}"),
        drawing.submit(DRAW, trimfill, "trimfill_funnel", trimfill, eff.y, eff.v, tf,
                       label=label, ratio=opts.ratio,
                       title=f"Trim-and-fill (L0, k0 = {tf.k0}): {title}"),
    ]
