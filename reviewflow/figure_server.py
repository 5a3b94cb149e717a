"""Imported by the figure fork server (:mod:`reviewflow.drawing`) before the plotting
modules: the server's interpreter then skips its last garbage collection at exit.

The server ends when the command does, and until it has, the command's output pipe
stays open (a caller reading it waits): walking the objects matplotlib and numpy made,
about 0.1 s on the demo (issue 22), frees memory the process hands back anyway.
Imported anywhere else it changes nothing but that same last collection.
"""

import atexit
import gc

atexit.register(gc.freeze)
