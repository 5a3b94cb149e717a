"""The schema of ``analyses.toml`` (one ``[[analysis]]`` table per analysis).

This model is where the keys and their types are enforced (strictly: see
:mod:`reviewflow.config_schema`). A new key is added here and, with the same
default, as a field of :class:`reviewflow.extraction.analyses.Analysis` (built from
the validated entry key by key), and documented in that module's docstring, the
``analyse --init`` starter and ``docs/extraction.md``;
``tests/extraction/test_analyses_keys.py`` fails until all five agree.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from reviewflow.config_schema import STRICT
from reviewflow.paths import SAFE_NAME_RULE, is_safe_name


def _safe(name: str) -> str:
    if not is_safe_name(name):
        raise ValueError(SAFE_NAME_RULE)
    return name


def _no_blank(values: list[str]) -> list[str]:
    if any(not v.strip() for v in values):
        raise ValueError("study labels may not be empty")
    return values


class AnalysisEntry(BaseModel):
    model_config = STRICT

    name: Annotated[str, AfterValidator(_safe)]
    outcome: str
    measure: str
    measure_label: str = ""
    method: str = "IV"
    model: str = "random"
    title: str = ""
    subgroup: str | None = None
    tau2: str = "DL"
    hksj: bool = False
    smd_convention: str = "revman"
    where: dict[str, str | int | float] = Field(default_factory=dict)
    exclude: Annotated[list[str], AfterValidator(_no_blank)] = Field(default_factory=list)
    leave_one_out: bool = False
    intervention: str | list[str] = Field(default_factory=list)
    comparator: str | list[str] = Field(default_factory=list)
    multi_arm: str = "split"
    convert: str | None = None
    reported_only: bool = False
    correlation: float | int | str | None = None
    icc: float | int | None = None
    lower_bound: float | int | None = None
    rob_columns: bool | str | None = None
    prediction_interval: bool = False
    level: float | int = 0.95
    swap_events: bool = False
    revman: dict[str, Any] = Field(default_factory=dict)
    # A study pooled more than once, each entry as RevMan's author entered it (entries 2,
    # 3... of a study are kept in the form outcomes listed in entry_outcomes).
    repeated_study_entries: str | None = None
    entry_outcomes: list[str] = Field(default_factory=list)


class AnalysesFile(BaseModel):
    """The whole file. Sections other modules own are typed loosely here and checked
    there; a new top-level section must be added here, or it is refused as a typo."""

    model_config = STRICT

    analysis: list[AnalysisEntry] = Field(default_factory=list)
    # [[meta_regression]] tables are checked by reviewflow.extraction.metareg_analyses
    meta_regression: list[dict[str, Any]] = Field(default_factory=list)
    # [grade.<analysis>] tables are checked by reviewflow.grade.settings
    grade: dict[str, Any] = Field(default_factory=dict)
