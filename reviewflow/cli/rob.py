"""``reviewflow rob ...``: risk-of-bias judgements (RoB 1 / RoB 2), reconciliation, plots."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewflow.cli.common import open_store, reading, writing
from reviewflow.cli.extraction import REVIEWER
from reviewflow.errors import ReviewflowError
from reviewflow.wording import plural

# The extraction modules (and the store behind them) load inside each command, so
# ``rob --help`` answers without SQLAlchemy.

rob_app = typer.Typer(help="Risk of bias: RoB 1 (RevMan 5.4 domains) or RoB 2.",
                      no_args_is_help=True)
TOOL = typer.Option("rob1", "--tool", "-t", help="rob1 (7 RevMan domains) or rob2.")
OUTCOME = typer.Option(None, "--outcome", help="The result judged (RoB 2 is per outcome); "
                       "default: the whole study.")


@rob_app.command("set")
def set_cmd(
    ctx: typer.Context,
    study: str = typer.Argument(...),
    domain: str = typer.Argument(..., help="Domain id, label or D1..D7."),
    judgement: str = typer.Argument(..., help="low | unclear | some_concerns | high"),
    support: str = typer.Option(None, "--support", "-s", help="Support for judgement."),
    tool_name: str = TOOL,
    reviewer: str = REVIEWER,
    consensus: bool = typer.Option(False, "--consensus", help="Record the agreed judgement."),
    outcome: str = OUTCOME,
) -> None:
    """Record one domain judgement as REVIEWER (or the consensus)."""
    from reviewflow.extraction.rob import LABELS, tool, write_judgements
    from reviewflow.extraction.studies import find_study
    from reviewflow.screening.decisions import require_person

    t = tool(tool_name)
    with writing(ctx) as view:
        st = find_study(view.writer.reader, study)
        t.domain(domain), t.judgement(judgement)
        rid = require_person(view.writer.reader, reviewer).id
        write_judgements(writer=view.writer, rob_tool=t, reviewer_id=rid,
                         entries=[(st.id, domain, judgement, support)], consensus=consensus,
                         outcome=outcome)
    typer.echo(f"{st.label}: {t.domain(domain).label}: {LABELS[t.judgement(judgement)]}")


@rob_app.command("import")
def import_cmd(ctx: typer.Context, file: Path = typer.Argument(...), reviewer: str = REVIEWER,
               tool_name: str = TOOL) -> None:
    """Import REVIEWER's judgements from CSV (study, domain, judgement[, support, tool])."""
    from reviewflow.extraction.rob import tool
    from reviewflow.extraction.rob_import import write_rob_csv

    default_tool = tool(tool_name)
    with writing(ctx) as view:
        n = write_rob_csv(writer=view.writer, path=file, reviewer=reviewer,
                          default_tool=default_tool)
    typer.echo(f"{plural(n, 'judgement')} stored for {reviewer}")


@rob_app.command("compare")
def compare_cmd(ctx: typer.Context, tool_name: str = TOOL, outcome: str = OUTCOME) -> None:
    """Domains where the assessors disagree; resolve with 'rob set --consensus'."""
    from reviewflow.extraction.rob import read_rob_table, tool

    rob_tool = tool(tool_name)
    with reading(ctx) as view:
        table = read_rob_table(view.reader, rob_tool, outcome)
    for study, dom, seen in table.discrepancies:
        typer.echo(f"{study} {dom}: " + ", ".join(f"{k}: {v}" for k, v in seen.items()))
    typer.echo(f"{len(table.discrepancies)} unresolved discrepancies")


@rob_app.command("plot")
def plot_cmd(
    ctx: typer.Context,
    tool_name: str = TOOL,
    out: Path = typer.Option(Path("rob.png"), "--out", "-o",
                             help="Base file name; .png, .svg or .pdf."),
    kind: str = typer.Option("both", "--kind", help="traffic | summary | both"),
    weighted: bool = typer.Option(True, "--weighted/--unweighted",
                                  help="Weight the summary by sample size (study/sample_size)."),
    outcome: str = OUTCOME,
) -> None:
    """robvis-style plots of the reconciled judgements: <out>_traffic and <out>_summary."""
    from reviewflow.extraction.rob import reconcile_rob, tool

    store = open_store(ctx)
    table = reconcile_rob(store, tool(tool_name), outcome)
    if not table.judgements:
        raise ReviewflowError("no reconciled risk-of-bias judgements to plot")
    if table.discrepancies:
        typer.echo(f"note: {len(table.discrepancies)} unresolved judgements shown as "
                   "'No information'", err=True)
    if kind not in ("traffic", "summary", "both"):
        raise ReviewflowError("--kind must be traffic, summary or both")
    from reviewflow.extraction.rob_plots import summary_bars, traffic_light  # matplotlib: lazy

    written = []
    if kind in ("traffic", "both"):
        written.append(traffic_light(table, out.with_name(f"{out.stem}_traffic{out.suffix}")))
    if kind in ("summary", "both"):
        weights = _sample_sizes(store) if weighted else None
        written.append(summary_bars(table, out.with_name(f"{out.stem}_summary{out.suffix}"),
                                    weights))
    for path in written:
        typer.echo(f"wrote {path}")


def _sample_sizes(store) -> dict[str, float] | None:
    from reviewflow.extraction.values import reconcile

    values = reconcile(store).values
    sizes = {s: float(v["study/sample_size"]) for s, v in values.items()
             if "study/sample_size" in v}
    return sizes or None


def register(app: typer.Typer) -> None:
    app.add_typer(rob_app, name="rob")
