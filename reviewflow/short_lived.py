"""Garbage collection tuned for a process that lives for one command (issue 22).

CPython's cyclic collector runs a young collection every 700 net container
allocations. Importing SQLAlchemy, pandas and matplotlib and drawing a dozen
figures makes hundreds of them, most scanning objects that stay alive anyway (an
open figure's artists); a threshold of 10 000 leaves a few dozen, at the price of at
most that many young objects waiting (a few MB) before cycles are freed. The last
collection at exit walks every object the process made, to free memory the process
hands back anyway: skipped by freezing the heap just before the interpreter
finalizes (after every exit handler registered later: the store is closed and every
file written by then; objects freed by reference counting are still finalized).
The TUI, one long command, gets the same: the threshold only delays when young
cycles are freed, never whether, and a file left unclosed in a reference cycle at exit
is the one thing the skipped collection would have finalized (our writers close theirs).
What each saves on ``analyse`` and ``report``: docs/performance.md.
"""

from __future__ import annotations

import atexit
import gc

YOUNG_THRESHOLD = 10_000


def short_lived() -> None:
    """Tune this process's collector for one command; call once, as early as possible
    (an exit handler registered earlier runs after the freeze, and one registered
    later before it)."""
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    atexit.register(gc.freeze)
