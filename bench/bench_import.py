"""Import benchmark: parse (and store) 100,000 RIS records built from the real exports.

Run from the repository root::

    python bench/bench_import.py            # 100,000 records
    python bench/bench_import.py --quick    # 10,000 records

Figures printed:
- ``rispy.load`` on the file, and our RIS parse of the same file in the same run
  (decode + split into raw tag records: the same work rispy does), as records/s
  and the speed ratio ours/rispy (target >= 1.0); best of 2 runs each;
- our full ``read_file`` (parse + normalise every field), and its ratio to
  rispy for information (rispy does no normalisation);
- parse + normalise + store into a fresh SQLite review as one transaction
  (``import_file``; target <= 30 s for 100,000 records).

Times are given as CPU seconds (``process_time``) and wall seconds; ratios use
CPU time, because on a shared machine wall time mostly measures the other
processes. Everything here is single-threaded, so on an idle machine the two
agree.

The file is made by concatenating the TY..ER blocks of every real RIS export in
``../shared/corpus/exports`` (in a temporary directory) until the count is
reached, so the mix of dialects and record lengths is the real one. Blocks that
rispy cannot parse at all are left out so both parsers read the same file.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewflow.importers import decode, detect_format, read_file, ris  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "exports"
_BLOCK = re.compile(r"^TY  - .*?^ER  -[^\n]*$", re.MULTILINE | re.DOTALL)


def real_ris_blocks() -> list[str]:
    """Every TY..ER block of every real RIS export (synthetic fixtures excluded)."""
    blocks: list[str] = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or "synthetic" in str(path) or path.suffix == ".json":
            continue
        if detect_format(path) != "ris":
            continue
        text, _ = decode(path.read_bytes())
        blocks.extend(block for block in _BLOCK.findall(text) if _rispy_reads(block))
    return blocks


def _rispy_reads(block: str) -> bool:
    """Keep only records rispy can parse, so the comparison runs on one file.

    (rispy 0.10 raises KeyError on a few real records, e.g. a continuation line
    after an empty ``Y2`` tag; ours reads them all.)
    """
    import rispy

    try:
        return len(rispy.loads(block)) == 1
    except Exception:
        return False


def build_file(directory: Path, count: int) -> Path:
    blocks = real_ris_blocks()
    if not blocks:
        sys.exit(f"no RIS records found under {CORPUS}")
    path = directory / f"bench_{count}.ris"
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for index in range(count):
            fh.write(blocks[index % len(blocks)])
            fh.write("\n\n")
    return path


Timing = tuple[float, float, int]  # (CPU seconds, wall seconds, records)


def _timed(func: Callable[[], int]) -> Timing:
    gc.collect()  # start every run from the same heap, outside the timing
    cpu, wall = time.process_time(), time.perf_counter()
    count = func()
    return time.process_time() - cpu, time.perf_counter() - wall, count


def time_ours(path: Path) -> Timing:
    return _timed(lambda: len(read_file(path).records))


def time_rispy(path: Path) -> Timing:
    import rispy

    return _timed(lambda: len(rispy.load(path, encoding="utf-8")))


def time_split(path: Path) -> Timing:
    """Our RIS parse to raw tag records: the same work rispy does (no normalisation)."""
    return _timed(lambda: len(ris.split_records(decode(path.read_bytes())[0])[0]))


def time_store(path: Path, directory: Path) -> Timing:
    """Parse + store in a fresh SQLite review (the whole ``import_file``, one transaction)."""
    from reviewflow.store.db import Store
    from reviewflow.store.imports import import_file
    from reviewflow.store.location import sqlite_url

    def run(store: Store) -> int:
        with store.write() as session:
            return import_file(session=session, path=path).stored

    with Store.create(sqlite_url(directory / "bench.db"), title="bench") as store:
        return _timed(lambda: run(store))


def best_of(runs: int, func: Callable[[], Timing]) -> Timing:
    """Least CPU of ``runs``: the machine is shared, the minimum is the least disturbed."""
    return min(func() for _ in range(runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 records instead of 100,000")
    parser.add_argument("--records", type=int, default=None)
    parser.add_argument("--once", action="store_true", help="one run per parser, not best of 2")
    args = parser.parse_args(argv)
    count = args.records or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = build_file(directory, count)
        size = path.stat().st_size / 1e6
        print(f"file: {count:,} RIS records from the real exports, {size:.1f} MB")
        print(f"{'':<42} {'CPU s':>8} {'wall s':>8} {'records/s (CPU)':>16}")
        runs = 1 if args.once else 2
        rispy_t = best_of(runs, lambda: time_rispy(path))
        split_t = best_of(runs, lambda: time_split(path))
        full_t = time_ours(path)
        assert split_t[2] == full_t[2] == rispy_t[2] == count, (split_t, full_t, rispy_t)
        _line("rispy.load (raw tags, no normalisation)", rispy_t)
        _line("reviewflow RIS parse (raw tags)", split_t)
        _line("reviewflow read_file (parse + normalise)", full_t)
        print(
            f"ratio parse speed reviewflow/rispy (CPU): {rispy_t[0] / split_t[0]:.2f} "
            f"(target >= 1.0; wall: {rispy_t[1] / split_t[1]:.2f})"
        )
        print(
            f"ratio read_file (with normalisation) / rispy (CPU): "
            f"{rispy_t[0] / full_t[0]:.2f} (info)"
        )
        store_t = time_store(path, directory)
        assert store_t[2] == count
        _line("parse + normalise + store (SQLite)", store_t)
        print(
            f"parse + store {count:,} records: {store_t[0]:.1f} s CPU, {store_t[1]:.1f} s wall "
            f"(target <= 30 s for 100,000)"
        )


def _line(label: str, timing: Timing) -> None:
    cpu, wall, count = timing
    print(f"{label:<42} {cpu:8.2f} {wall:8.2f} {count / cpu:16,.0f}")


if __name__ == "__main__":
    main()
