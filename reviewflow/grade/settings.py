"""What the review sets for GRADE and the summary of findings, per analysis.

Read from ``[grade.<analysis name>]`` tables in ``analyses.toml`` (beside the
``[[analysis]]`` declarations they refer to)::

    [grade.vas]
    comparison = "MSC versus placebo"   # groups outcomes into one SoF table
    label = "Pain (VAS, 0-10)"          # the outcome as the SoF table names it
    design = "randomised"               # or "non_randomised" (starts at low)
    thresholds = [-0.5, 0.5]            # decision thresholds (natural scale) for imprecision
    ois = 400                           # optimal information size, participants
    assumed_risk = 0.25                 # dichotomous: the comparator risk, or "median"
                                        # (the default) or "pooled" control-arm risk
    comparator_mean = "mean pain 6.1"   # continuous: what the comparator group had
    comments = "..."                    # the SoF table's comments column
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from reviewflow.errors import ReviewflowError
from reviewflow.grade.domains import Judgement
from reviewflow.wording import plural

KEYS = {"comparison", "label", "design", "thresholds", "ois", "assumed_risk",
        "comparator_mean", "comments"}


@dataclass(frozen=True)
class GradeSettings:
    comparison: str = ""
    label: str = ""
    design: Judgement = Judgement.RANDOMISED
    thresholds: tuple[float, float] | None = None
    ois: int | None = None
    assumed_risk: float | None = None
    assumed_from: str = "median"  # when assumed_risk is not a number: "median" | "pooled"
    comparator_mean: str | None = None
    comments: str = ""


def parse_settings(text: str, source: str = "analyses.toml") -> dict[str, GradeSettings]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewflowError(f"{source}: not valid TOML ({exc})") from None
    grade = data.get("grade", {})
    if not isinstance(grade, dict):
        raise ReviewflowError(f"{source}: [grade.<analysis>] tables expected")
    return {str(name): _one(table, f"{source}, [grade.{name}]") for name, table in grade.items()}


def _one(d: object, where: str) -> GradeSettings:
    if not isinstance(d, dict):
        raise ReviewflowError(f"{where}: must be a table")
    unknown = set(d) - KEYS
    if unknown:
        raise ReviewflowError(f"{where}: {plural(len(unknown), 'unknown key')}: "
                              f"{', '.join(sorted(unknown))}")
    thresholds = d.get("thresholds")
    if thresholds is not None and (
            not isinstance(thresholds, list) or len(thresholds) != 2
            or not all(isinstance(x, int | float) for x in thresholds)):
        raise ReviewflowError(f"{where}: thresholds must be two numbers, e.g. [0.8, 1.25]")
    risk = d.get("assumed_risk")
    assumed_from = "median"
    if isinstance(risk, str) and risk.lower() in ("median", "pooled"):
        assumed_from, risk = risk.lower(), None
    if risk is not None and not (isinstance(risk, int | float) and 0 < risk < 1):
        raise ReviewflowError(f"{where}: assumed_risk must be a proportion between 0 and 1, "
                              "\"median\" or \"pooled\"")
    ois = d.get("ois")
    if ois is not None and not (isinstance(ois, int) and ois > 0):
        raise ReviewflowError(f"{where}: ois must be a whole number of participants")
    design = str(d.get("design", "randomised")).lower().replace("-", "_")
    if design not in ("randomised", "non_randomised"):
        raise ReviewflowError(f"{where}: design must be randomised or non_randomised")
    mean = d.get("comparator_mean")
    return GradeSettings(
        comparison=str(d.get("comparison", "")), label=str(d.get("label", "")),
        design=Judgement(design),
        thresholds=(float(thresholds[0]), float(thresholds[1])) if thresholds else None,
        ois=ois, assumed_risk=float(risk) if risk is not None else None,
        assumed_from=assumed_from,
        comparator_mean=None if mean is None else str(mean), comments=str(d.get("comments", "")))


def load_settings(folder: Path | None) -> dict[str, GradeSettings]:
    if folder is None:
        return {}
    path = folder / "analyses.toml"
    if not path.is_file():
        return {}
    return parse_settings(path.read_text(encoding="utf-8"), str(path))
