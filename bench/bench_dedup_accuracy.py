"""Dedup accuracy on the labelled real benchmarks in ../shared/corpus/dedup.

Per dataset: pairwise precision and recall of the automatic merges, recall if
every queued pair were confirmed by a person, the number of queued pairs, and
sensitivity/specificity counted exactly as bib-dedupe's benchmark counts them
(a record that should be removed and was = TP), next to the published
figures listed in ../shared/corpus/SOURCES.md. A second table splits the
missed true pairs by the reason they were not merged, so gold-standard pairs
that our hard rules forbid on purpose (errata, different DOIs...) are visible.
Pairs a hard rule keeps apart although title, every author and abstract or
year agree are queued for a person ("published twice?"), so they count in
R+queue, never in the automatic merges.

A line "as two imports" repeats each set as the review store sees it when the
records come in two files: the second half is judged against the survivors of
the first (incremental runs), which must remove as many records as one run.

``--missed SET`` (e.g. ``--missed stroke``, ``--missed diabetes``) prints, for each
true duplicate group that still has more than one record after the automatic
merges, every record side by side and the verdict on each pair left apart.

Usage: python bench/bench_dedup_accuracy.py [--missed SET ...]
"""

from __future__ import annotations

import argparse
import os
import re
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


def _kind(reason: str) -> str:
    """A verdict's reason without its scores ('title 0.91, authors' -> 'title, authors')."""
    return re.sub(r"\s*\b\d\.\d\d\b", "", reason).strip(" ,") or "scored"


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
            verdict.score == 0.0 else f"{verdict.outcome} ({_kind(verdict.reason)})"
        if verdict.outcome == "certain":
            label = "certain pair kept apart by the no-chaining check"
        reasons[label] += 1
    return reasons


FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi",
          "publication_type")


def show_missed(bench: Benchmark, result: DedupResult) -> None:
    """Every labelled group the automatic merges left split, with the verdicts."""
    index = {rid: k for k, rid in enumerate(bench.ids)}
    removed = {m for g in result.groups for m in g.members if m != g.kept}
    group_of = {m: g.members[0] for g in result.groups for m in g.members}
    print(f"\n=== {bench.name}: true groups still split after the automatic merges")
    for cluster in bench.clusters:
        left = [index[x] for x in cluster if index[x] not in removed]
        if len(left) < 2:
            continue
        print(f"--- {', '.join(cluster)}: {len(left) - 1} record(s) not removed")
        for k in (index[x] for x in cluster):
            record = bench.records[k]
            state = "removed" if k in removed else "kept"
            print(f"  [{bench.ids[k]}] {state}, automatic group {group_of.get(k, '-')}")
            for name in FIELDS:
                value = getattr(record, name)
                if name == "authors":
                    value = "; ".join(value[:6]) + (" ..." if len(value) > 6 else "")
                print(f"      {name:<16} {value}")
            if record.abstract:
                print(f"      abstract         {record.abstract[:100]!r}... "
                      f"({len(record.abstract)} chars)")
        for x, a in enumerate(left):
            for b in left[x + 1:]:
                lo, hi = sorted((a, b))
                v = compare(normalise(bench.records[lo], lo), normalise(bench.records[hi], hi))
                print(f"  {bench.ids[lo]} ~ {bench.ids[hi]}: {v.outcome} ({v.reason})")


def incremental(bench: Benchmark) -> tuple[int, float]:
    """(records removed, pairwise precision) when the set arrives as two imports: the
    first half deduplicated, then the second half judged against the survivors only
    (``fresh=``), as the review store runs ``reviewflow dedup`` after each import."""
    n = len(bench.records)
    half = n // 2
    first = deduplicate(bench.records[:half])
    owner = {m: g.kept for g in first.groups for m in g.members if m != g.kept}
    keep = [i for i in range(half) if i not in owner] + list(range(half, n))
    second = deduplicate([bench.records[i] for i in keep],
                         fresh={k for k, i in enumerate(keep) if i >= half})
    for g in second.groups:
        owner.update({keep[m]: keep[g.kept] for m in g.members if m != g.kept})

    def root(i: int) -> int:
        while i in owner:
            i = owner[i]
        return i

    groups: dict[int, list[str]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(bench.ids[i])
    auto = _pairs([g for g in groups.values() if len(g) > 1])
    precision = len(auto & _pairs(bench.clusters)) / len(auto) if auto else 1.0
    return len(owner), precision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missed", action="append", default=[], metavar="SET",
                        help="itemise the split true groups of a data set (name prefix)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    header = (f"{'dataset':<19} {'n':>5} {'auto P':>7} {'auto R':>7} {'R+queue':>7} "
              f"{'queued':>6} {'sens':>6} {'spec':>6} {'best pub.':>9} {'s':>5}  published")
    print(header)
    print("-" * len(header))
    missed: dict[str, Counter[str]] = {}
    counts: list[str] = []
    two_imports: list[str] = []
    unlabelled: list[str] = []
    details: list[tuple[Benchmark, DedupResult]] = []
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
        removed, precision = incremental(bench)
        two_imports.append(f"{bench.name} {removed} (one run {result.n_removed}), "
                           f"P {precision:.4f}")
        if any(bench.name.startswith(prefix) for prefix in args.missed):
            details.append((bench, result))
        auto = _pairs([[bench.ids[k] for k in g.members] for g in result.groups])
        for x, y in sorted(auto - _pairs(bench.clusters)):
            titles = " | ".join(str(bench.records[bench.ids.index(i)].title)[:60] for i in (x, y))
            unlabelled.append(f"  {bench.name} {x} ~ {y}: {titles}")
        should = int(m["TP"] + m["FN"])
        counts.append(f"{bench.name} {int(m['TP'])}/{should} (best published {best} of {should}"
                      f" = {best * should:.1f})")
    print("\nauto P/R: pairwise precision/recall of automatic merges; R+queue: recall if every "
          "queued pair were confirmed;\nsens/spec: bib-dedupe's record-level counting; "
          "* = DedupEndNote README figures, record-level counting of all records in a "
          "duplicate set (not directly comparable).")
    print("\nrecords removed / to remove (published sensitivities are rounded to 3 decimals, so "
          "a tie in records can show as '<'):\n  " + "; ".join(counts))
    print("\nas two imports (second half judged against the first half's survivors): "
          "records removed\n  " + "; ".join(two_imports))
    print("\nmerged pairs not in the labels (each costs precision as measured here): "
          + ("none" if not unlabelled else "\n" + "\n".join(unlabelled)))
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
    for bench, result in details:
        show_missed(bench, result)


if __name__ == "__main__":
    main()
