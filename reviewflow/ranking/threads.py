"""One BLAS thread for the many small fits of a ranking session.

A refit fits two small models (hundreds to a few thousand labelled rows, 40
embedding columns or a sparse TF-IDF matrix). On problems that size a BLAS
thread pool costs more than it gains, and when the other core is busy (a
second terminal, the TUI itself) its threads wait on each other: one refit and
reorder on clean Nagtegaal took 207 ms with OpenBLAS's default pool and 27 ms
with one thread (2-core machine, another simulation running). Refits then run
after every decision in the TUI and a replay of the ASReview protocol costs
minutes instead of a quarter of an hour.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def one_blas_thread() -> threadpool_limits:
    """Context manager: native thread pools (OpenBLAS, OpenMP) limited to one thread."""
    return threadpool_limits(limits=1)
