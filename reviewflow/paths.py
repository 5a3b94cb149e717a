"""Output file names built from names found in files, kept inside their folder.

An analysis name, a form id or a study label comes from a file someone else may
have written (a bundle can plant ``analyses.toml``), and it becomes part of a
file name. :data:`SAFE_NAME` is what a name must look like to be used so, and
:func:`confined` is the fence every such write goes through: the name may not
hold a separator, and the resolved path must sit directly in the folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewflow.errors import ReviewflowError

# Letters (any script), digits, '_', '-', '.', not starting with '.' or '-'.
SAFE_NAME = r"^[^\W_][\w.\-]{0,79}$"
_SAFE = re.compile(SAFE_NAME)
SAFE_NAME_RULE = ("may hold only letters, digits, '_', '-' and '.', start with a letter or "
                  "digit, and be at most 80 characters (it names output files)")


def is_safe_name(name: str) -> bool:
    return bool(_SAFE.match(name)) and ".." not in name


def confined(folder: Path, file_name: str) -> Path:
    """``folder / file_name``, refused when the name would leave ``folder``."""
    target = folder / file_name
    root = folder.resolve()
    if ("/" in file_name or "\\" in file_name or "\0" in file_name
            or file_name in ("", ".", "..") or target.resolve().parent != root):
        raise ReviewflowError(f"{file_name!r}: not a plain file name; outputs stay in {folder}")
    return target


@contextmanager
def whole_file(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it when the body succeeds.

    A full disk or a crash leaves the old file (or none), never an empty or
    half-written one; the temporary file is removed on failure. It keeps the
    suffix so writers that choose a format by suffix (matplotlib) still do.
    """
    tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
