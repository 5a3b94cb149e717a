"""`reviewflow pool FILE.csv ...`: pool a CSV of study data (issue 5 contract).

The option names and the JSON shape are a contract with outside tools; change
them only with a deprecation path.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reviewflow.cli._pool_beyond import run_beyond
from reviewflow.errors import InputError, ReviewflowError
from reviewflow.pooling.types import Measure, Method, Model, Tau2Method

if TYPE_CHECKING:
    import pandas as pd


class SmdChoice(StrEnum):
    revman = "revman"
    metafor = "metafor"


PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def read_study_csv(path: Path) -> pd.DataFrame:
    """Read every cell as text so that validation can name the bad cell."""
    import pandas as pd

    if not path.is_file():
        raise ReviewflowError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(str(path), None, f"not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def pool_command(
    file: Path = typer.Argument(..., help="CSV with a header row (columns listed above)."),
    measure: Measure = typer.Option(..., "--measure", help="Effect measure."),
    method: Method = typer.Option(..., "--method", help="Pooling method."),
    model: Model = typer.Option(..., "--model", help="Fixed or random effects."),
    tau2: Tau2Method = typer.Option(Tau2Method.DL, "--tau2", help="Tau² estimator (random)."),
    hksj: bool = typer.Option(False, "--hksj", help="Hartung-Knapp-Sidik-Jonkman adjustment."),
    subgroup: str | None = typer.Option(None, "--subgroup", help="Column naming subgroups."),
    smd_convention: SmdChoice = typer.Option(SmdChoice.revman, "--smd-convention"),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON result."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a forest plot (.png/.svg/.pdf)."),
    arms: str = typer.Option("Experimental,Control", "--arms",
                             help="The two arms' names for the headings, e.g. 'MSC,Control'."),
    moderator: list[str] = typer.Option(
        [], "--moderator", help="Meta-regression on this column (repeatable): numbers are a "
        "covariate, text a factor (first level in sorted order is the reference)."),
    trim_fill: bool = typer.Option(False, "--trim-fill",
                                   help="Trim-and-fill (L0) on the chosen model."),
    permutations: int = typer.Option(0, "--permutations", min=0,
                                     help="Permutation test of the moderators (iterations)."),
) -> None:
    """Meta-analyse a CSV of studies, RevMan 5 style.

    Columns: dichotomous study,events_treat,n_treat,events_ctrl,n_ctrl;
    continuous study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl;
    generic study,estimate,se (log scale for ratios).
    """
    from reviewflow.pooling import meta_analysis, result_to_json_dict
    from reviewflow.pooling.text_table import render_text

    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise ReviewflowError(f"--plot: use a .png, .svg or .pdf file name, not {plot.name!r}")
    groups = tuple(a.strip() for a in arms.split(","))
    if len(groups) != 2 or not all(groups):
        raise ReviewflowError(f"--arms: give two names separated by a comma, not {arms!r}")
    frame = read_study_csv(file)
    result = meta_analysis(
        frame, subgroup=subgroup, source=str(file), measure=measure.value,
        method=method.value, model=model.value, tau2_method=tau2.value, hksj=hksj,
        smd_convention=smd_convention.value,
    )
    beyond = run_beyond(frame, result, source=str(file), subgroup=subgroup,
                        moderators=moderator, trim_fill=trim_fill, permutations=permutations)
    if plot is not None:
        from reviewflow.pooling.plots import save_forest_plot

        left, right = groups
        named = {} if arms == "Experimental,Control" else {
            "favours": (f"Favours [{left}]", f"Favours [{right}]")}
        save_forest_plot(result, plot, groups=(left, right), **named)
    if as_json:
        payload = result_to_json_dict(result)
        payload.update(beyond.json if beyond else {})
        typer.echo(json.dumps(payload, indent=2))
    else:
        typer.echo(render_text(result, (groups[0], groups[1])), nl=False)
        if beyond:
            typer.echo(beyond.text, nl=False)


def register(app: typer.Typer) -> None:
    app.command("pool")(pool_command)
