"""Loading the labelled dedup benchmarks of ../shared/corpus/dedup and scoring results.

Stand-in for ``reviewflow.importers.read_file`` (built on another branch) for
the two benchmark layouts: bib-dedupe's ``records_pre_merged.csv`` and the
cp1252 ASySD labelled CSV. Shared by ``bench/bench_dedup_*.py`` and the tests.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from reviewflow.dedup import DedupResult
from reviewflow.records import Record

BIB_DEDUPE_SETS = ["cytology_screening", "haematology", "respiratory", "stroke",
                   "digital_work", "special_cases"]
# ASySD glues authors together: 'Salim H. M.Fukuda D.' = 'Salim H. M.' + 'Fukuda D.'
_ASYSD_AUTHOR = re.compile(r"(?<=\.)(?=[A-Z\u00C0-\u024F])")


@dataclass
class Benchmark:
    name: str
    records: list[Record]
    ids: list[str]
    clusters: list[list[str]]


def _value(row: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        value = (row.get(key) or "").strip()
        if value and value.upper() not in {"NA", "NAN", "UNKNOWN"}:
            return value
    return None


def _year(text: str | None) -> int | None:
    match = re.search(r"\d{4}", text or "")
    return int(match.group()) if match else None


def _record(row: dict[str, str], authors: list[str], position: int) -> Record:
    return Record(
        title=_value(row, "title"),
        abstract=_value(row, "abstract"),
        authors=authors,
        year=_year(row.get("year")),
        journal=_value(row, "journal", "booktitle"),
        volume=_value(row, "volume"),
        issue=_value(row, "number", "issue"),
        pages=_value(row, "pages"),
        doi=_value(row, "doi"),
        publication_type=_value(row, "ENTRYTYPE"),
        position=position,
    )


def load_bib_dedupe(folder: Path) -> Benchmark:
    with open(folder / "records_pre_merged.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records, ids = [], []
    for pos, row in enumerate(rows, 1):
        author = _value(row, "author") or ""
        authors = [a.strip() for a in author.split(" and ") if a.strip()]
        records.append(_record(row, authors, pos))
        ids.append(row["ID"])
    return Benchmark(folder.name, records, ids, _clusters(folder / "merged_record_ids.csv"))


def load_asysd(folder: Path) -> Benchmark:
    path = folder / "asysd_diabetes_labelled_test_set.csv"
    with open(path, encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records, ids = [], []
    for pos, row in enumerate(rows, 1):
        author = _value(row, "author") or ""
        authors = [a.strip() for a in _ASYSD_AUTHOR.split(author) if a.strip()]
        records.append(_record(row, authors, pos))
        ids.append(f"id_{int(row['record_id']):07d}")
    clusters = _clusters(folder / "asysd_diabetes_merged_record_ids_from_bib-dedupe.csv")
    return Benchmark("diabetes (ASySD)", records, ids, clusters)


def _clusters(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [row["merged_ids"].split(";") for row in csv.DictReader(handle)]


def load_all(corpus: Path) -> list[Benchmark]:
    sets = [load_bib_dedupe(corpus / "dedup" / "bib-dedupe" / name) for name in BIB_DEDUPE_SETS]
    sets.insert(5, load_asysd(corpus / "dedup" / "asysd"))
    return sets


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for g in groups for p in combinations(g, 2)}  # type: ignore[misc]


def _components(ids: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    comps: dict[str, list[str]] = {}
    for i in ids:
        comps.setdefault(find(i), []).append(i)
    return [c for c in comps.values() if len(c) > 1]


def evaluate(bench: Benchmark, result: DedupResult) -> dict[str, float]:
    """Pairwise precision/recall and bib-dedupe's record-level sensitivity/specificity."""
    ids = bench.ids
    truth = _pairs(bench.clusters)
    auto_groups = [[ids[m] for m in g.members] for g in result.groups]
    auto = _pairs(auto_groups)
    tp = len(auto & truth)
    edges = [(ids[g.members[0]], ids[m]) for g in result.groups for m in g.members[1:]]
    edges += [(ids[p.a], ids[p.b]) for p in result.queued]
    reachable = _pairs(_components(ids, edges))
    kept = set(ids)
    for g in result.groups:
        kept -= {ids[m] for m in g.members if m != g.kept}
    counts = _bib_dedupe_counts(ids, bench.clusters, kept)
    return {
        "records": len(ids),
        "auto_pairs": len(auto),
        "precision": tp / len(auto) if auto else 1.0,
        "recall": tp / len(truth) if truth else 1.0,
        "recall_with_queue": len(reachable & truth) / len(truth) if truth else 1.0,
        "queued": len(result.queued),
        "false_pairs": len(auto - truth),
        **counts,
    }


def _bib_dedupe_counts(ids: list[str], clusters: list[list[str]], kept: set[str]
                       ) -> dict[str, float]:
    """TP/FP/TN/FN exactly as bib-dedupe's DedupeBenchmarker.compare_dedupe_id counts them."""
    in_cluster = {i for c in clusters for i in c}
    tp = fp = tn = fn = 0
    for i in ids:
        if i not in in_cluster:
            tn, fp = (tn + 1, fp) if i in kept else (tn, fp + 1)
    for cluster in clusters:
        present = sum(1 for i in cluster if i in kept)
        if present == 0:
            fp += 1
            tp += len(cluster) - 1
        else:
            tn += 1
            fn += present - 1
            tp += len(cluster) - present
    return {"TP": tp, "FP": fp, "TN": tn, "FN": fn,
            "sensitivity": tp / (tp + fn) if tp + fn else 1.0,
            "specificity": tn / (tn + fp) if tn + fp else 1.0}


TITLE_ABSTRACT_SETS = ["Kitchenham_2010", "Nagtegaal_2019"]


def load_screening_duplicates(corpus: Path, name: str) -> Benchmark:
    """A screening set (title + abstract only) whose ``duplicate_record_id`` marks duplicates."""
    path = corpus / "screening" / f"{name}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    records = [Record(title=_value(row, "title"), abstract=_value(row, "abstract"),
                      year=_year(row.get("year")), position=pos)
               for pos, row in enumerate(rows, 1)]
    ids = [row["record_id"] for row in rows]
    clusters = [[row["record_id"], row["duplicate_record_id"].strip()] for row in rows
                if (row.get("duplicate_record_id") or "").strip()]
    return Benchmark(name, records, ids, clusters)
