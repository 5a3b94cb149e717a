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

from reviewflow.cli._pool_beyond import run_beyond, write_beyond_plots
from reviewflow.errors import InputError, ReviewflowError
from reviewflow.pooling.types import Measure, Method, Model, Tau2Method

if TYPE_CHECKING:
    import pandas as pd


class MultiArmChoice(StrEnum):
    split = "split"
    combine = "combine"


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
    measure_label: str = typer.Option(
        "", "--measure-label", metavar="NAME",
        help="The author's own name of a generic RATIO or DIFFERENCE, e.g. 'Ratio of "
             "means' (as analyses.toml's measure_label): every output names it so."),
    method: Method = typer.Option(..., "--method", help="Pooling method."),
    model: Model = typer.Option(..., "--model", help="Fixed or random effects."),
    tau2: Tau2Method = typer.Option(Tau2Method.DL, "--tau2", help="Tau² estimator (random)."),
    hksj: bool = typer.Option(False, "--hksj", help="Hartung-Knapp-Sidik-Jonkman adjustment."),
    subgroup: str | None = typer.Option(None, "--subgroup", help="Column naming subgroups."),
    smd_convention: SmdChoice = typer.Option(SmdChoice.revman, "--smd-convention"),
    level: float = typer.Option(0.95, "--level", metavar="LEVEL",
                                help="Confidence level of every interval, e.g. 0.9 "
                                     "(as analyses.toml's level)."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON result."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a forest plot (.png/.svg/.pdf)."),
    arms: str = typer.Option("Experimental,Control", "--arms",
                             help="The two arms' names for the headings, e.g. 'MSC,Control'."),
    moderator: list[str] = typer.Option(
        [], "--moderator", metavar="COL",
        help="Meta-regression on this column (repeatable): numbers are a covariate, text a "
             "factor (first level in sorted order is the reference)."),
    trim_fill: bool = typer.Option(False, "--trim-fill",
                                   help="Trim-and-fill (L0) on the chosen model."),
    permutations: int = typer.Option(0, "--permutations", min=0, metavar="N",
                                     help="Permutation test of the moderators (iterations)."),
    prediction_interval: bool = typer.Option(
        False, "--prediction-interval", help="Draw the prediction interval under the "
        "random-effects diamond in --plot."),
    funnel: Path | None = typer.Option(
        None, "--funnel", metavar="FILE",
        help="Write a contour-enhanced funnel plot (with --trim-fill: the filled funnel)."),
    bubble: Path | None = typer.Option(
        None, "--bubble", metavar="FILE",
        help="Write a bubble plot of the first numeric --moderator."),
    convert: str | None = typer.Option(
        None, "--convert", metavar="METHOD",
        help="Median -> mean/SD method: luo2018 (default: Luo 2018 mean, Wan 2014 SD, Shi "
             "2020 SD from all five numbers), wan2014, shi2020, hozo2005, bland2015, or "
             "MEAN/SD such as wan2014/shi2020."),
    correlation: str | None = typer.Option(
        None, "--correlation", metavar="R",
        help="Baseline-final correlation for change-from-baseline SDs (sd_baseline_*, "
             "sd_final_* columns), or 'studies' to impute it from arms giving all three SDs."),
    icc: float | None = typer.Option(
        None, "--icc", metavar="ICC",
        help="An assumed ICC for cluster-trial arms giving clusters_* or cluster_size but no "
             "icc (design effect 1 + (M - 1) ICC, Handbook 23.1.4; marked imputed)."),
    multi_arm: MultiArmChoice = typer.Option(
        MultiArmChoice.split, "--multi-arm",
        help="Long layout, several intervention arms: split the shared control (Handbook "
             "23.3.4) or combine the arms (6.5.2.10)."),
) -> None:
    """Meta-analyse a CSV of studies, RevMan 5 style.

    Columns: dichotomous study,events_treat,n_treat,events_ctrl,n_ctrl;
    continuous study,mean_treat,sd_treat,n_treat,mean_ctrl,sd_ctrl,n_ctrl;
    generic study,estimate,se (log scale for ratios). Per arm also
    median_*,q1_*,q3_*,min_*,max_*,se_*,ci_low_*,ci_high_* (* = treat, ctrl) or
    percent_*: mean and SD (events) are derived where missing. Long layout, one row
    per arm: study,arm,role,n,mean,sd (or events), role intervention or control.
    """
    from reviewflow.pooling import meta_analysis, result_to_json_dict
    from reviewflow.pooling.formatting import level_is_valid
    from reviewflow.pooling.text_table import render_text

    if not level_is_valid(level):
        raise ReviewflowError(f"--level: give the confidence level as a fraction from 0.5 "
                              f"up to 1 (e.g. 0.9 for 90%), not {level:g}")
    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise ReviewflowError(f"--plot: use a .png, .svg or .pdf file name, not {plot.name!r}")
    if measure_label.strip() and measure not in (Measure.RATIO, Measure.DIFFERENCE):
        raise ReviewflowError(f"--measure-label: names a generic RATIO or DIFFERENCE; "
                              f"{measure} keeps its standard name")
    groups = tuple(a.strip() for a in arms.split(","))
    if len(groups) != 2 or not all(groups):
        raise ReviewflowError(f"--arms: give two names separated by a comma, not {arms!r}")
    frame = read_study_csv(file)
    arm_input = _arm_level_input(frame, file, measure, subgroup, convert, multi_arm,
                                 correlation, icc)
    data = arm_input.study_table() if arm_input is not None else frame
    result = meta_analysis(
        data, subgroup=subgroup, source=str(file), measure=measure.value,
        measure_label=measure_label, method=method.value, model=model.value,
        tau2_method=tau2.value, hksj=hksj,
        smd_convention=smd_convention.value, level=level,
    )
    for path, flag in ((funnel, "--funnel"), (bubble, "--bubble")):
        if path is not None and path.suffix.lower() not in PLOT_SUFFIXES:
            raise ReviewflowError(f"{flag}: use a .png, .svg or .pdf file name, not "
                                  f"{path.name!r}")
    beyond = run_beyond(data, result, source=str(file), subgroup=subgroup,
                        moderators=moderator, trim_fill=trim_fill, permutations=permutations,
                        original=frame)
    write_beyond_plots(data, result, beyond, source=str(file), funnel=funnel, bubble=bubble)
    if plot is not None:
        from reviewflow.pooling.plots import save_forest_plot

        left, right = groups
        named = {} if arms == "Experimental,Control" else {
            "favours": (f"Favours [{left}]", f"Favours [{right}]")}
        save_forest_plot(result, plot, groups=(left, right), **named, **_marks(arm_input),
                         prediction_interval=prediction_interval)
    if as_json:
        doc = result_to_json_dict(result)
        if arm_input is not None:
            doc["input"] = arm_input.trace()
        doc.update(beyond.json if beyond else {})
        typer.echo(json.dumps(doc, indent=2))
    else:
        typer.echo(render_text(result, (groups[0], groups[1]), **_marks(arm_input)), nl=False)
        if beyond:
            typer.echo(beyond.text, nl=False)


def _arm_level_input(frame: pd.DataFrame, file: Path, measure: Measure, subgroup: str | None,
                     convert: str | None, multi_arm: MultiArmChoice, correlation: str | None,
                     icc: float | None = None):
    """The traced arm-level input when the CSV has arm-level columns or is long; None for
    a plain engine CSV (pooled exactly as given, JSON unchanged)."""
    from reviewflow.pooling.arm_csv import input_from_frame, needs_arm_path, refuse_double_counting

    refuse_double_counting(frame, source=str(file))
    if not needs_arm_path(frame):
        if convert is not None:
            raise ReviewflowError("--convert: the file has no median, quartile, range, SE or "
                                  "CI columns to convert")
        if icc is not None:
            raise ReviewflowError("--icc: the file has no cluster columns (clusters_*, "
                                  "cluster_size)")
        return None
    return input_from_frame(frame, source=str(file), measure=measure, subgroup=subgroup,
                            convert=convert, multi_arm=multi_arm.value,
                            correlation=correlation, icc=icc)


def _marks(arm_input) -> dict:
    """Footnote symbols for converted/imputed rows (none for a plain CSV)."""
    if arm_input is None:
        return {}
    from reviewflow.pooling.trial_data import footnote

    marks = arm_input.marks()
    return {"marks": marks, "footnote": footnote(marks)} if marks else {}


def register(app: typer.Typer) -> None:
    app.command("pool")(pool_command)
