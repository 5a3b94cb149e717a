"""RevMan 5.4-exact meta-analysis: pure functions, arrays in, frozen results out.

Public API (what the CLI, extraction and the TUI use):

- :func:`meta_analysis` (DataFrame or StudyTable + options) and
  :func:`pool_dichotomous` / :func:`pool_continuous` / :func:`pool_generic` (arrays);
- :func:`result_to_json_dict` for the documented JSON shape;
- :func:`leave_one_out`, :func:`cumulative`, :func:`egger_test`;
- plots live in :mod:`reviewflow.pooling.plots` (matplotlib) and
  :mod:`reviewflow.pooling.text_forest` (Rich), imported on demand.
"""

from reviewflow.pooling.analysis import StudyTable, analyse
from reviewflow.pooling.api import (
    make_options,
    meta_analysis,
    pool_continuous,
    pool_dichotomous,
    pool_generic,
)
from reviewflow.pooling.frame import table_from_frame
from reviewflow.pooling.sensitivity import cumulative, egger_for, egger_test, leave_one_out
from reviewflow.pooling.serialize import result_to_json_dict
from reviewflow.pooling.types import MetaAnalysisResult, Options, Pooled

__all__ = [
    "MetaAnalysisResult",
    "Options",
    "Pooled",
    "StudyTable",
    "analyse",
    "cumulative",
    "egger_for",
    "egger_test",
    "leave_one_out",
    "make_options",
    "meta_analysis",
    "pool_continuous",
    "pool_dichotomous",
    "pool_generic",
    "result_to_json_dict",
    "table_from_frame",
]
