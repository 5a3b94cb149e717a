"""``report`` and ``analyse`` end their read transaction once the store has been read,
before waiting for the figures workers are still drawing (issue 22): an open read
transaction holds back the SQLite checkpoint (and a PostgreSQL snapshot) meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow import drawing
from reviewflow.cli import analyse as analyse_cli
from reviewflow.cli import report as report_cli
from reviewflow.cli.main import app


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch, no_drawing: None) -> list[str]:
    """When the command's read transaction opens and ends, and when it waits for figures."""
    seen: list[str] = []
    real_wait = drawing.wait

    def wait() -> None:
        seen.append("wait")
        real_wait()

    def watched(real):
        @contextmanager
        def reading(ctx) -> Iterator[object]:
            with real(ctx) as view:
                seen.append("read")
                yield view
            seen.append("read ended")
        return reading

    monkeypatch.setattr(drawing, "wait", wait)
    for module in (report_cli, analyse_cli):
        monkeypatch.setattr(module, "reading", watched(module.reading))
    return seen


@pytest.mark.parametrize("command", [["report"], ["analyse", "--all"]])
def test_figures_are_waited_for_after_the_read_transaction(
        demo_build: Path, tmp_path: Path, events: list[str], command: list[str]) -> None:
    res = CliRunner().invoke(app, ["--review", str(demo_build), *command,
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert events[:2] == ["read", "read ended"] and "wait" in events
    assert events.index("wait") > events.index("read ended")
