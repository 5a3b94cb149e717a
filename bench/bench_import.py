"""Import benchmark: parse (and store) 100,000 RIS records built from the real exports.

Run from the repository root::

    python bench/bench_import.py            # 100,000 records
    python bench/bench_import.py --quick    # 10,000 records

Figures printed:
- ``rispy.load`` on the file, and our RIS parse of the same file in the same run
  (decode + split into raw tag records: the same work rispy does), as records/s
  and the speed ratio ours/rispy (target >= 1.0); best of 2 runs each, because
  the machine is shared;
- our full ``read_file`` (parse + normalise every field), and its ratio to
  rispy for information (rispy does no normalisation);
- parse + normalise + store into a fresh SQLite review as one transaction
  (``import_file``; target <= 30 s for 100,000 records).

The file is made by concatenating the TY..ER blocks of every real RIS export in
``../shared/corpus/exports`` (in a temporary directory) until the count is
reached, so the mix of dialects and record lengths is the real one. Blocks that
rispy cannot parse at all are left out so both parsers read the same file.
"""

from __future__ import annotations

import argparse
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


def time_ours(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    result = read_file(path)
    return time.perf_counter() - started, len(result.records)


def time_rispy(path: Path) -> tuple[float, int]:
    import rispy

    started = time.perf_counter()
    entries = rispy.load(path, encoding="utf-8")
    return time.perf_counter() - started, len(entries)


def time_store(path: Path, directory: Path) -> tuple[float, int]:
    """Parse + store in a fresh SQLite review (the whole ``import_file``, one transaction)."""
    from reviewflow.store.db import Store
    from reviewflow.store.imports import import_file
    from reviewflow.store.location import sqlite_url

    with Store.create(sqlite_url(directory / "bench.db"), title="bench") as store:
        started = time.perf_counter()
        outcome = import_file(store, path)
        return time.perf_counter() - started, outcome.stored


def best_of(runs: int, func: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    """Fastest of ``runs`` (the machine is shared; the minimum is the least disturbed)."""
    return min(func() for _ in range(runs))


def time_split(path: Path) -> tuple[float, int]:
    """Our RIS parse to raw tag records: the same work rispy does (no normalisation)."""
    started = time.perf_counter()
    text, _ = decode(path.read_bytes())
    raws, _, _ = ris.split_records(text)
    return time.perf_counter() - started, len(raws)


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
        runs = 1 if args.once else 2
        rispy_s, rispy_n = best_of(runs, lambda: time_rispy(path))
        split_s, split_n = best_of(runs, lambda: time_split(path))
        full_s, full_n = time_ours(path)
        assert split_n == full_n == rispy_n == count, (split_n, full_n, rispy_n, count)
        _line("rispy.load (raw tags, no normalisation)", rispy_s, count)
        _line("reviewflow RIS parse (raw tags)", split_s, count)
        _line("reviewflow read_file (parse + normalise)", full_s, count)
        print(f"ratio parse speed reviewflow/rispy: {rispy_s / split_s:.2f} (target >= 1.0)")
        print(f"ratio read_file (with normalisation) / rispy: {rispy_s / full_s:.2f} (info)")
        seconds, stored = time_store(path, directory)
        assert stored == count
        _line("parse + normalise + store (SQLite)", seconds, count)
        print(f"parse + store {count:,} records: {seconds:.1f} s (target <= 30 s for 100,000)")


def _line(label: str, seconds: float, count: int) -> None:
    print(f"{label:<42} {seconds:7.2f} s {count / seconds:10,.0f} records/s")


if __name__ == "__main__":
    main()
