"""What every reader shares: its signature, its output, and raw-field helpers.

A reader turns decoded text into records plus warnings. It never opens files
or decodes bytes (that is :mod:`reviewflow.importers.api`), so it can be tested
and benchmarked on strings, and so every format gets the same encoding
handling and the same error wording.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from reviewflow.records import ImportWarning, Record

Raw = dict[str, list[str]]


@dataclass
class ReadOutput:
    """A reader's result before ``read_file`` adds format/encoding/database."""

    records: list[Record]
    warnings: list[ImportWarning] = field(default_factory=list)
    database: str | None = None


# (text, source name for messages, optional column mapping) -> ReadOutput
Reader = Callable[[str, str, "dict[str, str] | None"], ReadOutput]


def first(raw: Raw, *keys: str) -> str | None:
    """The first non-empty value among ``keys``, in the order given."""
    for key in keys:
        values = raw.get(key)
        if values:
            for value in values:
                if value and not value.isspace():
                    return value
    return None


def every(raw: Raw, *keys: str) -> list[str]:
    """All non-empty values of ``keys``, keys in the order given."""
    out: list[str] = []
    for key in keys:
        values = raw.get(key)
        if values:
            out.extend(value for value in values if value and not value.isspace())
    return out


def add(raw: Raw, key: str, value: str) -> None:
    """Append a value under ``key``, keeping file order."""
    values = raw.get(key)
    if values is None:
        raw[key] = [value]
    else:
        values.append(value)


def line_starts(text: str) -> list[int]:
    """Character offset of each line start, for turning offsets into line numbers."""
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset."""
    from bisect import bisect_right

    return bisect_right(starts, offset)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is parsed.

    Parsing 100,000 records creates millions of small lists, tuples and dicts
    that all stay alive and form no cycles; the collector would traverse them
    again and again (a third of the parse time at that size, measured). Memory
    is still freed by reference counting. Nested use is safe.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
