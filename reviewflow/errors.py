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
