"""The Textual user interface (the only package that imports ``textual``).

Textual paints on a timer, 60 frames a second by default, so a keypress waits on
average half a frame (8 ms) for its repaint: a quarter of the 30 ms budget. At
120 the wait halves; the timer sleeps whenever nothing changed, so an idle
screen costs nothing more. ``TEXTUAL_FPS`` set by the user still wins. This must
run before Textual is first imported, hence here.
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
