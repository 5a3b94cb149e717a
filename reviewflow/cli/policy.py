"""``policy``, ``pilot``, ``allocate``: the review's screening rules and who screens what.

The rules live in the store, shared by every terminal and machine; a change is
an audited event naming who made it (only an arbiter may), and ``--history``
lists every change. A local ``reviewflow.toml`` never changes them.
"""

from __future__ import annotations

import typer

from reviewflow.cli.common import fail, open_store, reading
from reviewflow.stages import LABELS, STAGES, parse_stage


def policy(
    ctx: typer.Context,
    blind: str = typer.Option(None, "--blind", help="on or off: whether screeners see each "
                              "other's votes before deciding themselves."),
    screeners: int = typer.Option(None, "--screeners", min=1,
                                  help="Independent screeners each record needs (1, 2 or more)."),
    stage: str = typer.Option(None, "--stage", help="title-abstract or full-text (default: both)"
                              " for --screeners."),
    verify: float = typer.Option(None, "--verify", min=0.0, max=1.0,
                                 help="With --screeners 1: the fraction of records a second "
                                 "screener also screens (verification sample; 0 for none)."),
    seed: int = typer.Option(None, "--seed", help="Seed of the verification sample "
                             "(default 1)."),
    by: str = typer.Option(None, "--by", help="Who makes the change (an arbiter)."),
    history: bool = typer.Option(False, "--history", help="List every change, with who."),
) -> None:
    """Show or change the screening rules (changes are audited)."""
    from reviewflow.review_state.plan import read_plan_history
    from reviewflow.review_state.policy import read_policy, read_policy_history

    if blind is not None and blind.strip().lower() not in ("on", "off"):
        raise fail(f"--blind takes on or off, not {blind!r}")
    if seed is not None and verify is None:
        raise fail("--seed goes with --verify FRACTION")
    if blind is not None or screeners is not None or verify is not None:
        if by is None:
            raise fail("say who changes the rules with --by NAME (an arbiter)")
        from reviewflow.review_state.policy import change_policy
        from reviewflow.screening.decisions import require_reviewer

        stages = [parse_stage(stage)] if stage else list(STAGES)
        with open_store(ctx).write() as s:
            change_policy(session=s, changed_by=require_reviewer(s, by),
                          blind=None if blind is None else blind.strip().lower() == "on",
                          required=None if screeners is None else dict.fromkeys(stages,
                                                                                screeners),
                          verify=None if verify is None else dict.fromkeys(
                              stages, (verify, 1 if seed is None else seed)))
    with reading(ctx) as view:  # showing the rules needs no ORM (issue 22)
        rules = read_policy(view.reader)
        changes, steps = read_policy_history(view.reader), read_plan_history(view.reader)
    typer.echo(f"blind: {'on' if rules.blind else 'off'}")
    for st in STAGES:
        sample = rules.verify(st)
        typer.echo(f"screeners per record at {LABELS[st].lower()}: {rules.required(st)}"
                   + (f" (verification sample: {sample[0]:g} of records, seed {sample[1]}, "
                      "screened by a second screener too)" if sample else ""))
    if history:
        for c in changes:
            typer.echo(f"{c.at}\t{c.changed_by or '-'}\t{c.key} = {c.value}")
        for e in steps:
            typer.echo(f"{e.at}\t{e.changed_by or '-'}\t{e.key}: {e.summary}")


pilot_app = typer.Typer(help="Pilot (calibration) round: a sample every screener screens "
                        "first, with kappa, before the rest is allocated.")


@pilot_app.command("start")
def pilot_start(
    ctx: typer.Context,
    stage: str = typer.Option(..., "--stage", help="title-abstract or full-text"),
    size: int = typer.Option(None, "--size", help="Records in the pilot sample."),
    fraction: float = typer.Option(None, "--fraction", help="Or: the fraction of records."),
    seed: int = typer.Option(1, "--seed", help="Seed of the sample (same seed, same sample)."),
    by: str = typer.Option(..., "--by", help="Who starts it (an arbiter)."),
) -> None:
    """Draw the pilot sample; until it is closed every screener screens only it."""
    from reviewflow.screening.allocation import start_pilot
    from reviewflow.screening.decisions import require_reviewer

    store = open_store(ctx)
    stage_key = parse_stage(stage)
    with store.write() as s:
        pilot = start_pilot(session=s, stage=stage_key, by=require_reviewer(s, by), seed=seed,
                            size=size, fraction=fraction)
    typer.echo(f"Pilot at {LABELS[stage_key].lower()}: {len(pilot.records)} records (seed "
               f"{seed}); every screener screens them first")


@pilot_app.command("close")
def pilot_close(
    ctx: typer.Context,
    stage: str = typer.Option(..., "--stage", help="title-abstract or full-text"),
    by: str = typer.Option(..., "--by", help="Who closes it (an arbiter)."),
    force: bool = typer.Option(False, "--force", help="Close it with pilot records still "
                               "unscreened by some screener."),
) -> None:
    """Close the pilot round (audited) and print its agreement; then run ``allocate``."""
    from reviewflow.review_state import load_review_state
    from reviewflow.review_state.plan_state import plan_summary
    from reviewflow.review_state.summary import plan_json
    from reviewflow.screening.allocation import close_pilot
    from reviewflow.screening.decisions import require_reviewer
    from reviewflow.screening.plan_text import plan_lines

    store = open_store(ctx)
    stage_key = parse_stage(stage)
    with store.write() as s:
        close_pilot(session=s, stage=stage_key, by=require_reviewer(s, by), force=force)
    with store.session() as s:
        data = plan_json(plan_summary(load_review_state(s, with_plan=True).stage(stage_key)))
    for line in plan_lines({"pilot": data["pilot"]}):
        typer.echo(line)
    typer.echo(f"next: 'reviewflow allocate --stage {stage_key.replace('_', '-')} --by NAME' "
               "gives the remaining records to the screeners")


def allocate(
    ctx: typer.Context,
    stage: str = typer.Option(..., "--stage", help="title-abstract or full-text"),
    by: str = typer.Option(..., "--by", help="Who allocates (an arbiter)."),
    screeners: str = typer.Option(None, "--screeners", help="Comma-separated names "
                                  "(default: every reviewer who is not an arbiter)."),
    seed: int = typer.Option(1, "--seed", help="Seed of the allocation (reproducible)."),
) -> None:
    """Give each pending record to the screeners it needs, evenly (audited).

    Run again after a screener joins: only records still pending are re-allocated,
    and whoever already voted on one keeps it.
    """
    from reviewflow.screening.allocation import run_allocation
    from reviewflow.screening.decisions import require_reviewer

    store = open_store(ctx)
    stage_key = parse_stage(stage)
    names = [n for n in screeners.split(",") if n.strip()] if screeners else None
    with store.write() as s:
        run = run_allocation(session=s, stage=stage_key, by=require_reviewer(s, by),
                             seed=seed, screeners=names)
    typer.echo(f"Allocated {run.records} records at {LABELS[stage_key].lower()}: "
               + ", ".join(f"{name} {n}" for name, n in run.per_screener))


def register(app: typer.Typer) -> None:
    app.command()(policy)
    app.add_typer(pilot_app, name="pilot")
    app.command()(allocate)
