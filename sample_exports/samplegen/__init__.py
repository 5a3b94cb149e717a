"""Generator of the made-up search exports in ``sample_exports/``.

Kept out of the ``reviewflow`` package on purpose: it is tooling that writes test
data, not part of the program, and it must stay pure standard library so anyone
can regenerate the files without installing reviewflow.
"""
