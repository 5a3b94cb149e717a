"""PDF-to-record matching precision and recall on ../shared/corpus/fulltext.

The corpus holds 30 real article PDFs and records.ris with their 30 records
plus 9 records whose PDF is absent. The truth is taken from the corpus's
SOURCES.md table (file -> DOI, or first author and year when the article has
no DOI), never from the matcher. Every PDF is read once with pypdf, then matched
against all 39 records the way ``reviewflow fulltext attach`` does.

Printed: precision of the certain matches (target 1.0: no wrong attachment),
recall of the certain matches over all PDFs, recall over the PDFs whose DOI or
title is readable on the first pages (target 1.0), what went to the person's
queue, and each PDF's verdict with its evidence.

Usage: python bench/bench_fulltext.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reviewflow.fulltext.matching import Verdict, facts_from, match_all  # noqa: E402
from reviewflow.fulltext.pdftext import TextLayer, read_pdf, text_layer_of  # noqa: E402
from reviewflow.fulltext.records import record_key  # noqa: E402
from reviewflow.importers.api import read_file  # noqa: E402

_ROW = re.compile(r"^\| `(?P<file>[^`]+\.pdf)` \| [^|]+ \| (?P<record>[^|]+) \| (?P<doi>[^|]+) \|")


def truth(corpus: Path, records: list) -> dict[str, int]:  # type: ignore[type-arg]
    """PDF file name -> index of its record in records.ris (from SOURCES.md)."""
    by_doi = {r.doi: i for i, r in enumerate(records) if r.doi}
    out: dict[str, int] = {}
    text = (corpus / "SOURCES.md").read_text(encoding="utf-8")
    for line in text.split("## Provenance")[0].splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        doi = m.group("doi").strip().lower()
        if doi in by_doi:
            out[m.group("file")] = by_doi[doi]
            continue
        who, year = re.match(r"(.+?) (\d{4}),", m.group("record").strip()).groups()  # type: ignore[union-attr]
        family = who.split()[0].lower()
        for i, r in enumerate(records):
            if r.year == int(year) and r.authors and r.authors[0].lower().startswith(family):
                out[m.group("file")] = i
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path,
                        default=REPO.parent.parent / "shared" / "corpus" / "fulltext")
    args = parser.parse_args()
    corpus: Path = args.corpus
    if not (corpus / "records.ris").is_file():
        corpus = Path("/work/shared/corpus/fulltext")
    records = read_file(corpus / "records.ris").records
    keys = [record_key(i, r) for i, r in enumerate(records)]
    expected = truth(corpus, records)
    t0 = time.perf_counter()
    texts = {p.name: read_pdf(p) for p in sorted((corpus / "pdf").glob("*.pdf"))}
    t1 = time.perf_counter()
    facts = [facts_from(name, name, t.first_pages, "\n".join(t.pages[3:]), t.metadata_text)
             for name, t in texts.items()]
    matches = match_all(keys, facts)
    t2 = time.perf_counter()
    right = wrong = 0
    readable = found_readable = 0
    print(f"{'file':58} {'verdict':9} {'record':>6} {'truth':>5}  evidence")
    for m in matches:
        want = expected.get(m.pdf)
        is_readable = text_layer_of(texts[m.pdf].pages[:2]) is TextLayer.YES
        readable += is_readable
        if m.verdict is Verdict.CERTAIN:
            ok = m.record_id == want
            right += ok
            wrong += not ok
            found_readable += ok and is_readable
        ev = "; ".join(f"{c.record_id}: {', '.join(c.evidence)} ({c.title_score:.0f})"
                       for c in m.candidates[:2])
        why = f" [{m.doubt}]" if m.doubt else ""
        print(f"{m.pdf[:58]:58} {m.verdict:9} {m.record_id if m.record_id is not None else '-':>6} "
              f"{want if want is not None else '-':>5}  {ev}{why}")
    certain = right + wrong
    print()
    print(f"PDFs {len(matches)}, records {len(records)} ({len(records) - len(expected)} "
          "without a PDF), PDFs with a readable text layer on pages 1-2 "
          f"{readable}")
    print(f"certain matches {certain}: right {right}, wrong {wrong}; "
          f"doubtful {sum(m.verdict is Verdict.DOUBTFUL for m in matches)}; "
          f"unmatched {sum(m.verdict is Verdict.UNMATCHED for m in matches)}")
    print(f"precision {right / certain if certain else 1.0:.3f}   "
          f"recall {right / len(expected):.3f}   "
          f"recall on readable first pages {found_readable / readable if readable else 1.0:.3f}")
    print(f"time: reading PDFs {t1 - t0:.1f} s, matching {t2 - t1:.2f} s")
    return 0 if wrong == 0 and found_readable == readable else 1


if __name__ == "__main__":
    raise SystemExit(main())
