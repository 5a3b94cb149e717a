"""``reviewflow fulltext``: attach a reference-manager folder, confirm, list, unobtainable."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from make_pdfs import CJK_FONT, body, make_image_only, make_pdf
from sqlmodel import select
from store_backend import BACKEND
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.fulltext.pdftext import TextLayer, read_pdf
from reviewflow.fulltext.state import Status, fulltext_states
from reviewflow.fulltext.view import fulltext_view
from reviewflow.store import models
from reviewflow.store.db import Store

RIS = """TY  - JOUR
TI  - Mesenchymal stem cells for knee osteoarthritis: a randomised controlled trial
AU  - Smith, John
PY  - 2020
DO  - 10.1186/s13287-020-0001-1
ER  - 

TY  - JOUR
TI  - 间充质干细胞治疗类风湿关节炎的随机对照试验
TT  - Mesenchymal stem cells in rheumatoid arthritis: a randomized controlled trial
AU  - Zhang, Wei
PY  - 2019
LA  - chi
ER  - 

TY  - JOUR
TI  - Adipose-derived stromal cells in systemic sclerosis: a randomised pilot trial
AU  - Garcia, Ana
PY  - 2018
ER  - 

TY  - JOUR
TI  - Bone marrow cells for lupus nephritis: a multicentre randomised trial
AU  - Brown, Kate
PY  - 2021
DO  - 10.1016/j.example.2021.01.002
ER  - 
"""


def ft(review: Path, *args: str, by: bool = True) -> tuple[int, str]:
    extra = ["--reviewer", "ann"] if by else []
    result = CliRunner().invoke(app, ["--review", str(review), "fulltext", *args, *extra])
    if result.exit_code == 1:  # a ReviewflowError: main() prints it as one line
        return 1, str(result.exception)
    return result.exit_code, result.output


@pytest.fixture
def review(review_dir: Path, tmp_path: Path) -> Path:
    ris = tmp_path / "records.ris"
    ris.write_text(RIS, encoding="utf-8")
    result = CliRunner().invoke(app, ["--review", str(review_dir), "import", str(ris),
                                      "--database", "PubMed"])
    assert result.exit_code == 0, result.output
    return review_dir


@pytest.fixture
def zotero(tmp_path: Path) -> Path:
    """A Zotero-like storage/ folder: one subfolder per item, reference-manager names."""
    root = tmp_path / "Zotero" / "storage"
    make_pdf(root / "ABCD1234" / "article.pdf",
             [["BMC Stem Cell Research", "Mesenchymal stem cells for knee osteoarthritis: a",
               "randomised controlled trial", "John Smith", "doi:10.1186/s13287-020-0001-1"],
              body()])
    make_pdf(root / "EFGH5678" / "Zhang et al. - 2019 - 间充质干细胞治疗.pdf",
             [["中华医学杂志 2019年", "间充质干细胞治疗类风湿关节炎的随机对照试验", "张伟 王芳",
               "摘要：目的 观察间充质干细胞治疗类风湿关节炎的疗效。"]], font=CJK_FONT)
    make_image_only(root / "IJKL0000" / "scan0001.pdf")
    (root / "IJKL0000" / "notes.txt").write_text("not a pdf")
    return root.parent


def test_attach_folder_copies_by_sha256_and_records_who(review: Path, zotero: Path) -> None:
    code, out = ft(review, "attach", str(zotero))
    assert code == 0, out
    assert "article.pdf -> record 1" in out
    assert "-> record 2" in out
    assert "no match  scan0001.pdf" in out
    assert "2 attached, 0 doubtful" in out
    copies = sorted((review / "fulltext").rglob("*.pdf"))
    assert len(copies) == 2
    with _pg(review) as store, store.session() as s:
        files = s.exec(select(models.FullTextFile)).all()
        assert {f.original_name for f in files} == {
            "article.pdf", "Zhang et al. - 2019 - 间充质干细胞治疗.pdf"}
        assert all(Path(review / "fulltext" / f.stored_as).is_file() for f in files)
        assert {f.sha256 for f in files} == {c.stem for c in copies}
        events = s.exec(select(models.FullTextEvent)).all()
        assert {(e.action, e.method, e.by) for e in events} == {("attach", "auto", "ann")}
        pages = s.exec(select(models.FullTextPage.text)).all()
        assert any("类风湿关节炎" in p for p in pages)
    # A second run changes nothing and says so.
    code, out = ft(review, "attach", str(zotero))
    assert "2 already attached" in out and "0 attached" in out


def _pg(review: Path) -> Store:
    from reviewflow.store.location import load_config

    return Store.open(load_config(review).database_url())


def test_list_csv_and_ris_worklist(review: Path, zotero: Path) -> None:
    ft(review, "attach", str(zotero))
    code, out = ft(review, "unobtainable", "3", "--reason", "library has no access")
    assert code == 0, out
    code, out = ft(review, "list", "--format", "csv", by=False)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["record_id"] for r in rows] == ["1", "2", "3", "4"]
    assert {k: rows[0][k] for k in ("title", "doi", "file", "status")} == {
        "title": "Mesenchymal stem cells for knee osteoarthritis: a randomised controlled trial",
        "doi": "10.1186/s13287-020-0001-1", "file": "article.pdf", "status": "attached"}
    assert rows[1]["translated_title"].startswith("Mesenchymal stem cells in rheumatoid")
    assert (rows[2]["status"], rows[2]["reason"]) == ("unobtainable", "library has no access")
    assert rows[3]["status"] == "missing" and rows[3]["file"] == ""
    code, out = ft(review, "list", "--missing", "--format", "ris", by=False)
    assert out.count("ER  - ") == 1 and "DO  - 10.1016/j.example.2021.01.002" in out


def test_add_remove_and_never_two_records(review: Path, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "garcia.pdf", [["Adipose-derived stromal cells"], body(5)])
    code, out = ft(review, "add", "3", str(pdf))
    assert code == 0 and "record 3" in out
    code, out = ft(review, "add", "4", str(pdf))
    assert code == 1 and "attached to record 3" in out
    code, out = ft(review, "unobtainable", "3", "--reason", "x")
    assert code == 1 and "has a PDF" in out
    code, out = ft(review, "remove", "3")
    assert code == 0
    code, out = ft(review, "add", "4", str(pdf))
    assert code == 0
    code, out = ft(review, "add", "99", str(pdf))
    assert code == 1 and "no such record" in out
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    code, out = ft(review, "add", "1", str(bad))
    assert code == 1 and "broken.pdf" in out and "Traceback" not in out


def test_doubtful_match_waits_for_a_person(review: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pdfs"
    # Names two records' titles (a commentary on two trials): never given to either silently.
    make_pdf(folder / "comment.pdf", [[
        "Commentary on two trials:",
        "Mesenchymal stem cells for knee osteoarthritis: a randomised controlled trial; and",
        "Bone marrow cells for lupus nephritis: a multicentre randomised trial"]])
    code, out = ft(review, "attach", str(folder))
    assert "0 attached, 1 doubtful" in out
    code, out = ft(review, "match", "--review", by=False)
    assert "comment.pdf" in out and "-> record 1" in out and "-> record 4" in out
    first = int(out.split()[0])
    code, out = ft(review, "match", "--accept", str(first))
    assert code == 0 and "attached to record" in out
    code, out = ft(review, "match", "--review", by=False)
    assert "No doubtful matches waiting." in out  # the file is taken: the other offer closes


def test_scanned_pdf_added_says_no_text_layer(review: Path, tmp_path: Path) -> None:
    scan = make_image_only(tmp_path / "scan.pdf")
    assert read_pdf(scan).text_layer is TextLayer.NONE
    code, out = ft(review, "add", "3", str(scan))
    assert code == 0 and "no text layer" in out


def test_link_keeps_the_path_and_bundle_carries_copies(review: Path, zotero: Path,
                                                       tmp_path: Path) -> None:
    code, _ = ft(review, "attach", str(zotero), "--link")
    assert code == 0
    assert not (review / "fulltext").exists()
    with _pg(review) as store, store.session() as s:
        stored = {f.mode: f.stored_as for f in s.exec(select(models.FullTextFile)).all()}
        states = fulltext_states(s)
    assert Path(stored["link"]).is_absolute() and Path(stored["link"]).is_file()
    assert states[1].status is Status.ATTACHED
    pdf = make_pdf(tmp_path / "garcia.pdf", [["Adipose-derived stromal cells"]])
    ft(review, "add", "3", str(pdf))
    out = tmp_path / "review.zip"
    result = CliRunner().invoke(app, ["--review", str(review), "export", "bundle", str(out)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(out).namelist()
    assert any(n.startswith("files/fulltext/") and n.endswith(".pdf") for n in names)
    assert json.loads(zipfile.ZipFile(out).read("manifest.json"))
    if BACKEND == "postgres":
        return  # restoring needs a second empty database; the SQLite pass restores
    restored = tmp_path / "restored"
    result = CliRunner().invoke(app, ["import-bundle", str(out), str(restored)])
    assert result.exit_code == 0, result.output
    with _pg(restored) as store, store.session() as s:
        row = next(f for f in s.exec(select(models.FullTextFile)).all() if f.mode == "copy")
        linked = next(f for f in s.exec(select(models.FullTextFile)).all() if f.mode == "link")
    assert (restored / "fulltext" / row.stored_as).read_bytes().startswith(b"%PDF")
    # The linked PDF travelled too: on a machine without the original path, the
    # restored review opens the copy the bundle carried.
    Path(linked.stored_as).unlink()
    with _pg(restored) as store, store.session() as s:
        view = fulltext_view(s, [1], restored / "fulltext")
    assert view is not None and view.path is not None
    assert view.path == restored / "fulltext" / linked.sha256[:2] / f"{linked.sha256}.pdf"
    assert view.path.read_bytes().startswith(b"%PDF")


def test_bundle_carries_pdfs_of_a_shared_folder(review: Path, zotero: Path,
                                                tmp_path: Path) -> None:
    share = tmp_path / "team-share"
    config = review / "reviewflow.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[fulltext]\nfolder = "{share.as_posix()}"\n', encoding="utf-8")
    code, msg = ft(review, "attach", str(zotero))
    assert code == 0, msg
    assert not (review / "fulltext").exists() and any(share.rglob("*.pdf"))
    out = tmp_path / "review.zip"
    result = CliRunner().invoke(app, ["--review", str(review), "export", "bundle", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        carried = sorted(n for n in zf.namelist() if n.startswith("files/fulltext/"))
        toml = zf.read("files/reviewflow.toml").decode()
    assert len(carried) == len(list(share.rglob("*.pdf"))) >= 2
    assert "team-share" not in toml  # the restored review reads its own fulltext/
    if BACKEND == "postgres":
        return
    restored = tmp_path / "restored"
    result = CliRunner().invoke(app, ["import-bundle", str(out), str(restored)])
    assert result.exit_code == 0, result.output
    with _pg(restored) as store, store.session() as s:
        view = fulltext_view(s, [1], restored / "fulltext")
    assert view is not None and view.path is not None and view.path.is_file()
    assert view.path.is_relative_to(restored)


def test_a_second_pdf_for_a_record_waits_and_replacing_needs_remove(review: Path, zotero: Path,
                                                                     tmp_path: Path) -> None:
    ft(review, "attach", str(zotero))
    again = make_pdf(tmp_path / "v2" / "smith-accepted.pdf", [
        ["Author manuscript", "Mesenchymal stem cells for knee osteoarthritis: a randomised",
         "controlled trial", "doi:10.1186/s13287-020-0001-1"]])
    code, out = ft(review, "attach", str(again.parent))
    assert "0 attached, 1 doubtful" in out and "record 1?" in out
    code, out = ft(review, "match", "--review", by=False)
    assert "smith-accepted.pdf" in out and "the record already has a PDF" in out
    n = out.split()[0]
    code, out = ft(review, "match", "--accept", n)
    assert code == 1 and "already has a PDF" in out
    ft(review, "remove", "1")
    code, out = ft(review, "match", "--accept", n)
    assert code == 0
    code, out = ft(review, "list", "--format", "csv", by=False)
    assert "smith-accepted.pdf" in out.splitlines()[1]
