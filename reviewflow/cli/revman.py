"""`reviewflow revman check|import|export`: RevMan 5 files in and out."""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path

import typer

from reviewflow.wording import plural

revman_app = typer.Typer(
    help="RevMan 5 (.rm5) files: check a review's numbers, import it, export a review.",
    no_args_is_help=True,
)


def _num(x: float | bool | None) -> float | bool | None:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _shown(x: float | bool | None) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "estimable" if x else "not estimable"
    return f"{x:.10g}"


@revman_app.command("check")
def check_command(
    file: Path = typer.Argument(..., help="A RevMan 5 file (.rm5) that stores its results, "
                                "RevMan's data export (.csv) or a RevMan Web data package "
                                "(.zip)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Re-run every analysis with reviewflow's engine and compare with RevMan's numbers.

    Compared: per study effect, CI and weight; per total and subgroup effect, CI,
    Z, P, chi², df, I², tau²; the test for subgroup differences. Numbers agree to a
    relative 1e-9; P values to an absolute 5e-7 (RevMan's tail probabilities run
    slightly above the exact ones). Exit 0 when every outcome RevMan calculated
    agrees, 1 otherwise; outcomes never calculated or without data are skipped.
    """
    from reviewflow.revman.check import Verdict, check_file
    from reviewflow.revman.reader import read_any

    review, tolerance = read_any(file)
    report = check_file(review, tolerance)
    if as_json:
        typer.echo(json.dumps({
            "file": str(file),
            "agrees": report.agrees,
            "counts": {v.value: report.count(v) for v in Verdict},
            "tolerance": {"relative": tolerance.relative, "absolute": tolerance.absolute,
                          "p": tolerance.p},
            "not_checked": list(review.unsupported),
            "outcomes": [{
                "outcome": o.label, "name": o.name, "verdict": o.verdict.value,
                "compared": o.compared, "reason": o.reason or None,
                "differences": [{"where": d.where, "field": d.field, "revman": _num(d.stored),
                                 "reviewflow": _num(d.ours)} for d in o.differences],
            } for o in report.outcomes],
        }, indent=2))
    else:
        for o in report.outcomes:
            extra = f" ({o.compared} numbers)" if o.verdict is Verdict.AGREES else ""
            why = f": {o.reason}" if o.reason else ""
            typer.echo(f"{o.label:>7}  {o.verdict.value:<8} {o.name}{extra}{why}")
            for d in o.differences:
                typer.echo(f"           {d.where}: {d.field} RevMan {_shown(d.stored)}, "
                           f"reviewflow {_shown(d.ours)}")
        for line in review.unsupported:
            typer.echo(f"not checked: {line}")
        agree = report.count(Verdict.AGREES)
        typer.echo(f"{agree} {'outcome agrees' if agree == 1 else 'outcomes agree'}, "
                   f"{report.count(Verdict.DIFFERS)} differ, "
                   f"{report.count(Verdict.SKIPPED)} skipped "
                   f"(numbers to {tolerance.relative:g} relative or {tolerance.absolute:.2g} "
                   f"absolute, P to {tolerance.p:.2g})")
    if not report.agrees:
        raise typer.Exit(1)


@revman_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A RevMan 5 file (.rm5), RevMan data export (.csv) "
                                "or RevMan Web data package (.zip)."),
    folder: Path = typer.Argument(None, show_default=False,
                                  help="New review folder (default: the file's name)."),
) -> None:
    """Start a review from a RevMan file (studies, references, RoB 1, data, analyses).

    Studies with their references as records, characteristics, RoB 1 judgements,
    every outcome as extraction data and every analysis in analyses.toml.

    The file is read and checked completely first: a bad file leaves nothing behind.
    What the extraction model cannot hold yet is listed, never dropped silently.
    """
    from reviewflow.cli.common import fail, globals_of, working
    from reviewflow.revman.plan import plan_import
    from reviewflow.revman.reader import read_any
    from reviewflow.revman.review_import import write_plan
    from reviewflow.store.db import Store
    from reviewflow.store.location import CONFIG_NAME, ReviewConfig

    with working(f"Reading {file.name}"):
        review, _ = read_any(file)
        plan = plan_import(review)
    folder = (folder or file.with_suffix("")).resolve()
    if (folder / CONFIG_NAME).exists():
        raise fail(f"{folder}: already a review folder ({CONFIG_NAME} exists)")
    if folder.exists() and any(folder.iterdir()):
        raise fail(f"{folder}: not empty; give a new folder for the imported review")
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    config = ReviewConfig(folder=folder, title=plan.title, db_url=globals_of(ctx).db)
    try:
        store = Store.create(config.database_url(), title=plan.title)
        try:
            with working("Storing the review"), store.write() as session:
                summary = write_plan(plan, file, session=session)
        finally:
            store.dispose()
        (folder / "extraction_form.toml").write_text(plan.form_text, encoding="utf-8")
        (folder / "analyses.toml").write_text(plan.analyses_text, encoding="utf-8")
        config.save()
    except BaseException:
        _remove_new_review(folder, created)
        raise
    typer.echo(f"Imported {file.name} into {folder}: {plural(summary.studies, 'study')}, "
               f"{plural(summary.records, 'record')}, {plural(summary.values, 'value')}, "
               f"{plural(summary.rob, 'risk-of-bias judgement')}, "
               f"{plural(summary.analyses, 'analysis')}")
    if summary.repeated:
        typer.echo(f"Studies entered more than once in one outcome, imported as entered "
                   f"({plural(len(summary.repeated), 'outcome')}):")
        for line in summary.repeated:
            typer.echo(f"  {line}")
    if summary.not_imported:
        typer.echo(f"Not imported ({len(summary.not_imported)}):")
        for line in summary.not_imported:
            typer.echo(f"  {line}")


@revman_app.command("export")
def export_command(
    ctx: typer.Context,
    out: Path = typer.Option(None, "--out", help="The .rm5 file to write (default: the "
                             "review folder's name with .rm5, in the review folder); a name "
                             "ending in .zip writes a RevMan Web data package."),
) -> None:
    """Write the review as a RevMan 5 file with its computed results (CALCULATED_DATA).

    Studies and references, characteristics, RoB 1, every analysis of analyses.toml as
    an outcome (data, subgroups, settings) and the engine's results, which
    'reviewflow revman check' on the written file re-computes. With --out NAME.zip:
    RevMan Web's data package (analyses, data rows, subgroup estimates, RoB 1).
    """
    from reviewflow.cli.common import open_store, review_config
    from reviewflow.revman.review_export import review_to_revman

    config = review_config(ctx)
    store = open_store(ctx)
    review = review_to_revman(store, config.folder, config.title)
    target = out or config.folder / f"{config.folder.name}.rm5"
    if target.suffix.lower() == ".zip":
        from reviewflow.revman.package_writer import write_data_package
        from reviewflow.revman.results import with_results

        data = write_data_package(with_results(review), ident=target.stem.split("-")[0])
    else:
        from reviewflow.revman.writer import write_rm5

        data = write_rm5(review)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    n_out = sum(len(c.outcomes) for c in review.comparisons)
    typer.echo(f"Wrote {target}: {plural(len(review.studies), 'study')}, "
               f"{plural(len(review.comparisons), 'comparison')}, {plural(n_out, 'outcome')}")


def _remove_new_review(folder: Path, created: bool) -> None:
    """Undo a failed import: only files this command made, in a folder it made or
    found empty."""
    from reviewflow.store.location import CONFIG_NAME, DB_NAME, DB_SIDE_SUFFIXES

    for name in ("extraction_form.toml", "analyses.toml", CONFIG_NAME, DB_NAME,
                 *(f"{DB_NAME}{suffix}" for suffix in DB_SIDE_SUFFIXES)):
        (folder / name).unlink(missing_ok=True)
    if created:
        with contextlib.suppress(OSError):
            folder.rmdir()


def register(app: typer.Typer) -> None:
    app.add_typer(revman_app, name="revman")
