"""Every command starts without loading the heavy libraries only some commands need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_cli_import_does_not_load_the_numeric_stack() -> None:
    heavy = ("sklearn", "pandas", "matplotlib", "numpy", "scipy")
    code = ("import sys, reviewflow.cli.main; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert out.stdout.strip() == "[]", out.stdout


def test_analyses_file_name_matches_extraction() -> None:
    from reviewflow.cli.analyse import ANALYSES_FILE
    from reviewflow.extraction.analyses import ANALYSES_FILE as DOMAIN_NAME

    assert ANALYSES_FILE == DOMAIN_NAME
