"""``reviewflow policy``: the review's screening rules (blind mode, screeners per record).

The rules live in the store, shared by every terminal and machine; a change is
an audited event naming who made it (only an arbiter may), and ``--history``
lists every change. A local ``reviewflow.toml`` never changes them.
"""

from __future__ import annotations

import typer

from reviewflow.cli.common import fail, open_store
from reviewflow.stages import LABELS, STAGES, parse_stage


def policy(
    ctx: typer.Context,
    blind: str = typer.Option(None, "--blind", help="on or off: whether screeners see each "
                              "other's votes before deciding themselves."),
    screeners: int = typer.Option(None, "--screeners", min=1,
                                  help="Independent screeners each record needs (1, 2 or more)."),
    stage: str = typer.Option(None, "--stage", help="title-abstract or full-text (default: both)"
                              " for --screeners."),
    by: str = typer.Option(None, "--by", help="Who makes the change (an arbiter)."),
    history: bool = typer.Option(False, "--history", help="List every change, with who."),
) -> None:
    """Show or change the screening rules (changes are audited)."""
    from reviewflow.review_state.policy import change_policy, load_policy, policy_history
    from reviewflow.screening.decisions import require_reviewer

    store = open_store(ctx)
    if blind is not None and blind.strip().lower() not in ("on", "off"):
        raise fail(f"--blind takes on or off, not {blind!r}")
    if blind is not None or screeners is not None:
        if by is None:
            raise fail("say who changes the rules with --by NAME (an arbiter)")
        stages = [parse_stage(stage)] if stage else list(STAGES)
        with store.write() as s:
            change_policy(session=s, changed_by=require_reviewer(s, by),
                          blind=None if blind is None else blind.strip().lower() == "on",
                          required=None if screeners is None else dict.fromkeys(stages,
                                                                                screeners))
    with store.session() as s:
        rules, changes = load_policy(s), policy_history(s)
    typer.echo(f"blind: {'on' if rules.blind else 'off'}")
    for st in STAGES:
        typer.echo(f"screeners per record at {LABELS[st].lower()}: {rules.required(st)}")
    if history:
        for c in changes:
            typer.echo(f"{c.at}\t{c.changed_by or '-'}\t{c.key} = {c.value}")


def register(app: typer.Typer) -> None:
    app.command()(policy)
