"""The ``reviewflow`` process collects garbage as a short-lived process does
(reviewflow.short_lived, issue 22): fewer young collections, and none of the heap at
exit; a caller running the CLI in its own process (``main(argv)``) keeps its collector."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# registered before main() registers anything, so it runs after every other exit handler
PROBE = """
import atexit, gc, sys
young = gc.get_threshold()[0]
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0, gc.get_threshold()[0] > young))
from reviewflow.cli.main import main
sys.argv = ["reviewflow", "--version"]
main({argv})
"""


@pytest.mark.parametrize(("argv", "frozen"), [("", True), ("['--version']", False)])
def test_only_the_command_process_freezes_its_heap_at_exit(argv: str, frozen: bool) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == f"frozen {frozen} {frozen}"
