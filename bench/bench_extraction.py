"""Extraction benchmark: a large team spreadsheet through validate, store, reconcile, pool input.

Run from the repository root::

    python bench/bench_extraction.py            # 2,000 studies x 2 outcomes x 2 reviewers
    python bench/bench_extraction.py --quick    # 300 studies

Figures printed (seconds, best of 2 where cheap):
- baseline: pandas ``read_csv`` of the same sheet plus a pivot to the pooling
  columns (what a spreadsheet user would do with no store and no checks);
- ``import_extraction`` for each of two reviewers (read, validate every cell,
  store append-only rows in one transaction);
- ``reconcile`` (latest value per reviewer, consensus, discrepancies) and
  ``analysis_input`` for one outcome, and the ratio of that read path to the
  baseline (the cost of working from the store instead of from the file).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from reviewflow.extraction.analyses import analysis_input, parse_analyses  # noqa: E402
from reviewflow.extraction.form import example_form_text  # noqa: E402
from reviewflow.extraction.form_versions import store_form_text  # noqa: E402
from reviewflow.extraction.spreadsheet import header  # noqa: E402
from reviewflow.extraction.transfer import import_extraction  # noqa: E402
from reviewflow.extraction.values import reconcile  # noqa: E402
from reviewflow.store.db import Store  # noqa: E402
from reviewflow.store.reader import store_reader  # noqa: E402

SOURCES = ("bone marrow", "umbilical cord", "adipose tissue")


def make_sheet(path: Path, studies: int, form) -> int:
    rng = random.Random(7)
    rows = []
    for i in range(studies):
        base = {"study": f"Trial{i:05d} {2000 + i % 24}", "cell_source": SOURCES[i % 3],
                "country": "Spain", "disease": "osteoarthritis"}
        n1, n2 = rng.randint(15, 60), rng.randint(15, 60)
        rows.append(base | {"outcome": "pain_vas", "mean_treat": round(rng.gauss(30, 5), 1),
                            "sd_treat": round(rng.uniform(8, 16), 1), "n_treat": n1,
                            "mean_ctrl": round(rng.gauss(42, 5), 1),
                            "sd_ctrl": round(rng.uniform(8, 16), 1), "n_ctrl": n2})
        rows.append(base | {"outcome": "adverse_events", "events_treat": rng.randint(0, n1),
                            "n_treat": n1, "events_ctrl": rng.randint(0, n2), "n_ctrl": n2})
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header(form))
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def baseline(path: Path) -> float:
    def run() -> pd.DataFrame:
        df = pd.read_csv(path)
        vas = df[df["outcome"] == "pain_vas"]
        return vas[["study", "mean_treat", "sd_treat", "n_treat", "mean_ctrl", "sd_ctrl",
                    "n_ctrl", "cell_source"]].sort_values("study")
    return min(timed(run)[0] for _ in range(2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    studies = 300 if parser.parse_args().quick else 2000
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.create(f"sqlite:///{Path(tmp) / 'rf.db'}", title="bench")
        with store.write() as session:
            form_id, form = store_form_text(session=session, text=example_form_text("msc"),
                                            source="msc example")
        sheet = Path(tmp) / "sheet.csv"
        rows = make_sheet(sheet, studies, form)
        base = baseline(sheet)
        print(f"{studies} studies, {rows} rows per reviewer")
        print(f"baseline pandas read_csv + pivot:     {base:8.3f} s")
        for i, name in enumerate(("alice", "bob")):
            def run(n: str = name, first: bool = (i == 0)) -> tuple[int, int]:
                with store.write() as session:
                    return import_extraction(session=session, form=form, form_id=form_id,
                                             path=sheet, reviewer=n, create_studies=first)

            t, (_r, written) = timed(run)
            print(f"import_extraction ({name}):         {t:8.3f} s  "
                  f"({written} values, {written / t:,.0f} values/s)")
        t_rec, rec = timed(lambda: reconcile(store))
        (vas,) = parse_analyses("[[analysis]]\nname='v'\noutcome='pain_vas'\nmeasure='SMD'\n"
                                "subgroup='cell_source'\n", form)
        with store_reader(store) as reader:
            t_in, df = timed(lambda: analysis_input(reader, vas, form=form, reconciled=rec))
        print(f"reconcile:                            {t_rec:8.3f} s  "
              f"({len(rec.discrepancies)} discrepancies)")
        print(f"analysis_input (one outcome):         {t_in:8.3f} s  ({len(df)} studies)")
        print(f"ratio store read path / baseline:     {(t_rec + t_in) / base:8.1f} x")
        store.dispose()


if __name__ == "__main__":
    main()
