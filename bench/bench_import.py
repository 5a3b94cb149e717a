"""Import benchmark: parse (and store) 100,000 RIS records built from the real exports.

Run from the repository root::

    python bench/bench_import.py            # 100,000 records
    python bench/bench_import.py --quick    # 10,000 records

Figures printed:
- our RIS parse (read_file: decode + parse + normalise) in records/s;
- ``rispy`` parsing the same file in the same run (``rispy.load``, no
  normalisation at all), and the ratio ours/rispy (target >= 1.0);
- parse + store into a fresh SQLite review as one transaction (target <= 30 s),
  when the store is available.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reviewflow.importers import decode, detect_format, read_file  # noqa: E402

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


def time_store(path: Path, directory: Path) -> tuple[float, int] | None:
    try:
        from reviewflow.store.imports import import_file
        from reviewflow.store.init import init_review
    except ImportError:
        return None
    review = directory / "review"
    init_review(review, title="bench")
    started = time.perf_counter()
    outcome = import_file(review, path)
    return time.perf_counter() - started, outcome.stored


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 records instead of 100,000")
    parser.add_argument("--records", type=int, default=None)
    args = parser.parse_args(argv)
    count = args.records or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = build_file(directory, count)
        size = path.stat().st_size / 1e6
        print(f"file: {count:,} RIS records from the real exports, {size:.1f} MB")
        rispy_s, rispy_n = time_rispy(path)
        ours_s, ours_n = time_ours(path)
        assert ours_n == rispy_n == count, (ours_n, rispy_n, count)
        print(f"reviewflow parse: {ours_s:6.2f} s  {ours_n / ours_s:10,.0f} records/s")
        print(f"rispy parse:      {rispy_s:6.2f} s  {rispy_n / rispy_s:10,.0f} records/s")
        print(f"ratio reviewflow/rispy (speed): {rispy_s / ours_s:.2f} (target >= 1.0)")
        stored = time_store(path, directory)
        if stored is None:
            print("parse + store: store not available on this branch")
        else:
            seconds, n = stored
            print(f"parse + store:    {seconds:6.2f} s  {n / seconds:10,.0f} records/s "
                  f"(target <= 30 s for 100,000)")


if __name__ == "__main__":
    main()
