"""The domain never imports Textual, and commands other than tui/screen start without it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOMAIN = ["reviewflow.screening." + p.stem for p in (REPO / "reviewflow/screening").glob("*.py")]


@pytest.mark.parametrize("module", [*DOMAIN, "reviewflow.cli.main"])
def test_no_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
