"""Bundles from others: nothing in one may replace the database, escape the folder,
carry a secret, or leave debris when refused (issue 21, items 1, 3, 6, 8)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from review_fill import fill
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.bundle import summarize
from reviewflow.store.db import Store
from reviewflow.store.location import load_config

runner = CliRunner()
ANALYSES = '[[analysis]]\nname = "vas"\noutcome = "pain"\nmeasure = "SMD"\n'


def _export(review: Path, bundle: Path) -> None:
    res = runner.invoke(app, ["export", "bundle", str(bundle), "--review", str(review)])
    assert res.exit_code == 0, res.output


def _add_file(src: Path, dst: Path, name: str, data: bytes) -> None:
    """Plant a file in a bundle AND list it, with its right checksum, in the manifest."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            if item.filename == f"files/{name}":
                continue  # replaced below
            body = zin.read(item.filename)
            if item.filename == "manifest.json":
                manifest = json.loads(body)
                manifest["files"][name] = hashlib.sha256(data).hexdigest()
                body = json.dumps(manifest).encode()
            zout.writestr(item, body)
        zout.writestr(f"files/{name}", data)


def _nothing_left(folder: Path) -> None:
    assert not folder.exists() or not any(folder.iterdir()), list(folder.iterdir())


def test_a_bundle_listing_the_database_is_refused_before_anything_is_written(
        review_dir: Path, store: Store, tmp_path: Path) -> None:
    """Item 1: a 'files' entry for reviewflow.db used to overwrite the verified restore."""
    fill(store)
    _export(review_dir, tmp_path / "ok.zip")
    evil = tmp_path / "evil.db"
    with Store.create(f"sqlite:///{evil}", title="TAMPERED"):
        pass
    _add_file(tmp_path / "ok.zip", tmp_path / "bad.zip", "reviewflow.db", evil.read_bytes())
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "bad.zip"), str(tmp_path / "t")])
    assert res.exit_code == 1
    assert "reviewflow.db" in str(res.exception) and "nothing was restored" in str(
        res.exception)
    assert "checksums match" not in res.output
    _nothing_left(tmp_path / "t")


@pytest.mark.parametrize("name", ["../escape.toml", "/tmp/rf-abs.toml", "forms/../../x.toml",
                                  "reviewflow.db-wal", "forms\\..\\x", "notes.txt"])
def test_zip_slip_and_unknown_files_leave_nothing_and_exit_1(
        review_dir: Path, tmp_path: Path, name: str) -> None:
    """Item 8: a refused zip-slip used to leave a usable review behind."""
    _export(review_dir, tmp_path / "ok.zip")
    _add_file(tmp_path / "ok.zip", tmp_path / "bad.zip", name, b"x = 1\n")
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "bad.zip"), str(tmp_path / "t")])
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit) or "nothing was restored" in str(res.exception)
    _nothing_left(tmp_path / "t")
    assert not (tmp_path / "escape.toml").exists() and not Path("/tmp/rf-abs.toml").exists()


def test_bundle_carries_analyses_and_forms(review_dir: Path, store: Store,
                                           tmp_path: Path) -> None:
    """Item 6: a restored review used to have no analyses."""
    fill(store)
    (review_dir / "analyses.toml").write_text(ANALYSES)
    (review_dir / "extraction_form.toml").write_text("[study]\ncountry = 'text'\n")
    _export(review_dir, tmp_path / "r.zip")
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "r.zip"), str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "c" / "analyses.toml").read_text() == ANALYSES
    assert (tmp_path / "c" / "extraction_form.toml").read_text().startswith("[study]")


def test_no_password_in_bundle_toml_or_manifest(review_dir: Path, tmp_path: Path) -> None:
    """Item 3: --db with a password was written in plain text into files/reviewflow.toml."""
    url = load_config(review_dir).database_url()
    secret = "s3cr3t-PASSWORD"
    # A toml naming a server (what init --db leaves) plus a password on the command line.
    (review_dir / "reviewflow.toml").write_text(
        '[review]\ntitle = "Test review"\n'
        '[database]\nurl = "postgresql+psycopg://bob@db.example/rev"\n')
    res = runner.invoke(app, ["export", "bundle", str(tmp_path / "r.zip"), "--review",
                              str(review_dir), "--db", url + f"?password={secret}"
                              if url.startswith("postgresql") else url])
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(tmp_path / "r.zip") as zf:
        for item in zf.namelist():
            assert secret.encode() not in zf.read(item), item
        assert b"db.example" not in zf.read("files/reviewflow.toml")


def test_a_failed_restore_leaves_no_debris_and_can_be_rerun(
        review_dir: Path, store: Store, tmp_path: Path) -> None:
    """Item 8: a failed import-bundle left a database and no toml, and a re-run failed."""
    fill(store)
    _export(review_dir, tmp_path / "ok.zip")
    # A bundle whose toml is not TOML fails after the database restore.
    _add_file(tmp_path / "ok.zip", tmp_path / "bad.zip", "reviewflow.toml", b"[[[nope")
    target = tmp_path / "t"
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "bad.zip"), str(target)])
    assert res.exit_code == 1
    assert "not valid TOML" in str(res.exception)
    _nothing_left(target)
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "ok.zip"), str(target)])
    assert res.exit_code == 0, res.output


def test_a_rerun_after_a_cut_off_restore_finishes_it(review_dir: Path, store: Store,
                                                     tmp_path: Path) -> None:
    """The database restored but the toml never written (a kill): the re-run completes."""
    fill(store)
    _export(review_dir, tmp_path / "ok.zip")
    target = tmp_path / "t"
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "ok.zip"), str(target)])
    assert res.exit_code == 0
    (target / "reviewflow.toml").unlink()
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "ok.zip"), str(target)])
    assert res.exit_code == 0, res.output
    with Store.open(load_config(target).database_url()) as st, st.engine.connect() as c:
        restored = summarize(c)
    with store.engine.connect() as c:
        assert summarize(c) == restored
    with Store.open(load_config(target).database_url()) as st, st.session() as s:
        assert s.get(models.Review, 1) is not None


def test_rows_that_do_not_fit_are_one_line_even_with_right_checksums(
        review_dir: Path, store: Store, tmp_path: Path) -> None:
    """A hand-made bundle: checksums recomputed, a decision by reviewer 999 (no such row)."""
    fill(store)
    _export(review_dir, tmp_path / "ok.zip")
    with zipfile.ZipFile(tmp_path / "ok.zip") as zin:
        members = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    name = "tables/screening_decision.jsonl"
    lines = members[name].splitlines(keepends=True)
    row = json.loads(lines[0])
    row["reviewer_id"] = 999
    lines[0] = (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode()
    members[name] = b"".join(lines)
    manifest = json.loads(members["manifest.json"])
    manifest["tables"]["screening_decision"]["sha256"] = hashlib.sha256(members[name]
                                                                        ).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zout:
        for member, body in members.items():
            zout.writestr(member, body)
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "bad.zip"), str(tmp_path / "t")])
    assert res.exit_code == 1, res.output
    assert "bad.zip: rows do not fit the schema" in str(res.exception)
    assert "\n" not in str(res.exception)
    _nothing_left(tmp_path / "t")
