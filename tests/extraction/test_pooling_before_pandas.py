"""``analyse`` pools and submits its figures before it imports pandas (issue 22: the
import, about 0.3 s, then overlaps the drawing). The engine's input is built without
pandas, so :meth:`AnalysisInput.study_table` must give the very table the DataFrame
route gave (``frame()``, then a float column each), on the demo's analyses and on
analyses imported from real RevMan files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reviewflow.extraction.analyses import load_analyses
from reviewflow.extraction.values import reconcile
from reviewflow.pooling.types import DataType
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.extraction.forms import form_now, input_of
from tests.revman.revman_support import invoke

# small enough to import in seconds; between them dichotomous, continuous and generic
# inverse-variance outcomes, with and without subgroups
RM5 = ("Fleiss1993.rm5", "CD007419StatsDataOnly.rm5", "CD013437StatsDataOnly.rm5",
       "CD004976StatsDataOnly.rm5", "CD012692StatsDataOnly.rm5")


def _through_pandas(inp):  # -> StudyTable, as study_table() built it before
    from reviewflow.pooling.analysis import StudyTable

    frame = inp.frame()
    names = [c for c in frame.columns if c not in ("study", inp.subgroup)]
    columns = {c: np.asarray(frame[c].to_numpy(dtype=float)) for c in names}
    groups = tuple(str(g) for g in frame[inp.subgroup]) if inp.subgroup else None
    return StudyTable(inp.data_type, tuple(str(s) for s in frame["study"]), columns, groups)


def _inputs(folder: Path) -> list:
    store = Store.open(load_config(folder).database_url())
    try:
        form = form_now(store, folder)[1]
        rec = reconcile(store)
        out = []
        for a in load_analyses(folder, form):
            inp = input_of(store, a, form=form, reconciled=rec)
            out += [inp, inp.reported_only()]
        return out
    finally:
        store.dispose()


def _assert_same_tables(inputs: list) -> set[tuple[DataType, bool]]:
    """Every input's table equals the pandas route's; returns the kinds seen."""
    assert inputs
    for inp in inputs:
        got, want = inp.study_table(), _through_pandas(inp)
        assert (got.data_type, got.studies, got.subgroups) == (
            want.data_type, want.studies, want.subgroups)
        assert list(got.columns) == list(want.columns)
        for name, column in want.columns.items():
            assert got.columns[name].dtype == column.dtype == np.float64
            np.testing.assert_array_equal(got.columns[name], column, err_msg=name)
    return {(inp.data_type, inp.subgroup is not None) for inp in inputs if inp.comparisons}


def test_the_demo_pools_the_same_table(demo_build: Path, tmp_path: Path) -> None:
    import shutil

    folder = shutil.copytree(demo_build, tmp_path / "demo")
    kinds = _assert_same_tables(_inputs(folder))
    assert {DataType.CONTINUOUS, DataType.DICHOTOMOUS} <= {k for k, _ in kinds}
    assert any(sub for _, sub in kinds)


@pytest.mark.corpus
def test_revman_reviews_pool_the_same_table(corpus: Path, tmp_path: Path) -> None:
    rm5 = corpus / "revman" / "rm5"
    missing = [name for name in RM5 if not (rm5 / name).is_file()]
    if missing:
        pytest.skip(f"not in the corpus ({rm5}): {', '.join(missing)}")
    kinds: set[tuple[DataType, bool]] = set()
    for name in RM5:
        folder = tmp_path / name.removesuffix(".rm5")
        invoke("revman", "import", str(rm5 / name), str(folder))
        kinds |= _assert_same_tables(_inputs(folder))
    assert {k for k, _ in kinds} == set(DataType)
    assert any(sub for _, sub in kinds)


PROBE = """
import json, sys
from reviewflow import drawing
from reviewflow.cli.main import main

submitted = []
submit = drawing.submit
def record(target, path, *args, **kwargs):
    submitted.append((target.rpartition(":")[2], "pandas" in sys.modules))
    return submit(target, path, *args, **kwargs)
drawing.submit = record
try:
    main(["--review", sys.argv[1], "analyse", "--all"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps({"submitted": submitted, "pandas": "pandas" in sys.modules}))
"""


def test_analyse_submits_its_figures_before_pandas_loads(demo_build: Path,
                                                        tmp_path: Path) -> None:
    import shutil

    folder = shutil.copytree(demo_build, tmp_path / "demo")
    env = {**os.environ, "REVIEWFLOW_WORKERS": "0", "REVIEWFLOW_FIGURE_CACHE": "off"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True,
                         text=True, env=env, cwd=folder, timeout=300)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    forests = [pandas for name, pandas in seen["submitted"] if name == "save_forest_plot"]
    assert forests and not any(forests)  # every forest plot went out before pandas loaded
    assert seen["pandas"]  # the data CSVs, written after them, use it
    assert (folder / "analyses" / "ms_edss_data.csv").read_text().startswith("study,mean_treat")
