"""What was entered is what is shown: "7.0" stays "7.0", counts are whole (issue 22)."""

from __future__ import annotations

import csv

import matplotlib

matplotlib.use("Agg")

from extraction_data import TRIALS  # noqa: E402

from reviewflow.extraction.analyses import parse_analyses  # noqa: E402
from reviewflow.extraction.analysis_outputs import run_all  # noqa: E402
from reviewflow.extraction.entered import entered_cells  # noqa: E402
from reviewflow.extraction.run_analysis import pool  # noqa: E402
from reviewflow.extraction.values import reconcile  # noqa: E402
from reviewflow.pooling.plots import forest_plot  # noqa: E402
from reviewflow.store.reader import store_reader  # noqa: E402
from tests.extraction.forms import (
    form_now,  # noqa: E402
    input_of,  # noqa: E402
    save_values,  # noqa: E402
)
from tests.screening.support import add_reviewer

VAS = '[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "MD"\n'
AE = '[[analysis]]\nname = "ae"\noutcome = "adverse_events"\nmeasure = "RR"\n'


def _texts(fig) -> set[str]:
    return {t.get_text() for t in fig.texts}


def test_forest_plot_shows_means_and_sds_as_entered(extracted) -> None:
    folder, store, _ids = extracted
    _fid, form = form_now(store, folder)
    vas = parse_analyses(VAS, form)[0]
    run = pool(vas, input_of(store, vas))
    typed = entered_cells(run, form, reconcile(store))
    assert typed["Alda 2018"] == ("32.0", "14.0", "20", "48.0", "16.0", "20")
    texts = _texts(forest_plot(run.result, entered=typed))
    assert {"32.0", "14.0", "48.0", "16.0", "28.5", "12.5"} <= texts
    assert "48" not in texts and "14" not in texts  # the entered precision is not dropped
    # a number not taken as typed (here: pretend it was converted) is formatted instead
    partial = {k: (None, *v[1:]) for k, v in typed.items()}
    assert "32" in _texts(forest_plot(run.result, entered=partial))


def test_data_csv_writes_values_as_entered_and_counts_whole(extracted, tmp_path) -> None:
    folder, store, _ids = extracted
    _fid, form = form_now(store, folder)
    with store_reader(store) as reader:
        run_all(reader, form, parse_analyses(VAS + AE, form), tmp_path)
    with (tmp_path / "vas_data.csv").open(encoding="utf-8") as fh:
        alda = next(r for r in csv.DictReader(fh) if r["study"] == "Alda 2018")
    assert (alda["mean_treat"], alda["sd_treat"], alda["n_treat"]) == ("32.0", "14.0", "20")
    with (tmp_path / "ae_data.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(TRIALS)
    assert all(float(v).is_integer() and "." not in v for r in rows
               for k, v in r.items() if k != "study")


def test_extractors_typing_7_and_7_0_agree_on_7_0(extracted) -> None:
    folder, store, ids = extracted
    form_id, form = form_now(store, folder)
    path = "outcome/pain_vas/arm/treat/sd"
    alice = int(add_reviewer(store, "alice").id or 0)
    bob = int(add_reviewer(store, "bob").id or 0)
    save_values(store, form, form_id, alice, [(ids["Alda 2018"], path, "7")])
    save_values(store, form, form_id, bob, [(ids["Alda 2018"], path, "7.0")])
    rec = reconcile(store)
    assert rec.values["Alda 2018"][path] == "7.0"
    assert not [d for d in rec.discrepancies if d.path == path]
    save_values(store, form, form_id, bob, [(ids["Alda 2018"], path, "7.5")])
    assert [d.path for d in reconcile(store).discrepancies] == [path]
