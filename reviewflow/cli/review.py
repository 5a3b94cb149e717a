"""``init`` and ``status``: creating a review and seeing where it stands."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from reviewflow.cli.common import fail, globals_of, reading
from reviewflow.cli.screening import viewer_of
from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.summary import read_status_summary
from reviewflow.screening.plan_text import plan_lines
from reviewflow.screening.viewer import shows_breakdown
from reviewflow.stages import LABELS
from reviewflow.store.location import CONFIG_NAME, ReviewConfig, find_review_folder


def init(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        None, show_default=False,
        help="Folder for the review (created if missing); default: --review, else here.",
    ),
    title: str = typer.Option("Untitled review", "--title", "-t", help="The review's title."),
    question: str = typer.Option(None, "--question", help="The review question (PICO)."),
) -> None:
    """Create a review folder with reviewflow.toml and its database."""
    from reviewflow.store.db import Store

    # the folder argument, else the global --review ($REVIEWFLOW_REVIEW), else here
    folder = (folder or globals_of(ctx).review or Path(".")).resolve()
    if (folder / CONFIG_NAME).exists():
        raise fail(f"{folder}: already a review folder ({CONFIG_NAME} exists)")
    outer = find_review_folder(folder.parent) if folder.parent != folder else None
    folder.mkdir(parents=True, exist_ok=True)
    config = ReviewConfig(folder=folder, title=title, db_url=globals_of(ctx).db)
    store = Store.create(config.database_url(), title=title, question=question)
    store.dispose()
    config.save()
    typer.echo(f"Created review '{title}' in {folder}")
    typer.echo(f"Database: {store.display_url}")
    if outer is not None:
        typer.echo(f"Note: this review sits inside another review folder ({outer}).")


def status(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
    as_name: str = typer.Option(
        None, "--as", help="Whose view: while screening is blind, include/exclude counts "
        "show for yourself only (all for the arbiter); without it, only how many each decided.",
    ),
) -> None:
    """Show the review's counts per stage and reviewer."""
    with reading(ctx) as view:
        state = read_review_state(view.reader, with_plan=True)
        blind = state.policy.blind
        viewer = None if as_name is None else viewer_of(state, as_name)
        summary = read_status_summary(view.reader, viewer.reviewer_id if viewer else None,
                                      state)
    for data in summary["stages"].values():
        covered = set(data.pop("covered", ()))  # colleagues whose every record you decided
        for name, counts in data["reviewers"].items():
            if not shows_breakdown(viewer, blind, name) and name not in covered:
                data["reviewers"][name] = {"decided": counts["decided"]}
        if blind and (viewer is None or not viewer.sees_all):
            # outcome counts would reveal calls on records the viewer has not decided
            data["outcomes"] = {k: v for k, v in data["outcomes"].items()
                                if k in ("pending",)}
    summary["schema"] = view.schema
    summary["database"] = view.display_url
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"[bold]{escape(summary['review']['title'])}[/]  "
                  f"({escape(summary['database'])})")
    rec = summary["records"]
    console.print(f"Imports: {summary['imports']}   records imported: {rec['imported']}   "
                  f"stored: {rec['stored']}   after dedup: {rec['active']}")
    pol = summary["policy"]
    console.print(f"Screening: blind {'on' if pol['blind'] else 'off'}; screeners per record: "
                  + ", ".join(f"{LABELS[k].lower()} {n}"
                              + (f" (+ a second on a {pol['verification'][k]['fraction']:.0%} "
                                 "verification sample)" if k in pol["verification"] else "")
                              for k, n in pol["screeners_per_record"].items()))
    for stage, data in summary["stages"].items():
        table = Table(title=LABELS.get(stage, stage), show_edge=False)
        for col in ("reviewer", "include", "exclude", "maybe", "not retr.", "decided"):
            table.add_column(col)
        for name, c in data["reviewers"].items():
            hidden = len(c) == 1  # only "decided": the breakdown is blinded
            table.add_row(Text(name), *("·" if hidden else str(c.get(k, 0))
                                  for k in ("include", "exclude", "maybe", "not_retrieved")),
                          str(c["decided"]))
        if not data["reviewers"]:
            table.add_row("(no decisions yet)", "", "", "", "", "")
        console.print(table)
        for line in plan_lines(data):
            console.print(Text(line))
    orphans = summary["studies"]["without_included_report"]
    if orphans:
        console.print(f"[red]error:[/] studies without an included report: "
                      f"{', '.join(orphans)} (link an included record with "
                      "'reviewflow extraction study link', or settle its report's screening)")
    if any(len(c) == 1 for d in summary["stages"].values() for c in d["reviewers"].values()):
        console.print("· = hidden while screening is blind (--as NAME: your own counts; "
                      "the arbiter sees all)")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(status)
