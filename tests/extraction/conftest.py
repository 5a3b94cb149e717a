"""A small review for the extraction tests: six made-up OA trials, two extractors.

The numbers are invented (not from any paper); they are chosen so both
outcomes have three cell-source subgroups.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow.extraction.form_versions import current_form
from reviewflow.extraction.studies import create_study
from reviewflow.extraction.values import set_values
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig

# study: (cell source, n, VAS mean/sd/n treat, VAS mean/sd/n ctrl, AE events treat, ctrl)
TRIALS = {
    "Alda 2018": ("bone marrow", 40, (32.0, 14.0, 20), (48.0, 16.0, 20), (4, 3)),
    "Brun 2019": ("bone marrow", 60, (28.5, 12.5, 30), (41.0, 15.0, 30), (6, 5)),
    "Chen 2020": ("umbilical cord", 50, (25.0, 10.0, 25), (44.0, 13.0, 25), (5, 2)),
    "Dias 2021": ("umbilical cord", 36, (30.0, 11.0, 18), (39.5, 12.0, 18), (3, 3)),
    "Eto 2021": ("adipose tissue", 44, (27.0, 9.5, 22), (42.0, 14.5, 22), (7, 4)),
    "Fox 2022": ("adipose tissue", 64, (35.0, 15.0, 32), (45.0, 17.0, 32), (8, 7)),
}


def trial_entries(study_id: int, trial: tuple) -> list[tuple[int, str, str]]:
    source, n, vt, vc, (et, ec) = trial
    out = [(study_id, "study/cell_source", source), (study_id, "study/sample_size", str(n)),
           (study_id, "study/disease", "osteoarthritis"), (study_id, "study/country", "Spain")]
    for arm, (m, sd, k) in (("treat", vt), ("ctrl", vc)):
        out += [(study_id, f"outcome/pain_vas/arm/{arm}/mean", str(m)),
                (study_id, f"outcome/pain_vas/arm/{arm}/sd", str(sd)),
                (study_id, f"outcome/pain_vas/arm/{arm}/n", str(k))]
    for arm, ev, k in (("treat", et, vt[2]), ("ctrl", ec, vc[2])):
        out += [(study_id, f"outcome/adverse_events/arm/{arm}/events", str(ev)),
                (study_id, f"outcome/adverse_events/arm/{arm}/n", str(k))]
    return out


@pytest.fixture
def review(tmp_path: Path) -> tuple[Path, Store]:
    """An empty review folder with its store (closed at the end)."""
    folder = tmp_path / "rev"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="MSC for OA (test)")
    store = Store.create(config.database_url(), title=config.title)
    config.save()
    yield folder, store
    store.dispose()


@pytest.fixture
def extracted(review):
    """Six studies extracted identically by alice and bob; returns (folder, store, ids)."""
    folder, store = review
    form_id, form = current_form(store, folder)
    ids = {label: create_study(store, label).id for label in TRIALS}
    for name in ("alice", "bob"):
        rid = int(ensure_reviewer(store, name).id or 0)
        entries = [e for label, t in TRIALS.items() for e in trial_entries(ids[label], t)]
        set_values(store, form, form_id, rid, entries)
    return folder, store, ids
