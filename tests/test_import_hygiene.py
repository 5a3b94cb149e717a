"""Which way imports flow (DESIGN.md), checked in one table: package x what it must not import.

Every module of each package is imported (walking the package, so modules the
package itself loads lazily are covered too) in a fresh interpreter, and the
modules it pulled in are compared with the row's forbidden list. A new package
is covered by adding a row; :func:`test_every_package_has_a_row` fails until it is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UI = ("textual", "typer", "reviewflow.tui", "reviewflow.cli")
STORE = ("sqlmodel", "sqlalchemy", "reviewflow.store")
ABOVE_STATE = ("reviewflow.screening", "reviewflow.extraction", "reviewflow.prisma",
               "reviewflow.report")

# target (package walked, or module with "module:"), forbidden imports
RULES: dict[str, tuple[str, ...]] = {
    "reviewflow.importers": UI + STORE,   # pure: plain records in and out
    "reviewflow.dedup": UI + STORE,
    "reviewflow.ranking": UI + STORE,
    "reviewflow.pooling": UI + STORE,     # the engine: typed data in, frozen results out
    # the pooling every analysis runs leaves scipy.optimize (slow to import) to Paule-Mandel
    **{f"module:reviewflow.pooling.{m}": UI + STORE + ("scipy.optimize",)
       for m in ("estimators", "metareg", "api", "analysis", "beyond_pooling")},
    "reviewflow.store": UI + ("reviewflow.review_state",) + ABOVE_STATE,
    "reviewflow.review_state": UI + ABOVE_STATE,
    "reviewflow.screening": UI,
    "reviewflow.extraction": UI,
    "reviewflow.prisma": UI,
    "reviewflow.report": UI,
    "reviewflow.grade": UI,               # GRADE and the SoF: domain over the store, no shells
    "reviewflow.revman": UI,              # RevMan interchange: import/export over the store ...
    **{f"module:reviewflow.revman.{m}": UI + STORE  # ... its file-format modules are pure
       for m in ("reader", "csv_export", "check", "writer")},
    "reviewflow.fulltext": UI,          # PDFs and their records: domain over the store
    "module:reviewflow.fulltext.matching": UI + STORE,  # the matching rules are pure
    "module:reviewflow.fulltext.pdftext": UI + STORE,
    "reviewflow.linking": UI,           # same-study links: domain over the store
    "module:reviewflow.linking.suggest": UI + STORE,   # the suggestion rules are pure
    "module:reviewflow.titles": UI + STORE,
    "reviewflow.tui": ("typer", "reviewflow.cli"),
    "module:reviewflow.cli.main": ("textual", "reviewflow.tui"),  # CLI start stays light
}
NOT_DOMAIN = {"cli"}  # the shell over everything: nothing may import it (rows above)

PROBE = """
import importlib, json, pkgutil, sys
target = sys.argv[1]
if target.startswith("module:"):
    importlib.import_module(target[len("module:"):])
else:
    pkg = importlib.import_module(target)
    for info in pkgutil.walk_packages(pkg.__path__, target + "."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(target: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, target], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize(("target", "forbidden"), sorted(RULES.items()))
def test_imports_flow_one_way(target: str, forbidden: tuple[str, ...]) -> None:
    loaded = _loaded(target)
    bad = sorted({f for f in forbidden for m in loaded if m == f or m.startswith(f + ".")})
    assert bad == [], f"{target} imports {bad}"


def test_every_package_has_a_row() -> None:
    packages = {p.name for p in (REPO / "reviewflow").iterdir()
                if (p / "__init__.py").is_file()} - NOT_DOMAIN
    assert packages <= {t.removeprefix("reviewflow.") for t in RULES}, \
        "add a row to RULES for every new package"


def test_the_probe_sees_a_lazy_import() -> None:
    """A table that cannot fail is no test: the probe must catch what a module imports late."""
    loaded = _loaded("reviewflow.tui")  # the TUI's screens load textual
    assert "textual" in loaded and any(m.startswith("reviewflow.tui.screens.") for m in loaded)
