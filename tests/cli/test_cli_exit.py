"""The ``reviewflow`` process skips the interpreter's last garbage collection at exit
(issue 22: about 0.15 s of ``analyse --all`` walking objects the process hands back
anyway); a caller running the CLI in its own process (``main(argv)``) keeps its collector."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# registered before main() registers anything, so it runs after every other exit handler
PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("frozen", gc.get_freeze_count() > 0))
from reviewflow.cli.main import main
sys.argv = ["reviewflow", "--version"]
main({argv})
"""


@pytest.mark.parametrize(("argv", "frozen"), [("", True), ("['--version']", False)])
def test_only_the_command_process_freezes_its_heap_at_exit(argv: str, frozen: bool) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == f"frozen {frozen}"
