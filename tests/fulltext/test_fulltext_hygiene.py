"""What the full-text and two-language modules may import (one subprocess per row).

The matching rules, the title sorting and the same-study suggestions are pure
(plain data in, frozen results out): no store, no SQL, no UI. The rest of
``reviewflow.fulltext`` and ``reviewflow.linking`` is domain over the store:
never Textual, never the CLI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PURE = ("sqlmodel", "sqlalchemy", "textual", "reviewflow.store", "reviewflow.cli")
DOMAIN = ("textual", "reviewflow.cli", "reviewflow.tui")
TABLE = [
    (("reviewflow.fulltext.identifiers", "reviewflow.fulltext.matching",
      "reviewflow.fulltext.pdftext", "reviewflow.fulltext.viewer",
      "reviewflow.linking.names", "reviewflow.linking.suggest", "reviewflow.titles"), PURE),
    (tuple("reviewflow.fulltext." + p.stem for p in (REPO / "reviewflow/fulltext").glob("*.py"))
     + tuple("reviewflow.linking." + p.stem for p in (REPO / "reviewflow/linking").glob("*.py")),
     DOMAIN),
]


@pytest.mark.parametrize(("modules", "forbidden"), TABLE, ids=["pure", "domain"])
def test_imports(modules: tuple[str, ...], forbidden: tuple[str, ...]) -> None:
    code = (f"import sys\nfor m in {list(modules)!r}: __import__(m)\n"
            f"print(sorted({{n for n in sys.modules for f in {list(forbidden)!r} "
            "if n == f or n.startswith(f + '.')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
