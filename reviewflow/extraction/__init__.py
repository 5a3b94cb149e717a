"""Data extraction, risk of bias and analyses run from the store.

Domain code: plain functions over the :class:`~reviewflow.store.db.Store`; no
textual, no typer. The pooling engine is reached only through ``run_analysis``.
"""
