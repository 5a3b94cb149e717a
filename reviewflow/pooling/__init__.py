"""RevMan 5.4-exact meta-analysis: pure functions, arrays in, frozen results out.

Public API (what the CLI, extraction and the TUI use):

- :func:`meta_analysis` (DataFrame or StudyTable + options) and
  :func:`pool_dichotomous` / :func:`pool_continuous` / :func:`pool_generic` (arrays);
- :func:`result_to_json_dict` for the documented JSON shape;
- :func:`leave_one_out`, :func:`cumulative`, :func:`egger_test`;
- plots live in :mod:`reviewflow.pooling.plots` (matplotlib) and
  :mod:`reviewflow.pooling.text_forest` (Rich), imported on demand.
"""

from reviewflow.lazy import lazy_exports

# Public names -> the module holding them, resolved on first use (PEP 562): the
# CLI reads the option enums from reviewflow.pooling.types at start-up, and that
# must not load numpy and scipy for every command.
_EXPORTS = {
    "StudyTable": "analysis", "analyse": "analysis",
    "make_options": "api", "meta_analysis": "api", "pool_continuous": "api",
    "pool_dichotomous": "api", "pool_generic": "api",
    "table_from_frame": "frame",
    "cumulative": "sensitivity", "egger_for": "sensitivity", "egger_test": "sensitivity",
    "leave_one_out": "sensitivity",
    "result_to_json_dict": "serialize",
    "MetaAnalysisResult": "types", "Options": "types", "Pooled": "types",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)


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
