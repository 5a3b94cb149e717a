"""``kappa``: agreement between screeners, read without the ORM.

A reading command: on a SQLite store it reads through ``sqlite3`` (see
:func:`reviewflow.cli.common.reading`) so it answers without importing SQLAlchemy.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from reviewflow.cli.common import STAGE_HELP, reading, stages_named
from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.plan_state import PlanSummary, SampleAgreement, plan_summary
from reviewflow.stages import LABELS


def kappa(
    ctx: typer.Context,
    stage: str = typer.Option(None, "--stage", help=STAGE_HELP + " (default: both)"),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Cohen's kappa and percent agreement between screeners, per stage.

    On independent votes (each screener's call before they could see another's),
    and after resolution (resolved records count as agreed on the resolution).
    A pilot round and a verification sample get rows of their own (Fleiss' kappa
    too when three or more screened the pilot).
    """
    stages = stages_named(stage)
    with reading(ctx) as view:
        state = read_review_state(view.reader, with_plan=True)
    rows = [("all", a) for st in stages for a in state.stage(st).agreement()]
    samples = [(st, name, sample) for st in stages
               for name, sample in _samples(plan_summary(state.stage(st)))]
    rows += [(name, a) for _, name, sample in samples for a in sample.pairs]
    if as_json:
        out: list[dict[str, Any]] = [
            {"stage": a.stage, "sample": name, "method": "cohen", "reviewer_a": a.reviewer_a,
             "reviewer_b": a.reviewer_b, "records": a.n, "percent_agreement": a.percent,
             "kappa": a.kappa, "percent_agreement_resolved": a.percent_resolved,
             "kappa_resolved": a.kappa_resolved} for name, a in rows]
        out += [{"stage": st, "sample": name, "method": "fleiss", "screeners": sample.screeners,
                 "records": sample.fleiss_records, "kappa": sample.fleiss}
                for st, name, sample in samples if sample.screeners >= 3]
        typer.echo(json.dumps(out, indent=2))
        return
    if not rows:
        typer.echo("No records decided by two reviewers yet.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False)
    for col in ("stage", "sample", "reviewers", "records", "agreement", "kappa (independent)",
                "kappa after resolution"):
        table.add_column(col)
    for name, a in rows:
        table.add_row(LABELS[a.stage], name, f"{a.reviewer_a} / {a.reviewer_b}", str(a.n),
                      f"{a.percent:.1f} %", _k(a.kappa), _k(a.kappa_resolved))
    for st, name, sample in samples:
        if sample.screeners >= 3:
            table.add_row(LABELS[st], name, f"all {sample.screeners} (Fleiss)",
                          str(sample.fleiss_records), "", _k(sample.fleiss), "")
    Console(markup=False).print(table)  # record text: never markup


def _samples(plan: PlanSummary) -> list[tuple[str, SampleAgreement]]:
    """The pilot's and the verification sample's agreement, when the stage has them."""
    found = [("pilot", plan.pilot_agreement), ("verification", plan.verification)]
    return [(name, sample) for name, sample in found if sample is not None]


def _k(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def register(app: typer.Typer) -> None:
    app.command()(kappa)
