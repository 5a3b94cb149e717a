"""The schema of an extraction form file (``extraction_form.toml``).

Enforced strictly before the form is built (see :mod:`reviewflow.config_schema`):
an unknown key (``choises``), a string where a list belongs, or a number where
text belongs is one line naming the file and key, instead of being ignored or
coerced. Rules across fields (two arms, names unique, no column clash) stay in
:func:`reviewflow.extraction.form.parse_form`. A new key is added here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from reviewflow.config_schema import STRICT


class FormHeader(BaseModel):
    model_config = STRICT
    name: str = "extraction form"


class FieldEntry(BaseModel):
    model_config = STRICT
    name: str
    label: str | None = None
    type: Literal["text", "integer", "number", "choice"] = "text"
    choices: list[str] = Field(default_factory=list)


class ArmEntry(BaseModel):
    model_config = STRICT
    id: str
    label: str | None = None
    role: str | None = None  # intervention | control (any case): checked by parse_form


class OutcomeEntry(BaseModel):
    model_config = STRICT
    id: str
    label: str | None = None
    type: Literal["continuous", "dichotomous", "generic"]
    unit: str = ""
    time_point: str = ""
    direction: Literal["lower_is_better", "higher_is_better"] = "lower_is_better"
    reported: str | list[str] = Field(default_factory=list)  # "all" or statistic names
    ratio: bool = False  # generic outcomes: the estimate is a ratio (log scale)
    group_totals: bool = False  # generic outcomes: participants per arm (shown, not pooled)


class FormFile(BaseModel):
    model_config = STRICT
    form: FormHeader = Field(default_factory=FormHeader)
    study_fields: list[FieldEntry] = Field(default_factory=list)
    arms: list[ArmEntry] = Field(default_factory=list)
    arm_fields: list[FieldEntry] = Field(default_factory=list)
    outcomes: list[OutcomeEntry] = Field(default_factory=list)
    outcome_fields: list[FieldEntry] = Field(default_factory=list)
