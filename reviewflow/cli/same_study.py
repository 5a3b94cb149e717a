"""``reviewflow same-study``: reports of one trial in two languages, linked by a person."""

from __future__ import annotations

import getpass
import os

import typer

from reviewflow.cli.common import reading, writing
from reviewflow.titles import titles_of
from reviewflow.wording import plural


def _who(by: str | None) -> str:
    return by or os.environ.get("USER") or getpass.getuser() or "reviewer"


def same_study(
    ctx: typer.Context,
    link: tuple[int, int] = typer.Option(None, "--link", help="Records A B are one "
                                         "study (reports of one trial): link them."),
    reject: tuple[int, int] = typer.Option(None, "--reject", help="Records A B are "
                                           "not one study: stop suggesting them."),
    unlink_pair: tuple[int, int] = typer.Option(None, "--unlink", help="Undo a --link of "
                                                "records A B: two studies again."),
    by: str = typer.Option(None, "--reviewer", "-r", envvar="REVIEWFLOW_REVIEWER",
                           help="Who decides (default $REVIEWFLOW_REVIEWER, else your login)."),
) -> None:
    """Related: same study? Reports in two languages that may be one trial, to link.

    Suggested by registration number, English title, or authors across
    transliteration; a person links or rejects each pair. Linked reports stay
    separate records (never merged as duplicates): PRISMA counts them as one study
    with several reports and extraction is done once per study.
    """
    if not any(pair and pair[0] is not None for pair in (link, reject, unlink_pair)):
        _list(ctx)
        return
    from reviewflow.linking.open_pairs import read_open_pairs
    from reviewflow.linking.service import link_reports, reject_reports, unlink_reports

    with writing(ctx) as view:
        writer = view.writer
        if link and link[0] is not None:
            evidence = [sug.evidence() for sug in read_open_pairs(writer.reader, link).suggestions
                        if {sug.a, sug.b} == set(link)]  # kept with the decision
            study = link_reports(link[0], link[1], writer=writer, by=_who(by), reasons=evidence)
            said = f"records {link[0]} and {link[1]}: one study ({study.label})"
        elif unlink_pair and unlink_pair[0] is not None:
            study = unlink_reports(unlink_pair[0], unlink_pair[1], writer=writer, by=_who(by))
            said = (f"records {unlink_pair[0]} and {unlink_pair[1]}: two studies again "
                    f"({study.label!r} has its own reports, values and judgements)")
        else:
            reject_reports(reject[0], reject[1], writer=writer, by=_who(by))
            said = f"records {reject[0]} and {reject[1]}: not one study"
    typer.echo(said)


def _list(ctx: typer.Context) -> None:
    """The open suggestions, read through the read seam (no ORM: issue 22)."""
    from reviewflow.linking.open_pairs import read_open_pairs

    with reading(ctx) as view:
        pairs = read_open_pairs(view.reader)
    if not pairs.suggestions:
        typer.echo("No reports to link: no likely pairs across languages.")
        return
    for sug in pairs.suggestions:
        typer.echo(f"related: same study?  records {sug.a} and {sug.b} ({sug.evidence()})")
        for rid in (sug.a, sug.b):
            rec = pairs.records[rid]
            line = titles_of(rec.title, rec.translated_title, rec.language).line(110)
            typer.echo(f"    {rid:>6}  {rec.year or '----'}  {line}")
    typer.echo(f"{plural(len(pairs.suggestions), 'pair')}: 'reviewflow same-study --link A B' "
               "or '--reject A B'")


def register(app: typer.Typer) -> None:
    app.command("same-study")(same_study)
