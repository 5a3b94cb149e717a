"""WordLlama's bundled embeddings as a ranking member, against ASReview LAB 3.0.8 (issue #23).

Run from the repo root, after ``bench/bench_asreview3.py`` has cached ASReview's runs
for the same sets and shuffles, with ``wordllama`` importable (it is no reviewflow
dependency: e.g. ``pip install --target DIR wordllama`` and ``PYTHONPATH=DIR``):

    python bench/bench_wordllama.py [--seeds K] [--sets NAME,...]

Same protocol and scoring as bench_asreview3 (its shuffled files, top-down cold start,
no priors, refit after every record, asreview-insights' WSS@95), for two models built
from public ``Ranker`` members combined by the mean of their ranks, as the default
ensemble combines its own:

* ``lr+wl``: the TF-IDF regression and logistic regression on WordLlama's 256-dimensional
  ``l2_supercat`` vectors (l2-normed), i.e. WordLlama in Doc2Vec's place;
* ``lr+d2v+wl``: the default's two members and the WordLlama one.

WordLlama 0.4.0.post1 looks for its bundled tokenizer in the wrong folder and would
download it; pointing ``cache_dir`` at the package's own folder loads the weights and
the tokenizer from the wheel with no download. Orders are cached beside
bench_asreview3's (model names above); findings are in docs/ranking-experiments.md
(ninth round).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.preprocessing import normalize

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_asreview3 as side  # noqa: E402

from reviewflow.ranking.labelled import read_labelled_csv  # noqa: E402
from reviewflow.ranking.model import Ranker, RankerConfig, build_features  # noqa: E402
from reviewflow.ranking.simulation import SimulationConfig, replay  # noqa: E402
from reviewflow.ranking.threads import one_blas_thread  # noqa: E402

MODELS = ("lr+wl", "lr+d2v+wl")


class MeanRank:
    """Member rankers combined by the mean of their ranks (what ``ens_combine="mean"`` does)."""

    def __init__(self, members: Sequence[Ranker]) -> None:
        self.members = list(members)
        self._scores: np.ndarray | None = None

    def fit(self, labels: Mapping[int, int]) -> MeanRank:
        scores = [m.fit(labels).scores() for m in self.members]
        if any(s is None for s in scores):
            self._scores = None
            return self
        n = max(scores[0].size - 1, 1)
        self._scores = np.mean([np.argsort(np.argsort(s, kind="stable")) / n for s in scores],
                               axis=0)
        return self

    def order(self, unlabelled: Sequence[int]) -> list[int]:
        items = np.asarray(unlabelled, dtype=int)
        if self._scores is None:
            return items.tolist()
        return items[np.argsort(-self._scores[items], kind="stable")].tolist()


def wordllama_vectors(texts: list[str]) -> np.ndarray:
    """WordLlama's default model (256 dimensions), loaded from the wheel only."""
    import wordllama
    from wordllama import WordLlama

    model = WordLlama.load(disable_download=True, cache_dir=Path(wordllama.__file__).parent)
    return normalize(model.embed(texts, norm=False).astype(np.float32))


def run(model: str, data: Path, seed: int) -> np.ndarray:
    """True labels in the order ``model`` screened ``data``."""
    labelled = read_labelled_csv(data)
    texts = labelled.texts()
    config = replace(RankerConfig(), seed=seed)
    tfidf, _, d2v, _ = build_features(texts, RankerConfig())  # the default's views
    wl = wordllama_vectors(texts)
    lr, dense = replace(config, ens_members=("lr",)), replace(config, ens_members=("d2v",))
    members = [Ranker(texts, lr, (tfidf, None, None, None))]
    if model == "lr+d2v+wl":
        members.append(Ranker(texts, dense, (None, None, d2v, None)))
    members.append(Ranker(texts, dense, (None, None, wl, None)))  # WordLlama in d2v's slot
    truth = np.asarray(labelled.labels, dtype=int)
    with one_blas_thread():
        order = replay(MeanRank(members), truth, seed,
                       SimulationConfig(n_prior_relevant=0, n_prior_irrelevant=0))
    return truth[order]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--sets", default="Cohen_2006_ADHD,Cohen_2006_NSAIDS")
    parser.add_argument("--work", type=Path,
                        default=Path.home() / ".cache" / "reviewflow" / "bench_asreview3")
    args = parser.parse_args()
    if not side.SCREENING.is_dir():
        print(f"corpus not found at {side.SCREENING}; nothing to measure")
        return
    files = {p.stem: p for p in side.SCREENING.glob("*.csv") if "index" not in p.name}
    seeds = list(range(args.seeds))
    results: dict[side.Task, dict[str, object]] = {}
    for model in MODELS:
        pairs = []
        for name in args.sets.split(","):
            for label in side.label_columns(files[name]):
                truth = side._labels_of(side.shuffled_copy(files[name], label, 0, args.work))
                pairs.append((name, label, int(truth.size), int(truth.sum())))
                for seed in seeds:
                    for tool in ("asreview", "reviewflow"):
                        task = side.Task(tool, "asreview" if tool == "asreview" else model,
                                         name, label, seed)
                        cached = args.work / "runs" / f"{task.key}.json"
                        if cached.exists():
                            results[task] = json.loads(cached.read_text())
                        elif tool == "reviewflow":
                            t0 = time.perf_counter()
                            data = side.shuffled_copy(files[name], label, seed, args.work)
                            order = run(model, data, seed)
                            results[task] = {"labels": "".join(map(str, order.tolist())),
                                             "seconds": round(time.perf_counter() - t0, 1)}
                            cached.parent.mkdir(parents=True, exist_ok=True)
                            cached.write_text(json.dumps(results[task]))
                            print(f"  {task.key}: {results[task]['seconds']} s", flush=True)
        rows, ahead, total = side.table(results, pairs, seeds, model)
        print(f"\n{model}: ahead of or level with ASReview 3 on WSS@95 on {ahead} of {total}")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
