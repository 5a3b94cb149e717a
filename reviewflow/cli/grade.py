"""``reviewflow grade ...``: GRADE certainty per outcome and the summary of findings."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from reviewflow.cli.common import open_store, reading, working, writing
from reviewflow.cli.extraction import REVIEWER, review_folder
from reviewflow.errors import ReviewflowError
from reviewflow.wording import plural

grade_app = typer.Typer(help="GRADE: certainty of the evidence per outcome, summary of "
                        "findings tables.", no_args_is_help=True)


def _folder(ctx: typer.Context) -> Path:
    folder = review_folder(ctx)
    if folder is None:
        raise ReviewflowError("grade needs a review folder holding analyses.toml")
    return folder


def _check_outcome(ctx: typer.Context, outcome: str) -> None:
    from reviewflow.extraction.analyses import declared_names

    names = declared_names(_folder(ctx))
    if outcome not in names:
        raise ReviewflowError(f"no analysis called {outcome!r} (declared: "
                              f"{', '.join(names) or 'none'})")


@grade_app.command("suggest")
def suggest_cmd(ctx: typer.Context,
                analyses: list[str] = typer.Argument(None, help="Analyses (default: all)."),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Prefilled judgements computed from the review, each with the rule that fired."""
    from reviewflow.grade.domains import JUDGEMENT_LABELS, LABELS
    from reviewflow.grade.evidence import review_outcomes

    with working("Pooling the analyses and reading risk of bias"), reading(ctx) as view:
        reviews = review_outcomes(view.reader, _folder(ctx), analyses or None)
    if as_json:
        typer.echo(json.dumps({r.name: [
            {"domain": s.domain.value, "judgement": s.judgement.value if s.judgement else None,
             "rule": s.rule.value, "reason": s.reason} for s in r.suggestions]
            for r in reviews}, indent=2))
        return
    for r in reviews:
        typer.echo(f"{r.name}: {r.title} ({plural(r.evidence.k, 'study')}, "
                   f"{plural(r.evidence.participants, 'participant')})")
        for s in r.suggestions:
            what = JUDGEMENT_LABELS[s.judgement] if s.judgement else "(needs a person)"
            typer.echo(f"  {LABELS[s.domain]:<24} {what:<20} {s.reason} [rule: {s.rule}]")


@grade_app.command("set")
def set_cmd(ctx: typer.Context,
            analysis: str = typer.Argument(..., help="The analysis (outcome) rated."),
            domain: str = typer.Argument(..., help="risk_of_bias, inconsistency, indirectness, "
                                         "imprecision, publication_bias, large_effect, "
                                         "dose_response, plausible_confounding, study_design"),
            judgement: str = typer.Argument(..., help="not_serious | serious | very_serious "
                                            "(upgrading: no_upgrade | upgrade_one | "
                                            "upgrade_two)"),
            reason: str = typer.Option(None, "--reason", help="Why (the SoF footnote)."),
            reviewer: str = REVIEWER) -> None:
    """Record one GRADE judgement as REVIEWER (append-only; the latest counts)."""
    from reviewflow.grade.domains import JUDGEMENT_LABELS, LABELS, parse_domain, parse_judgement
    from reviewflow.grade.judgements import read_current, write_judgement
    from reviewflow.screening.decisions import require_person

    d = parse_domain(domain)
    j = parse_judgement(d, judgement)
    _check_outcome(ctx, analysis)
    with writing(ctx) as view:
        rid = require_person(view.writer.reader, reviewer).id
        write_judgement(writer=view.writer, outcome=analysis, domain=d, judgement=j,
                        reason=reason, reviewer_id=rid)
        grade = read_current(view.writer.reader)[analysis]
    typer.echo(f"{analysis}: {LABELS[d]}: {JUDGEMENT_LABELS[j]}; certainty now "
               f"{grade.certainty.symbols} {grade.certainty.label}")


@grade_app.command("accept")
def accept_cmd(ctx: typer.Context,
               analyses: list[str] = typer.Argument(None, help="Analyses (default: all)."),
               reviewer: str = REVIEWER,
               overwrite: bool = typer.Option(False, "--overwrite",
                                              help="Also replace domains already judged.")) -> None:
    """Record the suggestions as REVIEWER's judgements (the rule becomes the reason).

    Domains that need a person (indirectness, ...) are left for 'grade set'.
    """
    from reviewflow.grade.evidence import review_outcomes
    from reviewflow.grade.judgements import current, record
    from reviewflow.screening.decisions import require_person, require_reviewer
    from reviewflow.store.reader import store_reader

    store = open_store(ctx)
    with store_reader(store) as reader:
        require_person(reader, reviewer)  # refused before the pooling, not after
    with working("Pooling the analyses and reading risk of bias"), \
            store_reader(store) as reader:
        reviews = review_outcomes(reader, _folder(ctx), analyses or None)
    n = 0
    with store.write() as s:
        rid = int(require_reviewer(s, reviewer).id or 0)
        done = current(session=s)
        for r in reviews:
            judged = done[r.name].rated if r.name in done else {}
            for sug in r.suggestions:
                if sug.judgement is None or (sug.domain in judged and not overwrite):
                    continue
                record(session=s, outcome=r.name, domain=sug.domain, judgement=sug.judgement,
                       reason=sug.reason, reviewer_id=rid)
                n += 1
    typer.echo(f"{plural(n, 'judgement')} recorded for {reviewer}; review them with "
               "'reviewflow grade show'")


@grade_app.command("retract")
def retract_cmd(ctx: typer.Context, analysis: str = typer.Argument(...),
                domain: str = typer.Argument(...), reviewer: str = REVIEWER) -> None:
    """Withdraw the judgement in force for one domain (kept in the history)."""
    from reviewflow.grade.domains import LABELS, parse_domain
    from reviewflow.grade.judgements import write_retraction
    from reviewflow.screening.decisions import require_person

    d = parse_domain(domain)
    with writing(ctx) as view:
        rid = require_person(view.writer.reader, reviewer).id
        write_retraction(writer=view.writer, outcome=analysis, domain=d, reviewer_id=rid)
    typer.echo(f"{analysis}: {LABELS[d]} judgement retracted")


@grade_app.command("show")
def show_cmd(ctx: typer.Context, as_json: bool = typer.Option(False, "--json")) -> None:
    """The judgements in force and the certainty of each rated outcome."""
    from reviewflow.grade.domains import JUDGEMENT_LABELS, LABELS
    from reviewflow.grade.judgements import read_current

    with reading(ctx) as view:
        grades = read_current(view.reader)
    if as_json:
        typer.echo(json.dumps({o: {
            "certainty": g.certainty.name.lower(),
            "judgements": {d.value: {"judgement": r.judgement.value, "reason": r.reason,
                                     "reviewer": r.reviewer, "at": r.at.isoformat()}
                           for d, r in g.rated.items()}} for o, g in grades.items()}, indent=2))
        return
    if not grades:
        typer.echo("no GRADE judgements yet ('reviewflow grade suggest' shows suggestions)")
    for outcome, g in grades.items():
        typer.echo(f"{outcome}: {g.certainty.symbols} {g.certainty.label}")
        for d, r in g.rated.items():
            why = f": {r.reason}" if r.reason else ""
            typer.echo(f"  {LABELS[d]:<24} {JUDGEMENT_LABELS[r.judgement]}{why} "
                       f"({r.reviewer}, {r.at:%Y-%m-%d %H:%M})")


@grade_app.command("history")
def history_cmd(ctx: typer.Context, analysis: str = typer.Argument(...)) -> None:
    """Every judgement ever recorded for one outcome, oldest first."""
    from reviewflow.grade.domains import LABELS
    from reviewflow.grade.judgements import read_history

    with reading(ctx) as view:
        rows = read_history(view.reader, analysis)
    if not rows:
        raise ReviewflowError(f"no GRADE judgements recorded for {analysis!r}")
    for h in rows:
        typer.echo(f"{h.at:%Y-%m-%d %H:%M} {h.reviewer}: {LABELS[h.domain]} -> {h.judgement}"
                   + (f" ({h.reason})" if h.reason else ""))


@grade_app.command("sof")
def sof_cmd(ctx: typer.Context,
            out: Path = typer.Option(None, "--out", "-o",
                                     help="Output folder (default <review>/grade)."),
            comparison: str = typer.Option("", "--comparison",
                                           help="Title for outcomes without [grade.*] "
                                           "comparison.")) -> None:
    """Summary of findings tables: sof.csv, sof.docx and sof.html."""
    from reviewflow.grade.review_sof import review_sof
    from reviewflow.grade.sof_output import to_html, write_csv, write_docx
    from reviewflow.store.review_heading import read_review_heading

    folder = _folder(ctx)
    out_dir = out or folder / "grade"
    out_dir.mkdir(parents=True, exist_ok=True)
    with working("Pooling the analyses for the summary of findings"), reading(ctx) as view:
        tables = review_sof(view.reader, folder, default_comparison=comparison)
        title = read_review_heading(view.reader).title
    files = [write_csv(tables, out_dir / "sof.csv"),
             write_docx(tables, out_dir / "sof.docx", review_title=title)]
    html_path = out_dir / "sof.html"
    html_path.write_text(f"<!doctype html><meta charset='utf-8'><title>Summary of findings"
                         f"</title>{to_html(tables)}", encoding="utf-8")
    files.append(html_path)
    rows = sum(len(t.rows) for t in tables)
    typer.echo(f"{plural(len(tables), 'summary of findings table')}, {plural(rows, 'outcome')}: "
               + ", ".join(str(f) for f in files))


def register(app: typer.Typer) -> None:
    app.add_typer(grade_app, name="grade")
