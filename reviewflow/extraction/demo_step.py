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
from reviewflow.extraction.form_versions import form_in_force
from reviewflow.extraction.metareg_analyses import run_declared
from reviewflow.extraction.rob import ROB1, reconcile_rob
from reviewflow.extraction.rob_import import import_rob_csv
from reviewflow.extraction.rob_plots import summary_bars, traffic_light
from reviewflow.extraction.small_study_outputs import write_small_study_plots
from reviewflow.extraction.transfer import import_extraction
from reviewflow.store.db import Store
from reviewflow.store.reader import store_reader

REVIEWERS = ("reviewer_a", "reviewer_b")


@dataclass(frozen=True)
class DemoExtraction:
    studies: int
    values: int
    judgements: int
    outputs: Outputs
    rob_plots: tuple[Path, Path]
    grade_files: tuple[Path, ...] = ()


def run_demo_extraction(store: Store, folder: Path, samples: Path,
                        sheet: Path | None = None) -> DemoExtraction:
    """``sheet``: the extraction sheet (default the sample one; the demo passes a copy with a
    ``record_id`` column naming each study's included report)."""
    examples = resources.files("reviewflow.extraction").joinpath("examples")
    shutil.copy(str(examples / "msc_extraction_form.toml"), folder / FORM_FILE)
    shutil.copy(str(examples / "msc_analyses.toml"), folder / ANALYSES_FILE)
    pending = form_in_force(store, folder)  # stored with the first reviewer's values
    form = pending.form
    values = judgements = rows = 0
    for name in REVIEWERS:
        with store.write() as session:  # one reviewer's sheets: one transaction
            rows, n = import_extraction(session=session, form=form, form_id=pending,
                                        path=sheet or samples / "extraction.csv",
                                        reviewer=name, create_studies=True)
            values += n
            judgements += import_rob_csv(session=session, path=samples / "rob.csv",
                                         reviewer=name, default_tool=ROB1)
    with store_reader(store) as reader:
        outputs = run_all(reader, form, load_analyses(folder, form), folder / "analyses")
        for _mr, files in run_declared(reader, form, folder, outputs.runs,
                                       folder / "analyses"):
            outputs.files.extend(files)
    for run in outputs.runs:
        outputs.files.extend(write_small_study_plots(run, folder / "analyses"))
    table = reconcile_rob(store, ROB1)
    plots = (traffic_light(table, folder / "rob_traffic.png"),
             summary_bars(table, folder / "rob_summary.png"))
    grade_files = demo_grade(store, folder)
    return DemoExtraction(len(table.judgements), values, judgements, outputs, plots, grade_files)


# What the demo's GRADE assessor decides beyond the suggestions: indirectness needs
# a person, and the ones below differ from (or add to) what the rules suggest.
DEMO_GRADE = (
    ("oa_vas", "indirectness", "not_serious",
     "knee osteoarthritis trials in adults, as the review question asks"),
    ("ibd_response", "indirectness", "serious",
     "Crohn's fistula and ulcerative colitis trials pooled; response defined differently"),
    ("adverse_events", "indirectness", "not_serious", "any adverse event, as reported"),
    ("sle_sledai", "indirectness", "not_serious", "adults with active SLE"),
)
ASSESSOR = "reviewer_a"


def demo_grade(store: Store, folder: Path) -> tuple[Path, ...]:
    """The assessor accepts the suggested judgements, judges indirectness, and the
    summary of findings is written (grade/sof.csv, .docx, .html)."""
    from reviewflow.grade.domains import parse_domain, parse_judgement
    from reviewflow.grade.evidence import review_outcomes
    from reviewflow.grade.judgements import record
    from reviewflow.grade.review_sof import review_sof
    from reviewflow.grade.settings import load_settings
    from reviewflow.grade.sof_output import to_html, write_csv, write_docx
    from reviewflow.screening.decisions import ensure_reviewer

    rated = set(load_settings(folder))
    with store_reader(store) as reader:  # pooled once: the SoF below reads these runs
        every = review_outcomes(reader, folder)
    reviews = [r for r in every if r.name in rated]
    with store.write() as s:
        rid = int(ensure_reviewer(session=s, name=ASSESSOR).id or 0)
        for r in reviews:
            for sug in r.suggestions:
                if sug.judgement is not None:
                    record(session=s, outcome=r.name, domain=sug.domain,
                           judgement=sug.judgement, reason=sug.reason, reviewer_id=rid)
        for outcome, domain, judgement, reason in DEMO_GRADE:
            d = parse_domain(domain)
            record(session=s, outcome=outcome, domain=d, judgement=parse_judgement(d, judgement),
                   reason=reason, reviewer_id=rid)
    out = folder / "grade"
    out.mkdir(exist_ok=True)
    with store_reader(store) as reader:
        tables = review_sof(reader, folder, runs=[r.run for r in every])
    html_path = out / "sof.html"
    html_path.write_text(f"<!doctype html><meta charset='utf-8'>{to_html(tables)}",
                         encoding="utf-8")
    return (write_csv(tables, out / "sof.csv"),
            write_docx(tables, out / "sof.docx", review_title=store.review().title), html_path)
