"""Extraction to analysis on SQLite and PostgreSQL, with enough studies for a funnel plot."""

from __future__ import annotations

from pathlib import Path

import pytest
from extraction_data import TRIALS, trial_entries

from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.analysis_outputs import run_all
from reviewflow.extraction.values import reconcile
from reviewflow.store.db import Store
from reviewflow.store.reader import store_reader
from tests.extraction.forms import new_study, save_values, settle_value, use_test_form
from tests.screening.support import add_reviewer


def test_twelve_studies_pooled_with_funnel_plot(db_url: str, tmp_path: Path) -> None:
    store = Store.create(db_url, title="backends")
    try:
        form_id, form = use_test_form(store)
        trials = {f"{label[:-5]}{suffix} {label[-4:]}": t for suffix in ("", "-B")
                  for label, t in TRIALS.items()}
        ids = {label: new_study(store, label).id for label in trials}
        for name in ("alice", "bob"):
            rid = int(add_reviewer(store, name).id or 0)
            save_values(store, form, form_id, rid,
                       [e for label, t in trials.items() for e in trial_entries(ids[label], t)])
        bob = int(add_reviewer(store, "bob").id or 0)
        path = "outcome/pain_vas/arm/ctrl/mean"
        sid = ids["Chen-B 2020"]
        save_values(store, form, form_id, bob, [(sid, path, "4.4")])
        (d,) = reconcile(store).discrepancies
        assert (d.study, d.path, d.values) == ("Chen-B 2020", path,
                                               {"alice": "44.0", "bob": "4.4"})
        settle_value(store, form, form_id, study_id=sid, reviewer_id=bob, path=path, value="44")
        assert reconcile(store).discrepancies == []
        (vas,) = parse_analyses("[[analysis]]\nname='vas'\noutcome='pain_vas'\n"
                                "measure='MD'\nmodel='fixed'\nleave_one_out=true\n", form)
        with store_reader(store) as reader:
            out = run_all(reader, form, [vas], tmp_path / "out", plot_format="svg")
        (run,) = out.runs
        assert run.estimable == 12
        names = {p.name for p in out.files}
        assert {"vas_forest.svg", "vas_funnel.svg", "results.csv", "results.json",
                "vas_leave_one_out.csv"} <= names
        import csv

        loo = list(csv.DictReader((tmp_path / "out" / "vas_leave_one_out.csv").open()))
        assert len(loo) == 12 and {r["omitted"] for r in loo} == set(trials)
        from reviewflow.pooling import meta_analysis

        without = run.data[run.data["study"] != loo[3]["omitted"]]
        direct = meta_analysis(without, measure="MD", method="IV", model="fixed")
        assert float(loo[3]["estimate"]) == pytest.approx(direct.overall.estimate, rel=1e-9)
        from reviewflow.extraction.run_analysis import summary_lines

        assert any(line.strip().startswith("Egger's test") for line in summary_lines(run))
    finally:
        store.dispose()
