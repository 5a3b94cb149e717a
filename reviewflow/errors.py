"""User-facing errors.

Anything raised as :class:`ReviewflowError` is a problem with the user's input or
environment, not a bug: the CLI prints its message on one line and exits 1, with
no traceback.
"""

from __future__ import annotations


class ReviewflowError(Exception):
    """A problem the user can fix (bad file, missing review, wrong option)."""


class InputError(ReviewflowError):
    """Bad input data, located in a file: names the file, line and problem."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


class ConfigError(ReviewflowError):
    """A configuration file broke its schema: which file, which key, what is wrong."""

    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, problem
        super().__init__(f"{path}: key {key}: {problem}" if key else f"{path}: {problem}")


def refuse_nul(text: str, source: str) -> None:
    """Refuse text holding a NUL character, naming its line.

    PostgreSQL cannot store NUL in text while SQLite can, so a file with one
    would load on one backend and fail on the other; it is refused on both.
    (Search exports, which are third-party and large, have NULs removed with a
    warning instead: see ``reviewflow.importers.api``.)
    """
    first = text.find("\x00")
    if first >= 0:
        raise InputError(source, text.count("\n", 0, first) + 1,
                         "contains a NUL character (not text); remove it and try again")
