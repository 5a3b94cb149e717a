"""Worker programs the concurrency and crash tests start as real subprocesses.

Run as ``python tests/teams/store_drivers.py COMMAND URL ...`` with the repo on
PYTHONPATH. Each prints one JSON line of figures on stdout when it finishes.
They go through the product's own write paths (``record_decision``,
``Store.write``) so a test of them is a test of what users run.

* ``decide URL REVIEWER [--stage S] [--limit N]`` -- one decision per record, at
  full speed, with a deterministic ``client_key`` so a re-run after a kill adds
  only what is missing.
* ``read URL STOPFILE`` -- the dashboard: ``status_summary`` in a loop until
  STOPFILE exists.
* ``import URL SEED[,SEED...] N`` -- a stand-in importer: per seed, one SearchImport with N records
  and their provenance in ONE ``store.write()`` transaction, skipped when the
  file's sha256 is already imported (as the real importer must be).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert
from sqlmodel import select

from reviewflow.review_state.summary import status_summary
from reviewflow.screening.decisions import ensure_reviewer, record_decision
from reviewflow.store import models
from reviewflow.store.db import Store


def decision_key(reviewer: str, stage: str, record_id: int) -> str:
    """Same reviewer, stage and record -> same key: a retried decision is stored once."""
    return hashlib.sha256(f"{reviewer}\x1f{stage}\x1f{record_id}".encode()).hexdigest()


def decide(url: str, reviewer: str, stage: str = "title_abstract", limit: int = 0) -> dict:
    with Store.open(url) as store:
        with store.write() as s:
            rid = ensure_reviewer(session=s, name=reviewer).id
        assert rid is not None
        with store.session() as s:
            query = select(models.RecordRow.id).order_by(models.RecordRow.id)
            ids = list(s.exec(query.limit(limit) if limit else query).all())
            # Resume: keys already stored are skipped (re-sending them would also be safe).
            d = models.ScreeningDecision
            done = set(s.exec(select(d.client_key).where(d.reviewer_id == rid)).all())
        ids = [i for i in ids if decision_key(reviewer, stage, i) not in done]
        print("ready", flush=True)
        latencies: list[float] = []
        began = time.time()
        start = time.perf_counter()
        for n, record_id in enumerate(ids):
            t0 = time.perf_counter()
            with store.write() as s:  # one decision, one transaction (as a keypress)
                record_decision(
                    session=s, record_id=record_id, stage=stage, reviewer_id=rid,
                    decision=("include", "exclude", "maybe")[n % 3],
                    client_key=decision_key(reviewer, stage, record_id),
                )
            latencies.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - start
    latencies.sort()
    return {"done": len(ids), "seconds": seconds, "max_latency": max(latencies, default=0.0),
            "p99_latency": _quantile(latencies, 0.99), "p50_latency": _quantile(latencies, 0.5),
            "began": began, "ended": began + seconds}


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def read(url: str, stopfile: str) -> dict:
    """The dashboard. Each loop is one read transaction: the decisions counted before and
    after ``status_summary`` must agree (one snapshot, no writer's half-state seen), and
    the count never goes back (a committed decision never disappears)."""
    loops, worst, torn, backwards, last = 0, 0.0, 0, 0, 0
    count = select(func.count()).select_from(models.ScreeningDecision)
    with Store.open(url) as store:
        while not Path(stopfile).exists():
            t0 = time.perf_counter()
            with store.session() as s:
                before = s.exec(count).one()
                status_summary(s)
                after = s.exec(count).one()
            worst = max(worst, time.perf_counter() - t0)
            torn += before != after
            backwards += before < last
            last = max(last, after)
            loops += 1
    return {"loops": loops, "max_read": worst, "torn": torn, "backwards": backwards,
            "last_count": last}


CHUNK = 25


def fake_imports(url: str, seeds: str, n: int) -> dict:
    """One stand-in import per comma-separated seed, each its own transaction."""
    with Store.open(url) as store:
        print("ready", flush=True)
        return {"imports": [fake_import(store, seed, n) for seed in seeds.split(",")]}


def fake_import(store: Store, seed: str, n: int) -> dict:
    sha = hashlib.sha256(f"stand-in export {seed}".encode()).hexdigest()
    with store.session() as s:
        done = s.exec(
            select(models.SearchImport).where(models.SearchImport.file_sha256 == sha)
        ).first()
    if done is not None:
        return {"skipped": True, "import_id": done.id}
    with store.write() as s:
        imp = models.SearchImport(
            database="Stand-in", file_name=f"export-{seed}.ris", file_sha256=sha,
            format="ris", encoding="utf-8", record_count=n,
        )
        s.add(imp)
        s.flush()
        # Records in chunks (ids back by RETURNING), then their provenance: many
        # statements inside ONE transaction, so a kill often lands mid-import.
        for first in range(1, n + 1, CHUNK):
            positions = range(first, min(first + CHUNK, n + 1))
            ids = s.execute(
                insert(models.RecordRow).returning(models.RecordRow.id),
                [{"title": f"Trial {seed}-{p}", "year": 2000 + p % 25, "authors_json": "[]",
                  "keywords_json": "[]", "raw_json": "{}"} for p in positions],
            ).scalars().all()
            s.execute(insert(models.RecordProvenance), [
                {"record_id": rid, "import_id": imp.id, "position": p}
                for rid, p in zip(ids, positions, strict=True)])
    return {"skipped": False, "import_id": imp.id}


def main(argv: list[str]) -> None:
    cmd, url, *rest = argv
    if cmd == "decide":
        stage = rest[rest.index("--stage") + 1] if "--stage" in rest else "title_abstract"
        limit = int(rest[rest.index("--limit") + 1]) if "--limit" in rest else 0
        out = decide(url, rest[0], stage, limit)
    elif cmd == "read":
        out = read(url, rest[0])
    elif cmd == "import":
        out = fake_imports(url, rest[0], int(rest[1]))
    else:
        raise SystemExit(f"unknown driver command {cmd!r}")
    print(json.dumps(out), flush=True)



# -- helpers for the tests and bench that start these drivers ------------------
REPO = Path(__file__).resolve().parents[2]


def driver_command(*args: str) -> list[str]:
    """The command line that runs one driver as its own process."""
    return [sys.executable, str(Path(__file__).resolve()), *args]


def driver_env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}


def seed_records(store: Store, n: int) -> None:
    """N records in one transaction (fast set-up; not what is under test)."""
    table = models.RecordRow.__table__
    with store.write() as s:
        s.execute(table.insert(), [{"title": f"Record {i}", "year": 2000 + i % 25,
                                    "authors_json": "[]", "keywords_json": "[]",
                                    "raw_json": "{}", "created_at": models.utcnow()}
                                   for i in range(n)])


def run_writers(url: str, writers: int, per_writer: int, workdir: Path,
                reader: bool = True, timeout: float = 600) -> dict:
    """Seed records, then race WRITERS decide-drivers (and a dashboard reader).

    Returns the drivers' figures, their exit codes and stderr, and the
    decisions/s over the whole race.
    """
    import subprocess

    with Store.open(url) as store:
        seed_records(store, per_writer)
    stop = workdir / f"stop-{time.monotonic_ns()}"
    env = driver_env()
    procs = {}
    if reader:
        procs["reader"] = subprocess.Popen(driver_command("read", url, str(stop)), env=env,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True)
    start = time.perf_counter()
    for w in range(writers):
        procs[f"w{w}"] = subprocess.Popen(
            driver_command("decide", url, f"writer{w}", "--limit", str(per_writer)),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out: dict = {"workers": {}}
    for name, proc in procs.items():
        if name == "reader":
            continue
        stdout, stderr = proc.communicate(timeout=timeout)
        out["workers"][name] = _result(proc.returncode, stdout, stderr)
    out["seconds"] = time.perf_counter() - start
    stop.touch()
    if reader:
        stdout, stderr = procs["reader"].communicate(timeout=timeout)
        out["workers"]["reader"] = _result(procs["reader"].returncode, stdout, stderr)
    # Rate over the time writers were actually writing (process start-up excluded).
    figs = [v["figures"] for k, v in out["workers"].items() if k != "reader" and v["figures"]]
    span = (max(f["ended"] for f in figs) - min(f["began"] for f in figs)) if figs else 0.0
    out["decisions_per_s"] = writers * per_writer / span if span > 0 else 0.0
    writing = [v["figures"] for k, v in out["workers"].items() if k != "reader"]
    out["max_write_latency"] = max(f.get("max_latency", 0.0) for f in writing)
    out["p99_write_latency"] = max(f.get("p99_latency", 0.0) for f in writing)
    out["p50_write_latency"] = max(f.get("p50_latency", 0.0) for f in writing)
    # Fairness: the shortest writer's time over the longest's (1.0: they shared the lock
    # evenly; near 1/writers: one writer ran while the others waited).
    spans = [f["seconds"] for f in writing if f.get("seconds")]
    out["fairness"] = min(spans) / max(spans) if spans else 0.0
    return out


def _result(code: int, stdout: str, stderr: str) -> dict:
    lines = stdout.strip().splitlines()
    figures = json.loads(lines[-1]) if code == 0 and lines else {}
    return {"code": code, "stderr": stderr, "figures": figures}


if __name__ == "__main__":
    main(sys.argv[1:])
