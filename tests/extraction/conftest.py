"""A small review for the extraction tests: six made-up OA trials, two extractors.

The numbers are invented (not from any paper); they are chosen so both
outcomes have three cell-source subgroups.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from extraction_data import TRIALS, trial_entries

from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig
from tests.extraction.forms import form_now, new_study, save_values, use_test_form
from tests.screening.support import add_reviewer


@pytest.fixture
def review(tmp_path: Path) -> tuple[Path, Store]:
    """An empty review folder with its store (closed at the end)."""
    folder = tmp_path / "rev"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="MSC for OA (test)")
    store = Store.create(config.database_url(), title=config.title)
    config.save()
    use_test_form(store, folder)
    for name in ("alice", "bob", "carol"):  # commands refuse names never added
        add_reviewer(store, name)
    yield folder, store
    store.dispose()


@pytest.fixture
def extracted(review):
    """Six studies extracted identically by alice and bob; returns (folder, store, ids)."""
    folder, store = review
    form_id, form = form_now(store, folder)
    ids = {label: new_study(store, label).id for label in TRIALS}
    for name in ("alice", "bob"):
        rid = int(add_reviewer(store, name).id or 0)
        entries = [e for label, t in TRIALS.items() for e in trial_entries(ids[label], t)]
        save_values(store, form, form_id, rid, entries)
    return folder, store, ids
