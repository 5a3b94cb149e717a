"""Side by side with ASReview LAB 3.0.8: its default model and reviewflow's on the same files.

Run from the repo root:  python bench/bench_asreview3.py [--seeds K] [--sets NAME,...]
[--jobs J] [--model NAME] [--write docs/asreview3-comparison.md]

For every labelled set in ../shared/corpus/screening/ (index CSVs skipped) and every
label column it has (``label_included``; the Cohen 2006 and Nagtegaal files also have
``label_abstract_screening``), plus the rule-labelled Chinese and mixed Chinese/English
sets of bench/chinese_sets.py (its docstring states the rule and its limits), and for
seeds 0..K-1, the bench writes a row-shuffled
copy of the file (the seed shuffles the rows: Kitchenham's file lists its 45 includes
first, an order no tool may use) and screens it twice:

* ASReview LAB 3.0.8, run as a reviewer would: ``asreview simulate FILE --seed S`` in
  a separate virtual environment (created on first use under --venv; asreview is not
  a reviewflow dependency). Its default model, ``elas_u4``: TF-IDF on title +
  abstract (1-2-grams, sublinear tf, max_df 0.95), a linear SVM (C=0.11) with the
  "balanced" sample weights (ratio 9.8), the max querier, retrained after every
  label, and a top-down cold start without priors (records in file order until both
  classes are labelled). It stops once the last relevant record is found; every
  record after that is irrelevant, so the order is complete for every metric.
* reviewflow's default model (or --model), replayed with the same cold start:
  no prior knowledge, records in file order until the first relevant one (the
  screen's own behaviour while nothing can be learnt), then the top-ranked record,
  refit after every record (reviewflow.ranking.simulation, no priors).

Both orders are scored with ASReview's own definitions (asreview-insights 1.6,
``asreviewcontrib/insights/algorithms.py`` and ``metrics.py``; ASReview 3 itself
only prints loss and NDCG), cold-start records counted as screened (ASReview 3's
simulation marks them ``top_down``, not as priors): WSS@95 and WSS@100 as
``reviewflow.ranking.metrics.wss_insights``, RRF@10 as ``recall_insights``. Beside
them, for both orders, where reviewflow's stopping rule would have said stop
(``reviewflow.ranking.stopping.suggested_stop``) and the true recall and the share
of records left unscreened there. Figures are the mean and the standard deviation
over the shuffles.

Every screening order is cached as JSON under --work (default
~/.cache/reviewflow/bench_asreview3), keyed by tool, model, set, label and seed, so a
rerun with more seeds only screens the new ones. Runs are niced (nice 15).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewflow.ranking import metrics  # noqa: E402
from reviewflow.ranking.model import RankerConfig  # noqa: E402
from reviewflow.ranking.stopping import suggested_stop  # noqa: E402
from reviewflow.wording import plural  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SCREENING = REPO.parent / "shared" / "corpus" / "screening"
ASREVIEW = "asreview==3.0.8"
LABELS = ("label_included", "label_abstract_screening")
TEXT_COLUMNS = ("title", "abstract", "keywords")
# reviewflow models the bench can run (--model); "default" is RankerConfig()
MODELS: dict[str, RankerConfig] = {
    "default": RankerConfig(),
    # the sixth round's default, and the z-score sum (docs/ranking-experiments.md, seventh)
    "max-stopwords": replace(RankerConfig(), ens_combine="max", stop_words="english"),
    "zsum": replace(RankerConfig(), ens_combine="zsum"),
    # candidates: ASReview 3's own model (features, SVM, weights) as an ensemble member
    "lr+d2v+asvm": replace(RankerConfig(), ens_members=("lr", "d2v", "asvm")),
    "asvm+d2v": replace(RankerConfig(), ens_members=("asvm", "d2v")),
    # eighth round (docs/ranking-experiments.md): other combinations, and each member alone
    "rrf": replace(RankerConfig(), ens_combine="rrf"),
    "lr+d2v+svm": replace(RankerConfig(), ens_members=("lr", "d2v", "svm")),
    "lr-alone": replace(RankerConfig(), ens_members=("lr",)),
    "d2v-alone": replace(RankerConfig(), ens_members=("d2v",)),
    "asvm-alone": replace(RankerConfig(), ens_members=("asvm",)),
    # the set-up above the Doc2Vec cap (model.for_size), with and without the stop words
    "large-stopwords": replace(RankerConfig(), ens_members=("lr", "nb"), ens_combine="max",
                               stop_words="english"),
    "large-nostop": replace(RankerConfig(), ens_members=("lr", "nb"), ens_combine="max"),
    # ninth round: a stronger Doc2Vec member (word vectors trained alongside, as Lau &
    # Baldwin 2016 recommend for PV-DBOW; more dimensions; more passes)
    "d2v-words": replace(RankerConfig(), d2v_dbow_words=True),
    "d2v-dim100": replace(RankerConfig(), d2v_dim=100),
    "d2v-epochs40": replace(RankerConfig(), d2v_epochs=40),
    # tenth round: the members weighed by cross-validation on the labels so far
    "cv-weights": replace(RankerConfig(), ens_weights="cv", ens_cv_rule="unpaired"),
    "cv-paired": replace(RankerConfig(), ens_weights="cv", ens_cv_rule="paired"),
    # the default up to the tenth round: the members' ranks weighed equally
    "equal-weights": replace(RankerConfig(), ens_weights="equal"),
    "cv-best": replace(RankerConfig(), ens_weights="cv", ens_cv_rule="best"),
    "cv-lr+d2v+asvm": replace(RankerConfig(), ens_weights="cv", ens_members=("lr", "d2v", "asvm")),
}
DEFINITIONS = (
    "WSS@95, WSS@100: asreview-insights' WSS (ASReview's own definition): the records a"
    " random order needs for the k-th relevant record (round(linspace(0, relevant, N)))"
    " minus the records this order needed, over N, with k the largest count whose recall"
    " k/relevant is <= 95% (100%); cold-start records counted as screened, no priors.",
    "RRF@10: asreview-insights' recall at 10% (relevant found in the first floor(0.1 N)"
    " records / relevant), same counting.",
    "stop: reviewflow's suggested stop (reviewflow.ranking.stopping.suggested_stop, checked"
    " after every 10 records) applied to each tool's order: recall = true recall there,"
    " saved = records not screened / N. Both in %.",
)


@dataclass(frozen=True)
class Task:
    """One screening run: which tool, model, file and shuffle."""

    tool: str  # "asreview" or "reviewflow"
    model: str
    set_name: str
    label: str
    seed: int

    @property
    def key(self) -> str:
        return f"{self.tool}-{self.model}-{self.set_name}-{self.label}-{self.seed}"


def label_columns(path: Path) -> list[str]:
    """The label columns of ``path`` worth a row: one that repeats another is left out.

    (Cohen 2006 Estrogens has the same labels in both columns.)
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    present = [c for c in LABELS if c in rows[0]]
    columns: list[str] = []
    for col in present:
        values = [int(float(r[col])) for r in rows]
        if all(values != [int(float(r[c])) for r in rows] for c in columns):
            columns.append(col)
    return columns


def shuffled_copy(source: Path, label: str, seed: int, work: Path) -> Path:
    """Rows of ``source`` in a seeded random order: the text columns and ``label`` only.

    The chosen label column is written as ``label_included`` (what both tools read);
    record ids, other labels and duplicate marks are left out so no tool can use them.
    """
    out = work / "data" / f"{source.stem}-{label}-{seed}.csv"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = [c for c in TEXT_COLUMNS if c in rows[0]]
    order = np.random.default_rng(seed).permutation(len(rows))
    tmp = out.with_suffix(f".{os.getpid()}.tmp")  # two runs of one shuffle may write it at once
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*columns, "label_included"])
        for i in order:
            row = rows[i]
            writer.writerow([row[c] for c in columns] + [str(int(float(row[label])))])
    tmp.replace(out)
    return out


def ensure_venv(venv: Path) -> Path:
    """The ``asreview`` executable of ``venv``, installing ASReview 3.0.8 there if needed."""
    exe = venv / "bin" / "asreview"
    python = venv / "bin" / "python"
    if exe.exists():
        version = subprocess.run(
            [str(python), "-c", "import asreview; print(asreview.__version__)"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()
        if version == ASREVIEW.split("==")[1]:
            return exe
    print(f"installing {ASREVIEW} into {venv} (once)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", ASREVIEW], check=True)
    return exe


def run_asreview(exe: Path, data: Path, seed: int) -> np.ndarray:
    """True labels in the order ASReview 3's default model screened ``data``."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "sim.asreview"
        subprocess.run(
            ["nice", "-n", str(max(0, 15 - os.nice(0))),  # the run at nice 15 in all
             str(exe), "simulate", str(data), "-o", str(project), "--seed", str(seed)],
            check=True, capture_output=True, text=True,
        )
        with zipfile.ZipFile(project) as zf:
            zf.extract("results.db", tmp)
        con = sqlite3.connect(Path(tmp) / "results.db")
        try:
            rows = con.execute(
                "SELECT r.label, rec.dataset_row FROM results r"
                " JOIN record rec ON rec.record_id = r.record_id ORDER BY r.rowid"
            ).fetchall()
        finally:
            con.close()
    truth = _labels_of(data)
    screened = [int(row) for _, row in rows]
    if any(int(lab) != truth[i] for (lab, _), i in zip(rows, screened, strict=True)):
        raise RuntimeError(f"{data}: ASReview's labels do not match the file's")
    rest = np.setdiff1d(np.arange(truth.size), screened)
    if truth[rest].any():
        raise RuntimeError(f"{data}: ASReview stopped before the last relevant record")
    return truth[np.concatenate([np.asarray(screened, dtype=int), rest])]


def run_reviewflow(data: Path, seed: int, config: RankerConfig) -> np.ndarray:
    """True labels in the order reviewflow's model screened ``data`` (top-down cold start)."""
    from reviewflow.ranking.labelled import read_labelled_csv
    from reviewflow.ranking.simulation import SimulationConfig, simulate

    labelled = read_labelled_csv(data)
    result = simulate(
        labelled.texts(), labelled.labels, seeds=[seed], ranker_config=config,
        config=SimulationConfig(n_prior_relevant=0, n_prior_irrelevant=0),
    )
    return result.labels_in_order()[0]


def _labels_of(data: Path) -> np.ndarray:
    with data.open(encoding="utf-8", newline="") as fh:
        return np.asarray([int(r["label_included"]) for r in csv.DictReader(fh)], dtype=int)


def run_task(task: Task, source: Path, work: Path, exe: Path | None) -> dict[str, object]:
    """Screen one shuffled file with one tool (cached); the labels in screening order."""
    cached = work / "runs" / f"{task.key}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    os.nice(max(0, 15 - os.nice(0)))  # a shared machine: the bench yields to others
    data = shuffled_copy(source, task.label, task.seed, work)
    t0 = time.perf_counter()
    if task.tool == "asreview":
        assert exe is not None
        order = run_asreview(exe, data, task.seed)
    else:
        order = run_reviewflow(data, task.seed, MODELS[task.model])
    result = {"labels": "".join(map(str, order.tolist())),
              "seconds": round(time.perf_counter() - t0, 1)}
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result))
    return result


def figures(labels: np.ndarray) -> dict[str, float]:
    """The figures of one screening order, in %."""
    stop = suggested_stop(labels.tolist(), labels.size)
    found = int(labels[:stop].sum())
    return {
        "wss95": metrics.wss_insights(labels, 0.95) * 100,
        "wss100": metrics.wss_insights(labels, 1.0) * 100,
        "rrf10": metrics.recall_insights(labels, 0.10) * 100,
        "stop_recall": found / int(labels.sum()) * 100,
        "stop_saved": (labels.size - stop) / labels.size * 100,
    }


KEYS = ("wss95", "wss100", "rrf10", "stop_recall", "stop_saved")
HEADS = ("WSS@95", "WSS@100", "RRF@10", "stop recall", "stop saved")


def _cell(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):5.1f} ±{sd:4.1f}"


def table(results: dict[Task, dict[str, object]], pairs: list[tuple[str, str, int, int]],
          seeds: list[int], model: str) -> tuple[list[str], int, int]:
    """Markdown rows (ASReview 3 | reviewflow per figure) and the WSS@95 wins count."""
    head = "| set | label | N | incl | " + " | ".join(
        f"{h} ASR3 | {h} rf" for h in HEADS) + " |"
    rows = [head, "|" + "---|" * (4 + 2 * len(HEADS))]
    ahead = total = 0
    for set_name, label, n, incl in pairs:
        per_tool = {}
        short_of: dict[str, int] = {}
        for tool in ("asreview", "reviewflow"):
            runs = [results.get(Task(tool, "asreview" if tool == "asreview" else model,
                                     set_name, label, s)) for s in seeds]
            runs = [r for r in runs if r is not None]  # --reviewflow-only / --cached-only
            short_of[tool] = len(seeds) - len(runs)
            if not runs:
                per_tool[tool] = {k: [float("nan")] for k in KEYS}
                continue
            figs = [figures(np.frombuffer(r["labels"].encode(), dtype=np.uint8) - 48)
                    for r in runs]
            per_tool[tool] = {k: [f[k] for f in figs] for k in KEYS}
        cells = []
        for k in KEYS:
            cells += [_cell(per_tool["asreview"][k]), _cell(per_tool["reviewflow"][k])]
        total += 1
        ahead += statistics.fmean(per_tool["reviewflow"]["wss95"]) >= statistics.fmean(
            per_tool["asreview"]["wss95"])
        short = label.removeprefix("label_")
        if any(short_of.values()):  # fewer shuffles than asked: say how many
            short += " (" + ", ".join(f"{t[:3]} {plural(len(seeds) - m, 'shuffle')}"
                                      for t, m in short_of.items()) + ")"
        rows.append(f"| {set_name} | {short} | {n} | {incl} | " + " | ".join(cells) + " |")
    return rows, ahead, total


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="shuffles per set and label")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at once (processes)")
    parser.add_argument("--model", default="default", choices=sorted(MODELS),
                        help="reviewflow model to compare")
    parser.add_argument("--venv", type=Path,
                        default=Path.home() / ".cache" / "reviewflow" / "asreview-3.0.8")
    parser.add_argument("--work", type=Path,
                        default=Path.home() / ".cache" / "reviewflow" / "bench_asreview3")
    parser.add_argument("--reviewflow-only", action="store_true",
                        help="only reviewflow runs (ASReview's must be cached)")
    parser.add_argument("--write", type=Path, help="also write the table (Markdown) here")
    parser.add_argument("--cached-only", action="store_true",
                        help="no new runs: the table from cached runs (missing ones: nan)")
    parser.add_argument("--no-chinese", action="store_true",
                        help="leave out the rule-labelled Chinese and mixed sets")
    args = parser.parse_args()
    if not SCREENING.is_dir():
        print(f"corpus not found at {SCREENING}; nothing to measure")
        return
    files = sorted(p for p in SCREENING.glob("*.csv") if "index" not in p.name)
    if not args.no_chinese:  # the rule-labelled Chinese and mixed sets (bench/chinese_sets.py)
        from chinese_sets import chinese_sets, write_csv

        files += [write_csv(d, args.work / "sources" / f"{d.name}.csv") for d in chinese_sets()]
    if args.sets:
        wanted = {s.strip() for s in args.sets.split(",")}
        unknown = wanted - {p.stem for p in files}
        if unknown:
            parser.error(f"unknown --sets {sorted(unknown)}; choose from {[p.stem for p in files]}")
        files = [p for p in files if p.stem in wanted]
    seeds = list(range(args.seeds))
    exe = None if args.reviewflow_only else ensure_venv(args.venv)
    pairs = []
    tasks = []
    for path in files:
        for label in label_columns(path):
            truth = _labels_of(shuffled_copy(path, label, 0, args.work))
            pairs.append((path.stem, label, int(truth.size), int(truth.sum())))
            for seed in seeds:
                if not args.reviewflow_only:
                    tasks.append(Task("asreview", "asreview", path.stem, label, seed))
                tasks.append(Task("reviewflow", args.model, path.stem, label, seed))
    if args.cached_only:
        tasks = [t for t in tasks if (args.work / "runs" / f"{t.key}.json").exists()]
    print(f"{len(pairs)} set/label pairs x {len(seeds)} shuffles x 2 tools; cached runs under"
          f" {args.work}", flush=True)
    results: dict[Task, dict[str, object]] = {}
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        source = {p.stem: p for p in files}
        futures = {t: pool.submit(run_task, t, source[t.set_name], args.work, exe) for t in tasks}
        for done, (task, fut) in enumerate(futures.items(), 1):
            results[task] = fut.result()
            print(f"  [{done}/{len(tasks)}] {task.key}: {results[task]['seconds']} s", flush=True)
    for task in tasks:  # ASReview's runs from the cache when --reviewflow-only
        twin = Task("asreview", "asreview", task.set_name, task.label, task.seed)
        cached = args.work / "runs" / f"{twin.key}.json"
        if twin not in results and cached.exists():
            results[twin] = json.loads(cached.read_text())
    rows, ahead, total = table(results, pairs, seeds, args.model)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary = (f"reviewflow ({args.model}) ahead of or level with ASReview 3.0.8 (elas_u4) on"
               f" WSS@95 (mean over shuffles) on {ahead} of {total} set/label pairs")
    lines = [
        f"Measured {stamp} on {machine()}; seeds (shuffles) {seeds[0]}..{seeds[-1]};"
        f" mean ±sd over the shuffles; ASR3 = ASReview LAB 3.0.8 `asreview simulate`"
        f" defaults (elas_u4), rf = reviewflow `{args.model}`.",
        "",
        *rows,
        "",
        summary + ".",
        "",
        *(f"* {d}" for d in DEFINITIONS),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_doc(args.write, text, args.seeds)


BEGIN, END = "<!-- bench_asreview3 table: begin -->", "<!-- bench_asreview3 table: end -->"


def write_doc(path: Path, text: str, seeds: int) -> None:
    """Put the table into ``path`` between its markers, keeping the prose around them."""
    command = f"python bench/bench_asreview3.py --seeds {seeds} --write {path}"
    block = (f"{BEGIN}\nReproduce: `{command}` (about an hour on two shared cores; every"
             f" run is cached).\n\n{text}\n{END}")
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        new = old[: old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    elif old:  # a document without the table yet: the table goes at its end
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    else:
        new = ("# reviewflow and ASReview LAB 3.0.8 side by side\n\n"
               "How each tool is run and scored: `bench/bench_asreview3.py`'s docstring.\n\n"
               + block + "\n")
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
