"""RevMan benchmark: read, check, import and export the largest corpus review.

Run from the repository root (needs ../shared/corpus)::

    python bench/bench_revman.py                     # CD012859 (4 MB, 113 outcomes)
    python bench/bench_revman.py --file OTHER.rm5

Figures printed (seconds, best of --repeat for the pure steps):
- baseline: ``xml.etree.ElementTree.parse`` of the same file (stdlib, C
  accelerated, builds the whole tree and expands nothing we refuse) and the
  ratio of our safe reader (expat, DTDs refused, prose skipped) to it;
- ``revman check``: read + re-run every analysis + compare every stored number;
- ``revman import`` into a new SQLite review (plan + one transaction), and
  ``revman export`` of that review (reconcile, engine, XML);
- the two figures the issue asks for together: import + check;
- the same analyses as a RevMan Web data package (read + check), and
  ``revman export`` to a data package.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from typer.testing import CliRunner  # noqa: E402

from reviewflow.cli.main import app  # noqa: E402
from reviewflow.revman.check import Verdict, check_file  # noqa: E402
from reviewflow.revman.data_package import read_data_package  # noqa: E402
from reviewflow.revman.package_writer import write_data_package  # noqa: E402
from reviewflow.revman.reader import read_rm5  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "revman" / "rm5" / "CD012859StatsDataOnly.rm5"


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def cli(*args: str) -> float:
    t = time.perf_counter()
    res = CliRunner().invoke(app, list(args))
    if res.exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed: {res.output} {res.exception}")
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.file.is_file():
        raise SystemExit(f"{args.file}: not found (the shared corpus is needed)")
    size = args.file.stat().st_size / 1e6
    t_et, _ = best(lambda: ET.parse(args.file), args.repeat)
    t_read, review = best(lambda: read_rm5(args.file), args.repeat)
    t_check, report = best(lambda: check_file(read_rm5(args.file)), args.repeat)
    outcomes = len(report.outcomes)  # type: ignore[attr-defined]
    agree = report.count(Verdict.AGREES)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "review"
        t_import = cli("revman", "import", str(args.file), str(folder))
        t_export = cli("--review", str(folder), "revman", "export", "--out",
                       str(Path(tmp) / "out.rm5"))
        # The same analyses with RevMan's stored results as a RevMan Web data package.
        package = Path(tmp) / "CD000000-dataPackage.zip"
        package.write_bytes(write_data_package(review))  # type: ignore[arg-type]
        t_package, package_report = best(lambda: check_file(read_data_package(package)),
                                         args.repeat)
        t_zip = cli("--review", str(folder), "revman", "export", "--out",
                    str(Path(tmp) / "out-dataPackage.zip"))
    print(f"{args.file.name}: {size:.1f} MB, {outcomes} outcomes, "
          f"{sum(len(o.all_rows()) for _, o in review.outcomes())} data rows")  # type: ignore[attr-defined]
    print(f"  baseline ElementTree.parse   {t_et:7.3f} s")
    print(f"  safe reader (read_rm5)       {t_read:7.3f} s   ratio {t_read / t_et:5.2f}x")
    print(f"  revman check                 {t_check:7.3f} s   ({agree}/{outcomes} agree)")
    print(f"  revman import (new review)   {t_import:7.3f} s")
    print(f"  revman export                {t_export:7.3f} s")
    print(f"  import + check               {t_import + t_check:7.3f} s")
    print(f"  data package: read + check   {t_package:7.3f} s   "
          f"({package_report.count(Verdict.AGREES)}/{outcomes} agree)")  # type: ignore[attr-defined]
    print(f"  export as a data package     {t_zip:7.3f} s")


if __name__ == "__main__":
    main()
