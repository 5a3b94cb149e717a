"""Entry points for callers (CLI, extraction, TUI): data + options -> result.

Options arrive as plain strings (as typed on the command line or stored in a
review) and are converted once here, so callers never import the enums.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from reviewflow.errors import ReviewflowError
from reviewflow.pooling.analysis import StudyTable, analyse
from reviewflow.pooling.types import (
    DataType,
    Measure,
    MetaAnalysisResult,
    Method,
    Model,
    Options,
    Tau2Method,
)

if TYPE_CHECKING:
    import pandas as pd


@lru_cache(maxsize=256)
def make_options(
    measure: str = "RR",
    method: str = "MH",
    model: str = "fixed",
    tau2_method: str = "DL",
    hksj: bool = False,
    smd_convention: str = "revman",
    level: float = 0.95,
    measure_label: str = "",
) -> Options:
    """Build Options from strings; an unknown name is a user error."""
    try:
        return Options(
            measure=Measure(measure.upper()),
            method=Method("Peto" if method.lower() == "peto" else method.upper()),
            model=Model(model.lower()),
            tau2_method=Tau2Method(tau2_method.upper()),
            hksj=hksj,
            smd_convention=smd_convention.lower(),
            level=level,
            measure_label=measure_label.strip(),
        )
    except ValueError as exc:
        raise ReviewflowError(f"unknown option: {exc}") from None


def meta_analysis(
    data: pd.DataFrame | StudyTable,
    *,
    subgroup: str | None = None,
    source: str = "<data>",
    **options: object,
) -> MetaAnalysisResult:
    """Pool a DataFrame with the CSV's columns (see docs) or a ready StudyTable.

    ``options`` are those of :func:`make_options` (measure, method, model,
    tau2_method, hksj, smd_convention, level).
    """
    opts = make_options(**options)  # type: ignore[arg-type]
    if isinstance(data, StudyTable):
        table = data
    else:  # pandas loads only for a frame: a StudyTable pools without it (issue 22)
        from reviewflow.pooling.frame import table_from_frame

        table = table_from_frame(data, measure=opts.measure, subgroup=subgroup, source=source)
    return analyse(table, opts)


def _table(kind: DataType, columns: dict[str, Sequence[float]], studies, subgroups) -> StudyTable:
    k = len(next(iter(columns.values())))
    names = tuple(studies) if studies is not None else tuple(f"Study {i + 1}" for i in range(k))
    groups = tuple(subgroups) if subgroups is not None else None
    arrays = {c: np.asarray(v, dtype=float) for c, v in columns.items()}
    return StudyTable(kind, names, arrays, groups)


def pool_dichotomous(
    events_treat, n_treat, events_ctrl, n_ctrl, *, studies=None, subgroups=None, **options
) -> MetaAnalysisResult:
    """Arrays of per-arm counts in; trusted input (validate with table_from_frame)."""
    cols = {"events_treat": events_treat, "n_treat": n_treat,
            "events_ctrl": events_ctrl, "n_ctrl": n_ctrl}
    return analyse(_table(DataType.DICHOTOMOUS, cols, studies, subgroups), make_options(**options))


def pool_continuous(
    mean_treat, sd_treat, n_treat, mean_ctrl, sd_ctrl, n_ctrl,
    *, studies=None, subgroups=None, **options,
) -> MetaAnalysisResult:
    cols = {"mean_treat": mean_treat, "sd_treat": sd_treat, "n_treat": n_treat,
            "mean_ctrl": mean_ctrl, "sd_ctrl": sd_ctrl, "n_ctrl": n_ctrl}
    options.setdefault("measure", "SMD")
    options.setdefault("method", "IV")
    return analyse(_table(DataType.CONTINUOUS, cols, studies, subgroups), make_options(**options))


def pool_generic(estimate, se, *, studies=None, subgroups=None, **options) -> MetaAnalysisResult:
    """Generic inverse variance: estimates on the analysis scale (log for RR/OR)."""
    options.setdefault("measure", "MD")
    options.setdefault("method", "IV")
    cols = {"estimate": estimate, "se": se}
    return analyse(_table(DataType.GENERIC, cols, studies, subgroups), make_options(**options))
