"""The demo review, built once per test run and shared (the ``demo_build`` fixture).

``reviewflow demo`` takes most of a minute; two test modules each built their own.
Now the first test that needs it builds it under a lock in the run's temporary folder
(shared by xdist workers), and each module takes a private copy it may write to.
"""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path


def build_once(root: Path) -> Path:
    """The demo review under ``root/demo-build`` (built now unless already there)."""
    from typer.testing import CliRunner

    from reviewflow.cli.main import app

    home = root / "demo-build"
    folder = home / "review"
    home.mkdir(parents=True, exist_ok=True)
    with (home / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            res = CliRunner().invoke(app, ["demo", str(folder)])
            assert res.exit_code == 0, res.output
            (home / "demo-output.txt").write_text(res.output, encoding="utf-8")
            (home / "built").touch()
    return folder


def copy_demo(build: Path, dest: Path) -> Path:
    """A private copy of the demo review (with the demo's printed output)."""
    shutil.copytree(build, dest)
    shutil.copy(build.parent / "demo-output.txt", dest / "demo-output.txt")
    return dest
