"""Opening a PDF in the system's viewer (``o`` in the full-text screens).

``$REVIEWFLOW_PDF_VIEWER`` (a command, e.g. ``evince`` or ``zathura --fork``)
wins; else ``xdg-open`` (Linux, BSD), ``open`` (macOS) or the Windows file
association. The viewer runs detached, so the terminal UI keeps the keyboard.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from reviewflow.errors import ReviewflowError

ENV_VIEWER = "REVIEWFLOW_PDF_VIEWER"


def viewer_command() -> list[str] | None:
    """The command that opens a file, or None when this machine has none."""
    configured = os.environ.get(ENV_VIEWER, "").strip()
    if configured:
        return shlex.split(configured)
    for name in (("open",) if sys.platform == "darwin" else ("xdg-open", "gio")):
        found = shutil.which(name)
        if found:
            return [found, "open"] if name == "gio" else [found]
    return None


def open_pdf(path: Path | None) -> list[str]:
    """Start the viewer on ``path``; returns the command run, or a one-line user error."""
    if path is None:
        raise ReviewflowError("the PDF's folder is unknown (a store opened with --db alone)")
    if not path.is_file():
        raise ReviewflowError(f"{path}: the PDF is not there (moved, or [fulltext] folder "
                              "in reviewflow.toml points elsewhere)")
    if sys.platform == "win32" and not os.environ.get(ENV_VIEWER):  # pragma: no cover
        os.startfile(path)  # type: ignore[attr-defined]
        return ["startfile", str(path)]
    command = viewer_command()
    if command is None:
        raise ReviewflowError(f"no PDF viewer found (install xdg-utils, or set {ENV_VIEWER}); "
                              f"the file is {path}")
    try:
        subprocess.Popen([*command, str(path)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise ReviewflowError(f"cannot start the PDF viewer {command[0]}: {exc}") from exc
    return [*command, str(path)]
