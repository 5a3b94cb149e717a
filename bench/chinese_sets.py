"""A Chinese-only and a mixed Chinese/English labelled set for the ranking benches.

No labelled Chinese screening set exists in the shared corpus, so two are built
from the exports there and from the project's made-up sample exports, labelled
by a stated rule:

* relevant: the records of ``sample_exports/`` whose ``truth.csv`` row says
  ``relevant_ta = 1`` (the demo review's title/abstract truth: randomised
  trials of mesenchymal stem cells in rheumatic and autoimmune diseases);
* irrelevant: every other sample record, and every record of the real CNKI,
  CNKI E-Study and Wanfang exports in ``../shared/corpus/exports/chinese/``
  (searches on other topics: breast cancer, railways, traditional Chinese
  medicine, engineering; none is about stem-cell trials).

``chinese``: the sample CNKI records (19, 9 relevant) plus the 69 real records
with a Chinese title (repeated titles once): 88 records. ``mixed``: one record
per report of all sample exports (136 reports: English from PubMed, Embase, WoS
and CENTRAL, Chinese from CNKI; 53 relevant) plus all 94 real CNKI/Wanfang
records, Chinese or English: 230 records, 85 with Chinese text. The title is
the original title followed by the English title where the export has one
(RIS ``TT``).

Limits, to read the figures with: the relevant records are invented (sample
exports), the irrelevant real ones are off topic, so most of the task is
telling topics apart, which is easier than screening within one topic; only
the sample CNKI records (9 relevant, 10 not, all about stem cells) test a
within-topic judgement in Chinese. The sets are small (88 and 230 records),
so the spread over random starts is wide. What the sets do show is whether the
features can read Chinese at all: without segmentation a Chinese title or
abstract sentence is a single token shared by no other record.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewflow.importers.api import read_file  # noqa: E402
from reviewflow.ranking.cjk import has_cjk  # noqa: E402
from reviewflow.ranking.labelled import LabelledSet  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_exports"
CHINESE_EXPORTS = REPO.parent / "shared" / "corpus" / "exports" / "chinese"


def _text_parts(rec) -> tuple[str, str, str]:  # noqa: ANN001 - an importer record
    title = " ".join(p for p in (rec.title or "", rec.translated_title or "") if p)
    return title, rec.abstract or "", "; ".join(rec.keywords or [])


def _sample_records(files: set[str] | None) -> list[tuple[tuple[str, str, str], int, str]]:
    """(text parts, relevant_ta, file) per sample report: the first record of each report."""
    with (SAMPLES / "truth.csv").open(encoding="utf-8", newline="") as fh:
        truth = list(csv.DictReader(fh))
    parsed: dict[str, list] = {}
    seen: set[str] = set()
    out = []
    for row in truth:
        if files is not None and row["file"] not in files:
            continue
        if row["duplicate_group"] in seen:
            continue
        seen.add(row["duplicate_group"])
        if row["file"] not in parsed:
            parsed[row["file"]] = read_file(SAMPLES / row["file"]).records
        rec = parsed[row["file"]][int(row["position"]) - 1]
        out.append((_text_parts(rec), int(row["relevant_ta"] or 0), row["file"]))
    return out


def _corpus_records() -> list[tuple[str, str, str]]:
    """Text parts of every real CNKI/Wanfang record, repeated titles once."""
    seen: set[str] = set()
    out = []
    for path in sorted(CHINESE_EXPORTS.iterdir()):
        for rec in read_file(path).records:
            parts = _text_parts(rec)
            if parts[0] and parts[0] not in seen:
                seen.add(parts[0])
                out.append(parts)
    return out


def _labelled(name: str, rows: list[tuple[tuple[str, str, str], int]]) -> LabelledSet:
    return LabelledSet(
        name, [r[0][0] for r in rows], [r[0][1] for r in rows], [r[0][2] for r in rows],
        [r[1] for r in rows],
    )


def chinese_sets() -> list[LabelledSet]:
    """The two sets, or none when the shared corpus is not beside the checkout."""
    if not CHINESE_EXPORTS.is_dir():
        return []
    real = _corpus_records()
    cnki = [(parts, rel) for parts, rel, _ in _sample_records({"cnki.ris"})]
    chinese = cnki + [(p, 0) for p in real if has_cjk(p[0])]
    mixed = [(parts, rel) for parts, rel, _ in _sample_records(None)] + [(p, 0) for p in real]
    return [_labelled("Chinese_rule", chinese), _labelled("mixed_zh-en_rule", mixed)]


def write_csv(data: LabelledSet, path: Path) -> Path:
    """``data`` as a ``title,abstract,keywords,label_included`` CSV (what both benches read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "abstract", "keywords", "label_included"])
        for row in zip(data.titles, data.abstracts, data.keywords, data.labels, strict=True):
            writer.writerow(row)
    return path


if __name__ == "__main__":
    for labelled in chinese_sets():
        n_cjk = sum(has_cjk(t) for t in labelled.texts())
        print(f"{labelled.name}: {len(labelled.labels)} records, {sum(labelled.labels)}"
              f" relevant, {n_cjk} with Chinese text")
