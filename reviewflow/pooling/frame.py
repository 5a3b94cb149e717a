"""Turn a pandas DataFrame (e.g. a CSV as read) into a validated StudyTable.

Every problem is reported with the row's line number in the source file
(header = line 1) and the column name, because reviewers fix their data in a
spreadsheet and need to find the cell.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reviewflow.errors import InputError
from reviewflow.pooling.analysis import (
    CONTINUOUS_COLUMNS,
    DICHOTOMOUS_COLUMNS,
    GENERIC_COLUMNS,
    StudyTable,
)
from reviewflow.pooling.types import DataType, Measure

COUNT_COLUMNS = {"events_treat", "n_treat", "events_ctrl", "n_ctrl"}


def detect_data_type(columns: list[str], measure: Measure | None = None) -> DataType:
    """Guess the data type from the header; generic wins only without arm data."""
    cols = set(columns)
    if cols.issuperset(DICHOTOMOUS_COLUMNS) and measure not in (Measure.MD, Measure.SMD):
        return DataType.DICHOTOMOUS
    if cols.issuperset(CONTINUOUS_COLUMNS):
        return DataType.CONTINUOUS
    if cols.issuperset(GENERIC_COLUMNS):
        return DataType.GENERIC
    if measure in (Measure.MD, Measure.SMD):
        return DataType.CONTINUOUS
    if measure in (Measure.RR, Measure.OR, Measure.RD):
        return DataType.DICHOTOMOUS
    return DataType.GENERIC


def table_from_frame(
    frame: pd.DataFrame,
    *,
    measure: Measure | None = None,
    subgroup: str | None = None,
    source: str = "<data>",
    first_line: int = 2,
) -> StudyTable:
    """Validate ``frame`` and build the StudyTable the engine pools."""
    data_type = detect_data_type(list(frame.columns), measure)
    needed = {
        DataType.DICHOTOMOUS: DICHOTOMOUS_COLUMNS,
        DataType.CONTINUOUS: CONTINUOUS_COLUMNS,
        DataType.GENERIC: GENERIC_COLUMNS,
    }[data_type]
    for col in ("study", *needed) + ((subgroup,) if subgroup else ()):
        if col not in frame.columns:
            raise InputError(source, 1, f"missing column {col!r} (header has: "
                             f"{', '.join(map(str, frame.columns))})")
    if len(frame) == 0:
        raise InputError(source, None, "no studies (the file has a header but no rows)")
    columns = {c: _numeric_column(frame, c, source, first_line) for c in needed}
    for i in range(len(frame)):
        _check_row(columns, data_type, i, source, first_line + i)
    studies = tuple(_text(v) or f"Study {i + 1}" for i, v in enumerate(frame["study"]))
    groups = None
    if subgroup:
        groups = tuple(_text(v) or None for v in frame[subgroup])
    return StudyTable(data_type, studies, columns, groups)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _numeric_column(frame: pd.DataFrame, col: str, source: str, first_line: int) -> np.ndarray:
    out = np.empty(len(frame))
    for i, raw in enumerate(frame[col].tolist()):
        text = _text(raw)
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            shown = text or "empty"
            raise InputError(source, first_line + i,
                             f"column {col!r}: {shown!r} is not a number")
        out[i] = value
    return out


def _check_row(cols: dict[str, np.ndarray], kind: DataType, i: int, source: str, line: int):
    def bad(col: str, problem: str) -> InputError:
        return InputError(source, line, f"column {col!r}: {problem}")

    for col, values in cols.items():
        if col in COUNT_COLUMNS and (values[i] < 0 or values[i] != int(values[i])):
            raise bad(col, f"{values[i]:g} is not a whole number >= 0")
    if kind is DataType.DICHOTOMOUS:
        for ev, n in (("events_treat", "n_treat"), ("events_ctrl", "n_ctrl")):
            if cols[n][i] < 1:
                raise bad(n, "the group has no participants")
            if cols[ev][i] > cols[n][i]:
                raise bad(ev, f"{cols[ev][i]:g} events is more than the total {cols[n][i]:g}")
    elif kind is DataType.CONTINUOUS:
        for sd in ("sd_treat", "sd_ctrl"):
            if cols[sd][i] <= 0:
                raise bad(sd, f"standard deviation {cols[sd][i]:g} must be positive")
        for n in ("n_treat", "n_ctrl"):
            if cols[n][i] < 2:
                raise bad(n, "each group needs at least 2 participants")
    elif cols["se"][i] <= 0:
        raise bad("se", f"standard error {cols['se'][i]:g} must be positive")
