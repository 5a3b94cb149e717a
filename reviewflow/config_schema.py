"""Checking configuration files against a schema, with one line per problem.

Every TOML file a review reads (``reviewflow.toml``, ``analyses.toml``, the
extraction form) is validated by a pydantic v2 model in strict mode before any
of it is used. Strict because TOML already has types: ``hksj = "false"`` is a
string, and a lax reading turned it into ``True``; ``exclude = "Lee 2020"`` is
a string, and iterating it split the study name into characters. Unknown keys
are refused (``extra="forbid"``) because a typo'd key silently did nothing.

Why pydantic rather than a JSON-Schema validator or hand-written checks: the
models are the documentation of each file's keys and types, in Python, next to
the code that reads them; errors come back as data (location tuple, error type,
input) that :func:`validated` turns into the project's one-line form naming
file, key and problem; and pydantic-core is fast and maintained. The cost is one
dependency (pydantic, ~2 MB wheel, no transitive surprises beyond
annotated-types and typing-extensions).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from reviewflow.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)

# Words people understand, per pydantic error type (anything else: pydantic's own).
_PROBLEMS = {
    "bool_type": "must be true or false (without quotes)",
    "string_type": "must be text in quotes",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "list_type": 'must be a list, e.g. ["a", "b"]',
    "dict_type": 'must be a table, e.g. { key = "value" }',
    "model_type": "must be a table",
    "missing": "missing key {last!r}",
    "extra_forbidden": "unknown key {last!r} (a typo?)",
}


def validated(model: type[M], data: Any, source: str, names: dict[int, str] | None = None
              ) -> M:
    """``model`` built from ``data``, or a :class:`ConfigError` for the first problem.

    ``names`` labels list positions in the key path (e.g. an analysis's name
    instead of its index), so the message says ``analysis 'vas'.hksj``.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ConfigError(source, _key(err["loc"], data), _problem(err)) from None


def _key(loc: tuple[Any, ...], data: Any) -> str:
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            name = node[item].get("name") if isinstance(node, list) and item < len(node) and \
                isinstance(node[item], dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{name!r}]" if isinstance(name, str)
                          else f"{parts[-1] if parts else ''}[{item + 1}]"]
        else:
            parts.append(str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts)


def _problem(err: Any) -> str:
    kind = err["type"]
    last = err["loc"][-1] if err["loc"] else ""
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"must be {expected} (got {err['input']!r})"
    problem = (_PROBLEMS.get(kind) or str(err["msg"]).replace("Value error, ", "")).replace(
        "{last!r}", repr(last))
    if kind not in ("missing", "extra_forbidden"):
        shown = repr(err["input"])
        problem += f" (got {shown[:60]}{'...' if len(shown) > 60 else ''})"
    return problem
