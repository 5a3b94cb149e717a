"""Imported by the figure fork server (:mod:`reviewflow.drawing`) after the plotting
modules: the server and the workers forked from it collect garbage as a short-lived
process does (:mod:`reviewflow.short_lived`), and what the server imported is frozen
first, so a worker's collections never walk matplotlib's module objects.

The server ends when the command does, and until it has, the command's output pipe
stays open (a caller reading it waits): its last collection at exit is skipped.
Importing this module anywhere else does the same to that process: meant for the
server only.
"""

import gc

from reviewflow.short_lived import short_lived

gc.freeze()
short_lived()
