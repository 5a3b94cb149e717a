"""Dedup accuracy on the labelled real benchmarks in ../shared/corpus/dedup.

Per dataset: pairwise precision and recall of the automatic merges, recall if
every queued pair were confirmed by a person, the number of queued pairs, and
sensitivity/specificity counted exactly as bib-dedupe's benchmark counts them
(a record that should be removed and was = TP), next to the published
figures listed in ../shared/corpus/SOURCES.md. A second table splits the
missed true pairs by the reason they were not merged, so gold-standard pairs
that our hard rules forbid on purpose (errata, different DOIs...) are visible.

Usage: python bench/bench_dedup_accuracy.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.dedup_corpus import (  # noqa: E402
    TITLE_ABSTRACT_SETS,
    Benchmark,
    _pairs,
    evaluate,
    load_all,
    load_screening_duplicates,
)
from reviewflow.dedup import DedupResult, deduplicate  # noqa: E402
from reviewflow.dedup.compare import compare  # noqa: E402
from reviewflow.dedup.normalise import normalise  # noqa: E402

CORPUS = Path(os.environ.get("REVIEWFLOW_CORPUS", REPO.parent / "shared" / "corpus"))

# sensitivity / specificity published on the same data (SOURCES.md, section B)
PUBLISHED: dict[str, dict[str, str]] = {
    "cytology_screening": {"bib-dedupe": "0.992/1.0", "asreview": "0.975/0.989",
                           "DedupEndNote*": "0.958/1.0", "SRA-DM*": "0.901/1.0"},
    "haematology": {"bib-dedupe": "0.889/1.0", "asreview": "0.830/0.970",
                    "DedupEndNote*": "0.952/0.998", "SRA-DM*": "0.846/1.0"},
    "respiratory": {"bib-dedupe": "0.936/1.0", "asreview": "0.915/0.991",
                    "DedupEndNote*": "0.958/0.997", "SRA-DM*": "0.844/1.0"},
    "stroke": {"bib-dedupe": "0.994/1.0", "asreview": "0.984/0.988",
               "DedupEndNote*": "0.974/1.0", "SRA-DM*": "0.840/1.0"},
    "digital_work": {"bib-dedupe": "0.997/1.0", "asreview": "0.650/0.968"},
    "diabetes (ASySD)": {"bib-dedupe": "1.0/1.0", "asreview": "0.874/1.0",
                         "ASySD (5 sets)": "0.95-0.99/>0.99"},
    "special_cases": {"bib-dedupe": "0.333/1.0", "asreview": "0.667/0.778"},
}
BEST_SENSITIVITY = {"cytology_screening": 0.992, "haematology": 0.889, "respiratory": 0.936,
                    "stroke": 0.994, "digital_work": 0.997, "diabetes (ASySD)": 1.0,
                    "special_cases": 0.333}


def missed_reasons(bench: Benchmark, result: DedupResult) -> Counter[str]:
    """Why each true pair that was not merged automatically was left apart."""
    index = {rid: k for k, rid in enumerate(bench.ids)}
    auto = _pairs([[bench.ids[m] for m in g.members] for g in result.groups])
    norms: dict[int, object] = {}
    reasons: Counter[str] = Counter()
    for x, y in sorted(_pairs(bench.clusters) - auto):
        a, b = sorted((index[x], index[y]))
        for k in (a, b):
            if k not in norms:
                norms[k] = normalise(bench.records[k], k)
        verdict = compare(norms[a], norms[b])  # type: ignore[arg-type]
        label = verdict.reason if verdict.outcome in ("related", "distinct") and \
            verdict.score == 0.0 else f"{verdict.outcome} (scored)"
        if verdict.outcome == "certain":
            label = "certain pair kept apart by the no-chaining check"
        reasons[label] += 1
    return reasons


def main() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    header = (f"{'dataset':<19} {'n':>5} {'auto P':>7} {'auto R':>7} {'R+queue':>7} "
              f"{'queued':>6} {'sens':>6} {'spec':>6} {'best pub.':>9} {'s':>5}  published")
    print(header)
    print("-" * len(header))
    missed: dict[str, Counter[str]] = {}
    counts: list[str] = []
    for bench in load_all(CORPUS):
        start = time.perf_counter()
        result = deduplicate(bench.records)
        seconds = time.perf_counter() - start
        m = evaluate(bench, result)
        best = BEST_SENSITIVITY[bench.name]
        flag = ">" if m["sensitivity"] > best else ("=" if m["sensitivity"] == best else "<")
        published = ", ".join(f"{k} {v}" for k, v in PUBLISHED[bench.name].items())
        print(f"{bench.name:<19} {m['records']:>5} {m['precision']:>7.4f} {m['recall']:>7.4f} "
              f"{m['recall_with_queue']:>7.4f} {m['queued']:>6} {m['sensitivity']:>6.3f} "
              f"{m['specificity']:>6.3f} {flag}{best:>8.3f} {seconds:>5.1f}  {published}")
        missed[bench.name] = missed_reasons(bench, result)
        should = int(m["TP"] + m["FN"])
        counts.append(f"{bench.name} {int(m['TP'])}/{should} (best published {best} of {should}"
                      f" = {best * should:.1f})")
    print("\nauto P/R: pairwise precision/recall of automatic merges; R+queue: recall if every "
          "queued pair were confirmed;\nsens/spec: bib-dedupe's record-level counting; "
          "* = DedupEndNote README figures, record-level counting of all records in a "
          "duplicate set (not directly comparable).")
    print("\nrecords removed / to remove (published sensitivities are rounded to 3 decimals, so "
          "a tie in records can show as '<'):\n  " + "; ".join(counts))
    print("\ntitle + abstract only (screening sets with a duplicate_record_id column; no "
          "published figures):")
    for name in TITLE_ABSTRACT_SETS:
        bench = load_screening_duplicates(CORPUS, name)
        m = evaluate(bench, deduplicate(bench.records))
        print(f"  {name:<17} {m['records']:>5} records, {len(_pairs(bench.clusters))} labelled "
              f"pairs: auto P {m['precision']:.4f} R {m['recall']:.4f}, R+queue "
              f"{m['recall_with_queue']:.4f}, {m['queued']} queued, "
              f"{m['false_pairs']} merged pairs not in the labels")
    print("  (these labels are partial: the unlabelled merged pairs found when this bench was "
          "written had the same title and the same 1238/1950-character abstract)")
    print("\ntrue pairs not merged automatically, by reason:")
    for name, reasons in missed.items():
        if reasons:
            text = "; ".join(f"{reason}: {count}" for reason, count in reasons.most_common(8))
            print(f"  {name}: {text}")


if __name__ == "__main__":
    main()
