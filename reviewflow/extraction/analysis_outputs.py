"""Running declared analyses and writing what a review reports: plots and tables.

Files per analysis in the output folder: ``<name>_forest.png`` (and
``<name>_funnel.png`` with 10 or more studies), ``<name>_leave_one_out.csv`` when
asked for, ``<name>_data.csv`` (the exact
pooling input, so anyone can rerun it with ``reviewflow pool``),
``<name>_reported_only_forest.png`` when the analysis asks for the sensitivity run
without converted or imputed values; for the run: ``results.csv`` (one row per
subgroup and overall, per data set) and ``results.json`` (the engine's JSON per
analysis with the trace of every value used, plus the summary lines).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from reviewflow.extraction.analyses import Analysis
from reviewflow.extraction.entered import data_as_entered, entered_cells
from reviewflow.extraction.form import Form
from reviewflow.extraction.reconcile import Reconciled, read_reconciled
from reviewflow.extraction.run_analysis import (
    AnalysisRun,
    arm_labels,
    favours,
    leave_one_out_rows,
    pool_declared,
    results_rows,
    summary_lines,
    write_forest,
    write_funnel,
)
from reviewflow.paths import confined
from reviewflow.store.reader import Reader


@dataclass
class Outputs:
    runs: list[AnalysisRun] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def run_all(reader: Reader, form: Form, analyses: list[Analysis], out_dir: Path,
            *, plot_format: str = "png", reconciled: Reconciled | None = None) -> Outputs:
    """Pool every analysis from the reconciled extraction (``reconciled``, when the
    caller has read it already) and write its files.

    All inputs are built (and so checked) before anything is written. The figures are
    submitted first and the data CSVs written after them: the CSVs need pandas, whose
    import then overlaps the drawing instead of delaying it (issue 22).
    """
    rec = reconciled if reconciled is not None else read_reconciled(reader)
    runs = pool_declared(reader, form, analyses, reconciled=rec)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = Outputs(runs=runs)
    tables: list[tuple[AnalysisRun, dict[str, tuple[str | None, ...]], Path]] = []
    for run in runs:
        name = run.analysis.name
        arms = arm_labels(form, run.analysis)
        # Names come from analyses.toml (a bundle can plant one): every output is
        # fenced into out_dir, whatever the schema let through.
        typed = entered_cells(run, form, rec)
        data_csv = confined(out_dir, f"{name}_data.csv")
        tables.append((run, typed, data_csv))
        outputs.files.append(data_csv)  # written below, listed in its place
        labels = favours(form.outcome(run.analysis.outcome), arms)
        outputs.files.append(write_forest(run, confined(out_dir, f"{name}_forest.{plot_format}"),
                                          labels, arms, entered=typed,
                                          **forest_extras(reader, run.analysis)))
        if run.reported_only is not None:
            outputs.files.append(write_forest(
                run.reported_only,
                confined(out_dir, f"{name}_reported_only_forest.{plot_format}"),
                labels, arms, suffix=" (reported data only)"))
        funnel = write_funnel(run, confined(out_dir, f"{name}_funnel.{plot_format}"))
        if funnel is not None:
            outputs.files.append(funnel)
        if run.analysis.leave_one_out:
            outputs.files.append(_write_csv(confined(out_dir, f"{name}_leave_one_out.csv"),
                                            leave_one_out_rows(run)))
    for run, typed, data_csv in tables:
        data_as_entered(run.data, typed).to_csv(data_csv, index=False)
    outputs.files += _write_tables(runs, out_dir)
    return outputs


def forest_extras(reader: Reader, analysis: Analysis) -> dict:
    """RevMan's risk-of-bias columns and the prediction interval, when the analysis asks."""
    extra: dict = {}
    if analysis.prediction_interval:
        extra["prediction_interval"] = True
    if analysis.rob_columns:
        from reviewflow.extraction.rob import TOOLS, read_rob_table
        from reviewflow.extraction.rob_plots import forest_rob

        tool = TOOLS[analysis.rob_columns]
        table = read_rob_table(reader, tool, analysis.outcome if tool.overall else None)
        if not table.judgements and tool.overall:
            table = read_rob_table(reader, tool)  # RoB 2 judged for the whole study
        if table.judgements:
            extra["rob"] = forest_rob(table)
    return extra


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["analysis"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_tables(runs: list[AnalysisRun], out_dir: Path) -> list[Path]:
    table = _write_csv(out_dir / "results.csv", [r for run in runs for r in results_rows(run)])
    doc = {run.analysis.name: {"analysis": run.analysis.__dict__ | {
        "exclude": list(run.analysis.exclude)}, "result": run.summary,
        "reported_only": run.reported_only.summary if run.reported_only else None,
        "lines": summary_lines(run)} for run in runs}
    js = out_dir / "results.json"
    js.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return [table, js]
