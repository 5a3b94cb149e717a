"""Shared by the RevMan tests: run the CLI, and the hand-made file with one edit."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reviewflow.cli.main import app

SMALL = Path(__file__).parent / "fixtures" / "small.rm5"


def invoke(*args: str) -> str:
    """Run the CLI; it must succeed."""
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, (res.output, res.exception)
    return res.output


def small_with(path: Path, anchor: str, inserted: str) -> Path:
    """The hand-made review with ``inserted`` put before its one ``anchor``."""
    text = SMALL.read_text(encoding="utf-8")
    assert text.count(anchor) == 1
    path.write_text(text.replace(anchor, inserted + anchor), encoding="utf-8")
    return path
