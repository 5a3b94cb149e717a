"""The RevMan reader, checker and writer are pure: no store, no TUI, no CLI."""

from __future__ import annotations

import subprocess
import sys

PURE = ("reviewflow.revman.reader", "reviewflow.revman.csv_export", "reviewflow.revman.check",
        "reviewflow.revman.writer")
FORBIDDEN = ("sqlmodel", "sqlalchemy", "textual", "reviewflow.store", "reviewflow.cli")


def test_pure_modules_import_no_store_tui_or_cli() -> None:
    code = (f"import sys\nfor m in {PURE!r}: __import__(m)\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r} "
            f"or any(m.startswith(f) for f in {FORBIDDEN!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
