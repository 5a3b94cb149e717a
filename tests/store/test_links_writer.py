"""``same-study``, the writing ``fulltext`` commands and ``searches edit`` on the write seam.

A SQLite review at the current schema is written through sqlite3 (no ORM); anything
else through a session. Both run the same domain functions: the same commands on two
copies of one review, one each way, print the same and leave identical tables, and a
refused command leaves the store's bytes as they were. The review holds the made-up
sample exports (reports of one trial in Chinese and English, deduplicated) and the
corpus's real article PDFs with their records (../shared/corpus/fulltext).
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store.db import Store
from reviewflow.store.dedup_state import read_merge_map
from reviewflow.store.location import load_config
from reviewflow.store.reader import session_reader
from tests.screening.support import without_sqlite_writer
from tests.store.test_writer import _dump, _file_state, _run

REPO = Path(__file__).resolve().parents[2]
SAMPLES = ("cnki.ris", "pubmed_medline.txt", "embase_ovid.ris")
# the corpus PDFs attached: two matching their records, one matching nothing (a
# scanned page), and two attached by hand to the wrong records first
MATCHED = {"brown2014_lancetrespirmed_stopadvisor_rct.pdf": "10.1016/s2213-2600(14)70195-x",
           "datta2010_jtraumamanagout_dvt_prophylaxis_sr.pdf": "10.1186/1752-2897-4-1"}
UNMATCHED = "nassar2022_tableformer_suppl_p11_image_only.pdf"
WRONG = ("sundstrom2014_intpsychogeriatr_stress_dementia.pdf",
         "jimmunolres2016_retraction_notice.pdf")
UNTOUCHED_DOI = "10.2196/mhealth.5768"  # TXT2BFiT: no PDF given, marked unobtainable


@dataclass(frozen=True)
class Ids:
    brown: int
    datta: int
    untouched: int
    merged: int  # a record dedup merged away
    pair: tuple[int, int]  # a Chinese and an English report of one trial
    third: int  # a third report suggested with the pair's Chinese one
    rejected: tuple[int, int]


@pytest.fixture(scope="module")
def pdfs(corpus: Path) -> Path:
    folder = corpus / "fulltext"
    missing = [n for n in (*MATCHED, UNMATCHED, *WRONG) if not (folder / "pdf" / n).is_file()]
    if missing or not (folder / "records.ris").is_file():
        pytest.skip(f"{folder}: not in this corpus ({', '.join(missing) or 'records.ris'})")
    return folder


def _build(review: Path, corpus_pdfs: Path) -> Ids:
    """The sample exports and the corpus's PDF records imported, deduplicated."""
    for name in SAMPLES:
        code, said = _run(review, "import", str(REPO / "sample_exports" / name))
        assert code == 0, said
    code, said = _run(review, "import", str(corpus_pdfs / "records.ris"), "--database",
                      "Article PDFs")
    assert code == 0, said
    code, said = _run(review, "dedup")
    assert code == 0, said
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        reader = session_reader(s)
        by_doi = {doi.lower(): rid for rid, doi in reader.rows(
            "SELECT id, doi FROM record WHERE doi IS NOT NULL")}
        merged = min(read_merge_map(reader).kept_of)
    code, said = _run(review, "same-study")
    pairs = [tuple(int(x) for x in line.split("records ")[1].split(" (")[0].split(" and "))
             for line in said.splitlines() if line.startswith("related: same study?")]
    assert code == 0 and len(pairs) >= 3, said
    # a report suggested twice (with two others), and a pair apart from both
    chinese = next(a for a, _ in pairs if sum(a == x for x, _ in pairs) >= 2)
    first, third = [b for a, b in pairs if a == chinese][:2]
    rejected = next(p for p in pairs if chinese not in p)
    return Ids(by_doi[MATCHED["brown2014_lancetrespirmed_stopadvisor_rct.pdf"]],
               by_doi[MATCHED["datta2010_jtraumamanagout_dvt_prophylaxis_sr.pdf"]],
               by_doi[UNTOUCHED_DOI], merged, (chinese, first), third,
               rejected)  # type: ignore[arg-type]


EMPTY = hashlib.sha256(b"").hexdigest()


def _store_bytes(review: Path) -> tuple[str, ...]:
    """The database file's and its WAL's bytes; an empty WAL counts as none (the one a
    read-only listing's connection leaves is removed by the next writer's close)."""
    return tuple("-" if h == EMPTY else h for h in _file_state(review))


def _actions(review: Path, ids: Ids, corpus_pdfs: Path, folder: Path,
             check_bytes: bool) -> list[tuple[int, str]]:
    """A day's linking, full-text and search corrections, refused inputs among them;
    with ``check_bytes``, each refused command is checked to leave the store's bytes."""
    pdf = corpus_pdfs / "pdf"
    (c, e), third, (r1, r2) = ids.pair, ids.third, ids.rejected
    steps: list[tuple[str, ...]] = [
        ("fulltext", "add", str(ids.brown), str(pdf / WRONG[0]), "-r", "ann"),
        ("fulltext", "add", str(ids.datta), str(pdf / WRONG[1]), "-r", "ann"),
        ("fulltext", "attach", str(folder), "-r", "ann"),  # both records have one: doubtful
        ("fulltext", "attach", str(folder), "-r", "ann"),  # again: nothing new queued
        ("fulltext", "match", "--review"),
        ("fulltext", "match", "--reject", "2", "--accept", "1", "-r", "bob"),  # has a PDF
        ("fulltext", "remove", str(ids.brown), "-r", "ann"),
        ("fulltext", "match", "--accept", "1", "--accept", "99", "--reject", "2", "-r", "bob"),
        ("fulltext", "match", "--reject", "2", "--accept", "1", "-r", "bob"),
        ("fulltext", "unobtainable", str(ids.untouched), "--reason", "library has no access",
         "-r", "ann"),
        ("fulltext", "unobtainable", str(ids.brown), "--reason", "lost", "-r", "ann"),
        ("fulltext", "unobtainable", str(ids.datta), "--reason", "  ", "-r", "ann"),
        ("fulltext", "remove", str(ids.untouched), "-r", "ann"),  # withdrawn
        ("fulltext", "remove", str(ids.untouched), "-r", "ann"),  # nothing to withdraw
        ("fulltext", "remove", "99999", "-r", "ann"),
        ("fulltext", "unobtainable", str(ids.merged), "--reason", "gone", "-r", "ann"),
        ("fulltext", "add", str(ids.untouched),
         str(pdf / "brown2014_lancetrespirmed_stopadvisor_rct.pdf"), "-r", "ann"),
        ("fulltext", "add", "99999", str(pdf / UNMATCHED), "-r", "ann"),  # stored, then refused
        ("fulltext", "list", "--format", "csv"),
        ("searches", "edit", "4", "--database", "Article PDFs (corpus)", "--origin", "other",
         "--searched", "2024-05-01", "--query", "open-access RCT reports"),
        ("searches", "edit", "1", "--query", ""),
        ("searches", "edit", "99", "--query", "x"),
        ("searches", "edit", "1", "--origin", "website"),
        ("searches", "edit", "1", "--database", "  "),
        ("searches",),
        ("same-study", "--link", str(c), str(e), "-r", "ann"),  # two fresh studies, merged
        ("same-study", "--link", str(c), str(third), "-r", "bob"),  # joins that study
        ("same-study", "--link", str(c), str(e), "-r", "ann"),  # already one: recorded again
        ("same-study", "--unlink", str(c), str(third), "-r", "bob"),  # two merges deep
        ("same-study", "--unlink", str(c), str(e), "-r", "ann"),
        ("same-study", "--reject", str(r1), str(r2), "-r", "ann"),
        ("same-study", "--unlink", str(r1), str(r2), "-r", "ann"),  # not one study
        ("same-study", "--link", str(ids.merged), str(e), "-r", "ann"),
        ("same-study", "--link", str(c), str(c), "-r", "ann"),
        ("same-study", "--link", str(c), "99999", "-r", "ann"),
        ("same-study",),
    ]
    said = []
    for argv in steps:
        before = _store_bytes(review) if check_bytes else None
        code, text = _run(review, *argv)
        if check_bytes and code != 0:
            assert _store_bytes(review) == before, f"{' '.join(argv)} changed the store"
        said.append((code, text))
    return said


CODES = [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0,
         0, 0, 1, 1, 1, 0,
         0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0]


def _attach_folder(tmp_path: Path, corpus_pdfs: Path) -> Path:
    """A reference manager's folder: links to the corpus's PDFs (never copies of them)."""
    folder = tmp_path / "Zotero"
    folder.mkdir()
    for name in (*MATCHED, UNMATCHED):
        (folder / name).symlink_to(corpus_pdfs / "pdf" / name)
    return folder


def _shown(said: list[tuple[int, str]], review: Path) -> list[str]:
    return [text.replace(str(review), "<review>") for _, text in said]


def test_links_commands_write_the_same_rows_through_sqlite3_and_through_the_orm(
        tmp_path: Path, pdfs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "base"
    assert CliRunner().invoke(app, ["init", str(base), "--title", "Links"]).exit_code == 0
    ids = _build(base, pdfs)
    direct, orm = shutil.copytree(base, tmp_path / "direct"), shutil.copytree(base,
                                                                           tmp_path / "orm")
    folder = _attach_folder(tmp_path, pdfs)
    said_direct = _actions(direct, ids, pdfs, folder, check_bytes=True)
    calls = without_sqlite_writer(monkeypatch)
    said_orm = _actions(orm, ids, pdfs, folder, check_bytes=False)
    assert len(calls) == len(CODES) - 4  # all but the four listings fell back to the ORM
    assert [code for code, _ in said_direct] == CODES, said_direct
    assert _shown(said_orm, orm) == _shown(said_direct, direct)
    dumped = _dump(direct)
    assert dumped == _dump(orm)
    assert [r[3] for r in dumped["study_link_decision"]] == ["link", "link", "link", "unlink",
                                                             "reject"]
    assert [r[3] for r in dumped["study_merge"]] == ["merge", "merge", "unmerge"]
    assert [(r[3], r[4]) for r in dumped["fulltext_event"]] == [
        ("attach", "manual"), ("attach", "manual"), ("remove", "manual"), ("attach", "manual"),
        ("reject", "manual"), ("unobtainable", "manual"), ("remove", "manual")]
    assert len(dumped["fulltext_file"]) == 4 and len(dumped["fulltext_candidate"]) == 2
    assert sum(r[3] for r in dumped["fulltext_file"]) == len(dumped["fulltext_page"])
    assert dumped["search_import"][3][1:3] == ("Article PDFs (corpus)", "other")
    assert dumped["search_import"][3][7:9] == ("2024-05-01", "open-access RCT reports")
    assert dumped["search_import"][0][8] == ""  # an empty query is stored as given


def test_links_commands_on_the_selected_backend(review_dir: Path, tmp_path: Path,
                                                pdfs: Path) -> None:
    """The same commands on SQLite (sqlite3) and, in the PostgreSQL pass, through a
    session on the server: the same answers."""
    ids = _build(review_dir, pdfs)
    said = _actions(review_dir, ids, pdfs, _attach_folder(tmp_path, pdfs), check_bytes=False)
    assert [code for code, _ in said] == CODES, said
    text = [t for _, t in said]
    assert "2 doubtful" in text[2] and "1 without a match" in text[2]
    assert f"record {ids.brown} already has a PDF" in text[5]
    assert "match 1: attached" in text[7] and "match 99: no such match" in text[7]
    assert text[8] == (f"match 1: attached to record {ids.brown}\n"
                       f"match 2: rejected (record {ids.datta})\n")
    assert "has a PDF attached" in text[10] and "say why" in text[11]
    assert "no PDF and is not marked unobtainable" in text[13]
    assert "no such record" in text[14] and "was merged into record" in text[15]
    assert f"that PDF is attached to record {ids.brown}" in text[16]
    assert "99999: no such record" in text[17]
    assert "searched 2024-05-01" in text[19]
    assert "does not exist" in text[21] and "unknown source kind" in text[22]
    assert "cannot be empty" in text[23]
    assert "one study (" in text[25] and text[25].split("(")[1] == text[26].split("(")[1]
    assert "third study by two merges" in text[28] and "two studies again" in text[29]
    assert "not one study" in text[30] and "are not one study" in text[31]
    assert "was merged into record" in text[32]
    assert "itself" in text[33] and "99999: no such record" in text[34]
