"""The importers are pure: importing them pulls in no database, UI or CLI code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("sqlmodel", "sqlalchemy", "textual", "typer", "reviewflow.store", "reviewflow.cli")


def test_importers_import_nothing_impure() -> None:
    code = (
        "import sys, reviewflow.importers, reviewflow.importers.ris_writer\n"
        f"bad = [m for m in {FORBIDDEN!r} if any(k == m or k.startswith(m + '.') "
        "for k in sys.modules)]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
