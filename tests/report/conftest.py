"""Fixtures of the report and analyse command tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewflow import drawing


@pytest.fixture
def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figure jobs run in this process and write an empty file for each output (tests of
    what a command reads, not of what it draws)."""
    def resolve(target: str) -> Any:
        def write(*args: Any, **kwargs: Any) -> None:
            for arg in (*args, *kwargs.values()):
                if isinstance(arg, Path):
                    arg.write_bytes(b"")
        return write

    monkeypatch.setattr(drawing, "resolve", resolve)
    monkeypatch.setenv("REVIEWFLOW_WORKERS", "0")
    monkeypatch.setenv("REVIEWFLOW_FIGURE_CACHE", "off")
