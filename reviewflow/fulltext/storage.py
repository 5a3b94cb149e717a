"""Where PDFs live: content-addressed copies in the review's full-text folder.

A copy is stored as ``<folder>/<sha[:2]>/<sha256>.pdf``: the same PDF found twice
(two reference-manager folders, a re-run) is stored once, and a file's name can
never collide with another's. The folder is the review folder's ``fulltext/``
unless ``reviewflow.toml`` says otherwise::

    [fulltext]
    folder = "/mnt/team-share/msc-review-pdfs"

which is how a team sharing one PostgreSQL store shares its PDFs: the store
records only the relative ``<sha[:2]>/<sha>.pdf`` path, and each machine points
``folder`` at the shared drive (relative paths are relative to the review
folder). ``--link`` stores the PDF's absolute path instead of copying it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from reviewflow.errors import ReviewflowError

DEFAULT_FOLDER = "fulltext"


class Mode(StrEnum):
    COPY = "copy"
    LINK = "link"


def fulltext_folder(review_folder: Path, settings: dict[str, Any] | None) -> Path:
    """The folder holding the review's PDF copies (``[fulltext] folder`` in the toml)."""
    section = (settings or {}).get("fulltext", {})
    if not isinstance(section, dict):
        raise ReviewflowError("reviewflow.toml: [fulltext] must be a table")
    value = section.get("folder", DEFAULT_FOLDER)
    if not isinstance(value, str) or not value.strip():
        raise ReviewflowError("reviewflow.toml: [fulltext] folder must be a path (text)")
    folder = Path(value).expanduser()
    return folder if folder.is_absolute() else review_folder / folder


def relative_copy_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}.pdf"


def keep(source: Path, sha256: str, *, folder: Path, mode: Mode) -> str:
    """Copy ``source`` into the folder (or keep its path); returns what the store records."""
    if mode is Mode.LINK:
        return str(source.resolve())
    rel = relative_copy_path(sha256)
    target = folder / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(source, partial)
        partial.replace(target)  # never a half-copied PDF under its final name
    return rel


def resolve(stored_as: str, mode: str, folder: Path, sha256: str | None = None) -> Path:
    """The PDF's path on this machine.

    A linked PDF whose path is gone (a review restored from a bundle on another
    machine) is read from the content-addressed copy the bundle carried, if any.
    """
    if mode != Mode.LINK:
        return folder / stored_as
    linked = Path(stored_as)
    if sha256 and not linked.is_file() and (folder / relative_copy_path(sha256)).is_file():
        return folder / relative_copy_path(sha256)
    return linked


def bundle_copies(files: Iterable[tuple[str, str, str]], *, review_folder: Path,
                  folder: Path) -> dict[str, Path]:
    """The PDFs a bundle must add so it carries every attached one: ``fulltext/<sha path>``
    -> the file, for each ``(sha256, stored_as, mode)`` that is linked or kept outside
    the review's own ``fulltext/`` folder (which a bundle carries anyway) and exists here."""
    own = review_folder / DEFAULT_FOLDER
    out: dict[str, Path] = {}
    for sha, stored_as, mode in files:
        rel = relative_copy_path(sha)
        if (own / rel).is_file():
            continue
        source = resolve(stored_as, mode, folder, sha)
        if source.is_file():
            out[f"{DEFAULT_FOLDER}/{rel}"] = source
    return out
