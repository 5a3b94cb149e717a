"""The extraction stage of ``reviewflow demo``: the model case from sample_exports/.

Two scripted reviewers import the same extraction and RoB sheets (so everything
reconciles), the shipped MSC form and analyses are put in the review folder, and
the analyses and robvis plots are written. The demo command calls this in one line.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from reviewflow.extraction.analyses import ANALYSES_FILE, load_analyses
from reviewflow.extraction.analysis_outputs import Outputs, run_all
from reviewflow.extraction.form import FORM_FILE
from reviewflow.extraction.form_versions import current_form
from reviewflow.extraction.rob import ROB1, reconcile_rob
from reviewflow.extraction.rob_import import import_rob_csv
from reviewflow.extraction.rob_plots import summary_bars, traffic_light
from reviewflow.extraction.transfer import import_extraction
from reviewflow.store.db import Store

REVIEWERS = ("reviewer_a", "reviewer_b")


@dataclass(frozen=True)
class DemoExtraction:
    studies: int
    values: int
    judgements: int
    outputs: Outputs
    rob_plots: tuple[Path, Path]


def run_demo_extraction(store: Store, folder: Path, samples: Path,
                        sheet: Path | None = None) -> DemoExtraction:
    """``sheet``: the extraction sheet (default the sample one; the demo passes a copy with a
    ``record_id`` column naming each study's included report)."""
    examples = resources.files("reviewflow.extraction").joinpath("examples")
    shutil.copy(str(examples / "msc_extraction_form.toml"), folder / FORM_FILE)
    shutil.copy(str(examples / "msc_analyses.toml"), folder / ANALYSES_FILE)
    form_id, form = current_form(store, folder)
    values = judgements = rows = 0
    for name in REVIEWERS:
        rows, n = import_extraction(store, form, form_id, sheet or samples / "extraction.csv",
                                    name, create_studies=True)
        values += n
        judgements += import_rob_csv(store, samples / "rob.csv", name, ROB1)
    outputs = run_all(store, form, load_analyses(folder, form), folder / "analyses")
    table = reconcile_rob(store, ROB1)
    plots = (traffic_light(table, folder / "rob_traffic.png"),
             summary_bars(table, folder / "rob_summary.png"))
    return DemoExtraction(len(table.judgements), values, judgements, outputs, plots)
