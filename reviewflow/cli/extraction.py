"""``reviewflow extraction ...``: form, studies, dual extraction, spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reviewflow.cli.common import open_store, reading, review_config, writing
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.form import FORM_FILE
from reviewflow.wording import plural

# The store and the extraction modules are imported by the commands that use them, so
# `reviewflow extraction --help` (and `analyse`, which shares review_folder) starts
# without SQLAlchemy (issue 22).
if TYPE_CHECKING:
    from reviewflow.extraction.form_versions import FormInForce
    from reviewflow.store.db import Store
    from reviewflow.store.writer import Writer

extraction_app = typer.Typer(help="Extraction form, studies, dual extraction, spreadsheets.",
                             no_args_is_help=True)
study_app = typer.Typer(help="Studies (trials) and the reports linked to them.",
                        no_args_is_help=True)
extraction_app.add_typer(study_app, name="study")

REVIEWER = typer.Option(..., "--reviewer", "-r", envvar="REVIEWFLOW_REVIEWER",
                        help="Who is extracting (or $REVIEWFLOW_REVIEWER).")


def review_folder(ctx: typer.Context) -> Path | None:
    """The review folder, or None when the store was named by --db alone."""
    try:
        return review_config(ctx).folder
    except ReviewflowError:
        return None


def store_and_pending_form(ctx: typer.Context) -> tuple[Store, FormInForce]:
    """For commands that write values: the form in force is stored (if new) in the
    same transaction as the values, so a refused input changes nothing."""
    from reviewflow.extraction.form_versions import form_in_force

    store = open_store(ctx)
    return store, form_in_force(store, review_folder(ctx))


def pending_form(ctx: typer.Context, writer: Writer) -> FormInForce:
    """For commands that write values: the form in force, read in the command's write
    transaction and stored (if new) with the values, so a refused input changes nothing."""
    from reviewflow.extraction.form_versions import read_form_in_force

    return read_form_in_force(writer.reader, review_folder(ctx))


@extraction_app.command("form")
def form_cmd(
    ctx: typer.Context,
    init: bool = typer.Option(False, "--init", help=f"Write the generic RCT form to {FORM_FILE}"
                              " (any topic: rename its outcomes, add your fields)."),
    example: str = typer.Option(None, "--example", metavar="NAME", help="With --init: write "
                                "a worked example instead (msc: the MSC model case, with cell "
                                "source, pain VAS, SLEDAI...)."),
) -> None:
    """Show the extraction form in force (an edited file is stored as a new version with
    the first value written under it, never by showing it)."""
    from reviewflow.extraction.form_versions import read_form_in_force, write_default_form

    folder = review_folder(ctx)
    if example and not init:
        raise typer.BadParameter("--example goes with --init", param_hint="--example")
    if init:
        if folder is None:
            raise ReviewflowError("--init needs a review folder (not --db alone)")
        path, written = write_default_form(folder, example)
        typer.echo(f"Form file: {path}" + ("" if written else
                                           " (already there: kept, not overwritten)"))
    with reading(ctx) as view:  # showing the form stores nothing: no ORM (issue 22)
        pending = read_form_in_force(view.reader, folder)
    form = pending.form
    typer.echo(f"{form.name} (" + (f"stored form id {pending.stored_id})"
                                   if pending.stored_id is not None else
                                   "edited: stored as a new version with the first value "
                                   "written under it)"))
    typer.echo("Study fields: " + ", ".join(f.name for f in form.study_fields))
    typer.echo("Arms: " + ", ".join(f"{a.id} ({a.label}, {a.role})" for a in form.arms))
    for o in form.outcomes:
        extra = f"; also {', '.join(o.reported)}" if o.reported else ""
        typer.echo(f"Outcome {o.id}: {o.label}, {o.type}, {o.unit or 'no unit'}, "
                   f"{o.time_point or 'no time point'}, {o.direction.replace('_', ' ')}{extra}")


@study_app.command("add")
def study_add(
    ctx: typer.Context,
    label: str = typer.Argument(..., help="Label, e.g. 'Smith 2019'."),
    record: list[int] = typer.Option([], "--record", help="Record id of a report (repeatable)."),
) -> None:
    """Create a study, optionally with its reports (the first is the primary one)."""
    from reviewflow.extraction.studies import add_study

    with writing(ctx) as view:
        st = add_study(writer=view.writer, label=label, record_ids=record)
    typer.echo(f"Study {st.label!r} (id {st.id}), reports: {list(st.record_ids) or 'none'}")


@study_app.command("link")
def study_link(ctx: typer.Context, label: str = typer.Argument(...),
               record_id: int = typer.Argument(...)) -> None:
    """Link another report (record) to a study."""
    from reviewflow.extraction.studies import add_report

    with writing(ctx) as view:
        st = add_report(writer=view.writer, label=label, record_id=record_id)
    typer.echo(f"Study {st.label!r}: reports {list(st.record_ids)}")


@study_app.command("from-included")
def study_from_included(ctx: typer.Context) -> None:
    """One study per record included at full text that has no study yet."""
    from reviewflow.extraction.studies import add_studies_from_included

    with writing(ctx) as view:
        made = add_studies_from_included(writer=view.writer)
    for st in made:
        typer.echo(f"{st.label} <- record {st.record_ids[0]}")
    typer.echo(f"{plural(len(made), 'study')} created")


@study_app.command("merge")
def study_merge(
    ctx: typer.Context,
    keep: str = typer.Argument(..., help="Label of the study that stays (it names the trial)."),
    absorb: str = typer.Argument(..., help="Label of the study that joins it."),
    by: str = typer.Option(None, "--reviewer", "-r", envvar="REVIEWFLOW_REVIEWER",
                           help="Who decides (default $REVIEWFLOW_REVIEWER, else your login)."),
) -> None:
    """Two studies are one trial: merge them (reports, values and risk of bias count once).

    Refused, naming the fields, when a value would be hidden (one reviewer's two
    values differ, or a consensus differs from a value); differing values of two
    reviewers become discrepancies. Undo with 'extraction study unmerge'."""
    from reviewflow.cli.same_study import _who
    from reviewflow.extraction.studies import find_study
    from reviewflow.linking.merge import write_merge

    with writing(ctx) as view:
        kept, gone = find_study(view.writer.reader, keep), find_study(view.writer.reader, absorb)
        write_merge(kept.id, gone.id, writer=view.writer, by=_who(by))
        st = find_study(view.writer.reader, kept.label)
    typer.echo(f"Study {gone.label!r} merged into {st.label!r}: reports "
               f"{', '.join(map(str, st.record_ids)) or '-'}")


@study_app.command("unmerge")
def study_unmerge(
    ctx: typer.Context,
    label: str = typer.Argument(..., help="Label of the study to take out again."),
    by: str = typer.Option(None, "--reviewer", "-r", envvar="REVIEWFLOW_REVIEWER",
                           help="Who decides (default $REVIEWFLOW_REVIEWER, else your login)."),
) -> None:
    """Take a merged study out again: it gets back its own reports, values and judgements."""
    from reviewflow.cli.same_study import _who
    from reviewflow.linking.merge import unmerge_labelled

    with writing(ctx) as view:
        name, into_label = unmerge_labelled(label, writer=view.writer, by=_who(by))
    typer.echo(f"Study {name!r} taken out of {into_label!r}: each has its own reports, "
               "values and judgements again")


@study_app.command("list")
def study_list(ctx: typer.Context) -> None:
    """Studies and their reports."""
    from reviewflow.review_state.load import read_study_links

    with reading(ctx) as view:
        links = read_study_links(view.reader)
    for sid, label, reports, _ in links:
        typer.echo(f"{sid}\t{label}\treports: {', '.join(map(str, reports)) or '-'}")


@extraction_app.command("set")
def set_cmd(
    ctx: typer.Context,
    study: str = typer.Argument(..., help="Study label."),
    field: str = typer.Argument(..., help="Field path, e.g. study/country or "
                                "outcome/pain_vas/arm/treat/mean."),
    value: str = typer.Argument(..., help="The value ('' clears it)."),
    reviewer: str = REVIEWER,
) -> None:
    """Record one value as REVIEWER's extraction."""
    from reviewflow.extraction.studies import find_study
    from reviewflow.extraction.values import write_values
    from reviewflow.screening.decisions import require_person

    with writing(ctx) as view:
        pending = pending_form(ctx, view.writer)
        st = find_study(view.writer.reader, study)
        rid = require_person(view.writer.reader, reviewer).id
        n = write_values(writer=view.writer, form=pending.form, form_id=pending,
                         reviewer_id=rid, entries=[(st.id, field, value)])
    typer.echo("saved" if n else "unchanged")


@extraction_app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Per study: values each extractor entered, values agreed, discrepancies open."""
    from reviewflow.extraction.reconcile import read_progress

    with reading(ctx) as view:
        rows = read_progress(view.reader)
    for p in rows:
        who = ", ".join(f"{k} {v}" for k, v in p.filled.items()) or "not extracted"
        typer.echo(f"{p.study}\t{who}\tagreed {p.agreed}\topen {p.open}")
    typer.echo(f"{plural(len(rows), 'study')}, {sum(p.open == 0 and p.agreed > 0 for p in rows)} "
               f"reconciled, {plural(sum(p.open for p in rows), 'open discrepancy')}")


@extraction_app.command("compare")
def compare_cmd(ctx: typer.Context, study: str = typer.Option(None, "--study")) -> None:
    """List the fields where the extractors disagree (or only one has extracted)."""
    from reviewflow.extraction.reconcile import read_reconciled

    with reading(ctx) as view:
        rec = read_reconciled(view.reader)
    items = [d for d in rec.discrepancies if study is None or d.study.lower() == study.lower()]
    for d in items:
        typer.echo(d.describe())
    typer.echo(f"{plural(len(items), 'unresolved discrepancy')}")


@extraction_app.command("resolve")
def resolve_cmd(
    ctx: typer.Context,
    study: str = typer.Argument(...),
    field: str = typer.Argument(...),
    value: str = typer.Argument(..., help="The agreed value ('' for: leave empty)."),
    reviewer: str = REVIEWER,
) -> None:
    """Settle a field by consensus; analyses use this value."""
    from reviewflow.extraction.studies import find_study
    from reviewflow.extraction.values import write_consensus
    from reviewflow.screening.decisions import require_person

    with writing(ctx) as view:
        pending = pending_form(ctx, view.writer)
        st = find_study(view.writer.reader, study)
        rid = require_person(view.writer.reader, reviewer).id
        write_consensus(writer=view.writer, form=pending.form, form_id=pending, study_id=st.id,
                        reviewer_id=rid, path=field, value=value)
    typer.echo(f"{st.label} {field}: resolved")


@extraction_app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", "-f", help="csv or xlsx."),
    out: Path = typer.Option(None, "--out", "-o", help="File (default extraction.<format>)."),
    reviewer: str = typer.Option(None, "--reviewer", "-r",
                                 help="Export this reviewer's values (default: reconciled)."),
) -> None:
    """Write the extraction as a spreadsheet (one row per study and outcome)."""
    from reviewflow.extraction.transfer import export_extraction

    # An export reads: the form in force lays out the sheet but is not stored as a new
    # version (only a command that writes values records the form they were entered on).
    store, pending = store_and_pending_form(ctx)
    form = pending.form
    fmt = fmt.lower()
    out = out or Path(f"extraction.{fmt}")
    n, rec = export_extraction(store, form, out, fmt, reviewer)
    typer.echo(f"{plural(n, 'row')} -> {out}")
    if rec is not None and rec.discrepancies:
        typer.echo(f"note: {len(rec.discrepancies)} unresolved discrepancies left empty "
                   "(see 'reviewflow extraction compare')", err=True)


@extraction_app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV or XLSX in the export layout."),
    reviewer: str = REVIEWER,
    create_studies: bool = typer.Option(False, "--create-studies",
                                        help="Create studies the file names that do not exist."),
) -> None:
    """Import REVIEWER's extraction from a spreadsheet (all or nothing)."""
    from reviewflow.extraction.transfer import write_import

    with writing(ctx) as view:  # one transaction: studies, links and values, or nothing
        pending = pending_form(ctx, view.writer)
        rows, written = write_import(writer=view.writer, form=pending.form, form_id=pending,
                                     path=file, reviewer=reviewer,
                                     create_studies=create_studies)
    typer.echo(f"{plural(rows, 'row')} read, {plural(written, 'value')} stored for {reviewer}")


def register(app: typer.Typer) -> None:
    app.add_typer(extraction_app, name="extraction")
