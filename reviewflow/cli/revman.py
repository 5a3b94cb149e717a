"""`reviewflow revman check|import|export`: RevMan 5 files in and out."""

from __future__ import annotations

import json
import math
from pathlib import Path

import typer

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
                                "or RevMan's data export (.csv)."),
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
        typer.echo(f"{report.count(Verdict.AGREES)} outcomes agree, "
                   f"{report.count(Verdict.DIFFERS)} differ, "
                   f"{report.count(Verdict.SKIPPED)} skipped "
                   f"(numbers to {tolerance.relative:g} relative or {tolerance.absolute:.2g} "
                   f"absolute, P to {tolerance.p:.2g})")
    if not report.agrees:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(revman_app, name="revman")
