"""Pilot helpers: run async Pilot tests without an async pytest plugin."""

from __future__ import annotations

import asyncio
import functools
import html
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual.app import App
from textual.screen import Screen

SIZE = (120, 40)


class Host(App[None]):
    """An app that only shows the screen under test (no dashboard in front)."""

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.first = screen

    def on_mount(self) -> None:
        self.push_screen(self.first)


def pilot_test(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Make an ``async def`` test a plain test that runs it on a fresh event loop."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return wrapper


_TEXT = re.compile(r'<text [^>]*?x="([\d.]+)"[^>]*?clip-path="url\(#[\w-]+?-line-(\d+)\)"[^>]*>'
                   r"(.*?)</text>")


def shot(app: Any) -> str:
    """Everything the app shows now, as plain text lines (read back from the SVG export)."""
    lines: dict[int, list[tuple[float, str]]] = {}
    for x, line, text in _TEXT.findall(app.export_screenshot()):
        lines.setdefault(int(line), []).append((float(x), html.unescape(text)))
    return "\n".join("".join(t for _, t in sorted(parts)).replace("\xa0", " ").rstrip()
                     for _, parts in sorted(lines.items()))


SETTLE_S = 30.0


async def settle(app: Any, pilot: Any) -> None:
    """Wait for background workers (the dashboard computes in a thread) and a repaint.

    A forced refresh (a screen shown again) supersedes one still running; the first may
    take seconds (it imports the stopping estimate's SciPy), so the wait is bounded by
    time, not by a count of superseded refreshes (they end in an instant).
    """
    from textual.worker import WorkerCancelled

    deadline = time.monotonic() + SETTLE_S
    while True:
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:  # an older refresh was superseded by a newer one
            if time.monotonic() > deadline:
                raise
            await pilot.pause(0.02)
    await pilot.pause()
