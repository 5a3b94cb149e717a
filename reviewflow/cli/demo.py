"""``reviewflow demo``: the whole workflow on the bundled sample exports.

It grows with the project: each stage that lands adds its step to
:mod:`reviewflow.demo`, so the README's first command shows everything that works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from reviewflow.cli.common import fail
from reviewflow.store.location import CONFIG_NAME


def demo(
    folder: Path = typer.Argument(Path("demo-review"), help="Folder to build the demo review in."),
) -> None:
    """Build a complete demo review from sample_exports/ and print its results."""
    from reviewflow import demo as steps

    console = Console(soft_wrap=True)
    say = console.print
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / CONFIG_NAME).exists():
            raise fail(f"{folder}: exists and is not a review folder; choose another DIR")
        say(f"{folder}: replacing the earlier demo review")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ctx = steps.create_review(folder, steps.samples_dir(), say)
    try:
        say("[2] Importing the search exports")
        with Progress(TextColumn("    {task.description:<32}"), BarColumn(), MofNCompleteColumn(),
                      console=console, transient=True, disable=not console.is_terminal) as bar:
            tasks: dict[str, int] = {}

            def progress(label: str, done: int, total: int) -> None:
                if label not in tasks:
                    tasks[label] = bar.add_task(label, total=total)
                bar.update(tasks[label], completed=done, total=total)

            steps.import_sources(ctx, progress)
        summary, queued, confirmed = steps.deduplicate(ctx)
        say(f"[3] Deduplication: {summary.text()}")
        say(f"    duplicate review: {queued} queued pairs judged by a person "
            f"({confirmed} duplicates, {queued - confirmed} distinct)")
        for stage, label in ((steps.TITLE_ABSTRACT, "title/abstract"),
                             (steps.FULL_TEXT, "full text")):
            loaded = steps.screen_stage(ctx, stage)
            resolved = steps.resolve_stage(ctx, stage)
            say(f"[4] Screening at {label}: " + ", ".join(f"{k} {v} decisions"
                                                          for k, v in loaded.items())
                + f"; {resolved} conflicts settled by the arbiter")
        steps.agreement(ctx)
        steps.extract_and_analyse(ctx)
        steps.finish(ctx)
    finally:
        ctx.store.dispose()
    who = steps.REVIEWERS[0]
    say("\nOpen the review in the terminal UI:"
        f"\n  reviewflow --review {folder} tui --reviewer {who}"
        f"\n  (from a checkout without reviewflow on PATH: ./dev tui {folder} --reviewer {who})")


def register(app: typer.Typer) -> None:
    app.command()(demo)
