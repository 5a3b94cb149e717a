"""``reviewflow rank`` and ``reviewflow seed-relevant``: prioritised screening from a script.

``rank`` is the screening screen's "most relevant first" as a listing (the same
:class:`~reviewflow.screening.prioritise.Prioritiser`, so the same blinding
rule), plus the dashboard's stopping estimate. ``seed-relevant`` marks records
the team already knows belong in the review; they train everyone's ranking.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from typing import Any

import typer

from reviewflow.cli.common import fail, open_store, writing
from reviewflow.cli.screening import viewer_named
from reviewflow.stages import LABELS, parse_stage

# The ranking and the store load inside each command, so --help answers without them.


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def rank(
    ctx: typer.Context,
    reviewer: str = typer.Option(..., "--reviewer", help="Whose ranking (their own decisions)."),
    stage: str = typer.Option("title-abstract", "--stage", help="title-abstract or full-text"),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="How many records to list."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the next records in relevance order and the stopping estimate."""
    from reviewflow.review_state import load_review_state
    from reviewflow.screening.prioritise import rank_listing, stage_estimate

    store = open_store(ctx)
    stage_key = parse_stage(stage)
    viewer = viewer_named(store, reviewer)
    if viewer.role == "arbiter":
        raise fail(f"{viewer.name} is the arbiter: arbiters do not screen, so have no ranking")
    priority, nxt, titles = rank_listing(store, viewer, stage_key, limit)
    with store.session() as s:
        state = load_review_state(s, with_plan=True)  # the pool: the records the plan serves
        est = stage_estimate(s, viewer, stage_key,
                             len(state.stage(stage_key).served_to(viewer.reviewer_id)),
                             state=state)
    order = "relevance" if priority.active else "file"
    if as_json:
        typer.echo(json.dumps({
            "reviewer": viewer.name, "stage": stage_key, "order": order,
            "training_labels": priority.n_labels,
            "next": [{"record_id": i, "title": titles.get(i)} for i in nxt],
            "estimate": None if est is None else {k: _clean(v) for k, v in asdict(est).items()},
        }, ensure_ascii=False, indent=2))
        return
    why = "" if priority.active else " (needs an include and an exclude, or a seed)"
    typer.echo(f"{LABELS[stage_key]}, {viewer.name}: next {len(nxt)} in {order} order{why}")
    for i in nxt:
        typer.echo(f"  {i:>7}  {titles.get(i) or '(no title)'}")
    if est is None:
        typer.echo("Stopping estimate: none before your first decision")
        return
    need = min(est.patience, est.n_total)
    if est.screened < need:
        typer.echo(f"ESTIMATE (not a count): too early ({est.screened} of {need} "
                   f"decisions needed); {est.found} relevant found so far")
        return
    unseen = est.estimated_unseen_relevant
    typer.echo(f"ESTIMATE (not a count): about {unseen:.1f} relevant records still unseen; "
               f"estimated recall {est.estimated_recall:.0%} (cautious {est.cautious_recall:.0%}); "
               f"{est.consecutive_irrelevant} consecutive irrelevant (rule: {est.patience}); "
               f"{'could stop' if est.should_stop else 'keep screening'}: {est.reason}")


def seed_relevant(
    ctx: typer.Context,
    record_ids: list[int] = typer.Argument(..., help="Record ids known to belong in the review."),
    remove: bool = typer.Option(False, "--remove", help="Unmark them instead."),
) -> None:
    """Mark records as known relevant: they train every reviewer's ranking as includes."""
    from reviewflow.screening.seeds import write_known_relevant

    with writing(ctx) as view:  # SQLite: sqlite3, no ORM
        now = write_known_relevant(record_ids, remove=remove, writer=view.writer)
    shown = ", ".join(map(str, sorted(now))) or "none"
    typer.echo(f"known-relevant records: {shown}")


def register(app: typer.Typer) -> None:
    app.command()(rank)
    app.command("seed-relevant")(seed_relevant)
