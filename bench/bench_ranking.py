"""Prioritised screening on the real labelled sets, beside published ASReview figures.

Run from the repo root:  python bench/bench_ranking.py [--quick] [--compare] [--seeds K]

For every labelled set under ../shared/corpus/screening/ (index CSVs skipped)
it replays screening (reviewflow.ranking.simulation.simulate: one random
relevant + one random irrelevant record as prior knowledge, then the top-ranked
record each time) over K seeds and prints WSS@95, WSS@100, RRF@10 and records
screened at 95% recall, beside:

* random order (expected WSS@95 = 0, RRF@10 = 10%: computed, not simulated);
* an ASReview-default-like baseline measured in the same run (multinomial
  naive Bayes, alpha 3.822, TF-IDF unigrams, balanced sample weights);
* the WSS@95 published for ASReview on the same data, where one was found.

Where the published figures come from (searched 2026-11-24):
* Nagtegaal_2019 ("Nudging"): WSS@95 71.7% (NB + TF-IDF, ASReview's default,
  mean of 15 runs), Ferdinands et al. 2020, "Active learning for screening
  prioritization in systematic reviews - a simulation study", as published in
  the ASReview documentation, docs/source/simulation_study_results.rst
  (https://asreview.readthedocs.io/en/latest/simulation_study_results.html),
  Table 2. That study removed records without abstract and duplicates
  (1847 records, 100 included), so we also run the same clean-up
  ("Nagtegaal_2019 [clean]": 1839 records, 100 included) for a like-for-like
  comparison.
* Kitchenham_2010, Bannach-Brown_2019 and the five Cohen_2006 sets: no
  published ASReview WSS@95 was found in the stored sources we could search
  (ASReview docs, asreview/asreview and synergy-dataset issues, pages corpus).
  The datasets' index files (synergy_index.csv, systematic-review-datasets_
  index.csv) list sizes and inclusion counts only. For these we compare with
  the ASReview-like baseline measured here instead.

It also replays the stopping heuristic (reviewflow.ranking.stopping) along
each simulated order and reports where it would have said "stop" and the true
recall at that point.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewflow.ranking.labelled import LabelledSet, read_labelled_csv  # noqa: E402
from reviewflow.ranking.model import RankerConfig, build_features  # noqa: E402
from reviewflow.ranking.simulation import SimulationConfig, simulate  # noqa: E402
from reviewflow.ranking.stopping import (  # noqa: E402
    consecutive_irrelevant,
    default_patience,
    stopping_estimate,
)

SCREENING = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "screening"

# dataset -> (published ASReview WSS@95 in %, short source)
PUBLISHED: dict[str, tuple[float, str]] = {
    "Nagtegaal_2019": (71.7, "Ferdinands 2020 / ASReview docs, NB+TF-IDF, 1847 rec"),
    "Nagtegaal_2019 [clean]": (71.7, "Ferdinands 2020 / ASReview docs, NB+TF-IDF, 1847 rec"),
}
ASREVIEW_LIKE = RankerConfig(classifier="nb", ngram_max=1, min_df=1, nb_alpha=3.822)


def load_sets() -> list[LabelledSet]:
    files = sorted(p for p in SCREENING.glob("*.csv") if "index" not in p.name)
    sets = [read_labelled_csv(p) for p in files]
    nag = SCREENING / "Nagtegaal_2019.csv"
    if nag.exists():
        sets.append(_clean_nagtegaal(nag))
    return sets


def _clean_nagtegaal(path: Path) -> LabelledSet:
    """Drop records without abstract, then repeated abstracts, as Ferdinands 2020 did.

    Her preprocessing (asreview-thesis, datasets/data_preprocessing.nb.md) keeps
    1847 records / 100 included; this gives the same counts.
    """
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: set[str] = set()
    keep = []
    for row in rows:
        abstract = row["abstract"].strip()
        if abstract and abstract != "NA" and row["abstract"] not in seen:
            seen.add(row["abstract"])
            keep.append(row)
    return LabelledSet(
        "Nagtegaal_2019 [clean]",
        [r["title"] for r in keep],
        [r["abstract"] for r in keep],
        ["" for _ in keep],
        [int(float(r["label_included"])) for r in keep],
    )


def stop_point(order_labels: np.ndarray, step: int = 10) -> tuple[int, float]:
    """First screened count (checked every ``step``) at which the heuristic says stop."""
    n = order_labels.size
    total = int(order_labels.sum())
    patience = default_patience(n)
    for screened in range(step, n + 1, step):
        seen = order_labels[:screened]
        if consecutive_irrelevant(seen.tolist()) < patience:
            continue  # cheap pre-check: the heuristic cannot say stop yet
        if int(seen.sum()) and stopping_estimate(seen.tolist(), n).should_stop:
            return screened, float(seen.sum() / total)
    return n, 1.0


def run_set(
    data: LabelledSet, config: RankerConfig, seeds: list[int], stops: bool = True
) -> dict[str, float]:
    texts = data.texts()
    t0 = time.process_time()
    features = build_features(texts, config)
    result = simulate(texts, data.labels, seeds, config, SimulationConfig(), features=features)
    cpu = time.process_time() - t0
    points = [stop_point(lab) for lab in result.labels_in_order()] if stops else [(0, 0.0)]
    return {
        "wss95": result.mean("wss95") * 100,
        "wss95_sd": float(np.std([s["wss95"] for s in result.per_seed]) * 100),
        "wss100": result.mean("wss100") * 100,
        "rrf10": result.mean("rrf10") * 100,
        "at95": result.mean("screened_at_95"),
        "n": result.n_records,
        "incl": result.n_included,
        "cpu": cpu,
        "stop_pct": float(np.mean([s[0] for s in points]) / result.n_records * 100),
        "stop_recall": float(np.mean([s[1] for s in points]) * 100),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, no baseline")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--compare", action="store_true", help="compare classifiers")
    args = parser.parse_args()
    if not SCREENING.is_dir():
        print(f"corpus not found at {SCREENING}; nothing to measure")
        return
    seeds = list(range(2 if args.quick else args.seeds))
    sets = load_sets()
    if args.compare:
        compare(sets, seeds)
        return
    print(f"seeds {seeds}; figures in %; 'ASR-like' = NB baseline measured in this run")
    head = (f"{'dataset':<24}{'N':>5}{'incl':>5} | {'WSS@95':>7}{'sd':>5}{'WSS@100':>8}"
            f"{'RRF@10':>7}{'@95%':>7} | {'ASR-like':>8}{'ratio':>6} | {'published':>9}"
            f" | {'stop@%':>6}{'recall':>7}{'cpu s':>7}")
    print(head)
    print("-" * len(head))
    wins = 0
    compared = 0
    for data in sets:
        ours = run_set(data, RankerConfig(), seeds)
        base = None if args.quick else run_set(data, ASREVIEW_LIKE, seeds, stops=False)
        pub = PUBLISHED.get(data.name)
        base_txt = f"{base['wss95']:8.1f}{ours['wss95'] / base['wss95']:6.2f}" if base else " " * 14
        pub_txt = f"{pub[0]:9.1f}" if pub else f"{'n/f':>9}"
        if pub:
            compared += 1
            wins += ours["wss95"] >= pub[0]
        print(f"{data.name:<24}{ours['n']:>5}{ours['incl']:>5} | {ours['wss95']:7.1f}"
              f"{ours['wss95_sd']:5.1f}{ours['wss100']:8.1f}{ours['rrf10']:7.1f}"
              f"{ours['at95']:7.0f} | {base_txt} | {pub_txt} | {ours['stop_pct']:6.1f}"
              f"{ours['stop_recall']:7.1f}{ours['cpu']:7.1f}", flush=True)
    print("n/f = no published ASReview figure found (see sources in this file's docstring)")
    print(f"at least the published ASReview WSS@95 on {wins} of {compared} sets with one")
    print("stop@% / recall = where the stopping heuristic said stop (% of records screened)"
          " and the true recall there, mean over seeds")


def compare(sets: list[LabelledSet], seeds: list[int]) -> None:
    configs = {
        "lr": RankerConfig(),
        "lr C=3": replace(RankerConfig(), c=3.0),
        "lr 1gram": replace(RankerConfig(), ngram_max=1),
        "svm": replace(RankerConfig(), classifier="svm"),
        "nb": replace(RankerConfig(), classifier="nb"),
        "sgd": replace(RankerConfig(), classifier="sgd"),
        "asr-nb": ASREVIEW_LIKE,
    }
    print(f"WSS@95 (%), mean of seeds {seeds}")
    print(f"{'dataset':<24}" + "".join(f"{k:>9}" for k in configs), flush=True)
    means = {k: [] for k in configs}
    for data in sets:
        row = f"{data.name:<24}"
        for key, cfg in configs.items():
            value = run_set(data, cfg, seeds, stops=False)["wss95"]
            means[key].append(value)
            row += f"{value:9.1f}"
        print(row, flush=True)
    print(f"{'mean':<24}" + "".join(f"{np.mean(v):9.1f}" for v in means.values()))


if __name__ == "__main__":
    main()
