"""Backup and move: ``export bundle`` / ``import-bundle`` between SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from review_fill import fill
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.bundle import summarize, tables
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import vote

runner = CliRunner()


def _summary(url: str) -> dict:
    with Store.open(url) as store, store.engine.connect() as conn:
        return summarize(conn)


def _export(review: Path, bundle: Path, *, spelling: str = "sub") -> None:
    args = (["export", "bundle", str(bundle)] if spelling == "sub"
            else ["export", "--bundle", str(bundle)])
    res = runner.invoke(app, [*args, "--review", str(review)])
    assert res.exit_code == 0, res.output
    assert bundle.is_file()


def _restore(bundle: Path, folder: Path, db: str | None = None) -> str:
    extra = ["--db", db] if db else []
    res = runner.invoke(app, ["import-bundle", str(bundle), str(folder), *extra])
    assert res.exit_code == 0, res.output
    assert "checksums match" in res.output
    return load_config(folder).database_url()


def _forms(review: Path) -> None:
    (review / "forms").mkdir()
    (review / "forms" / "main.toml").write_text("[study]\ncountry = 'text'\n")


def test_roundtrip_keeps_every_row_and_id(review_dir: Path, store: Store,
                                          tmp_path: Path) -> None:
    fill(store)
    _forms(review_dir)
    _export(review_dir, tmp_path / "r.zip")
    url = _restore(tmp_path / "r.zip", tmp_path / "copy")
    before, after = _summary(store.url), _summary(url)
    assert before == after
    assert set(before) == {t.name for t in tables()}
    assert sum(t.rows for t in after.values()) > 30
    assert (tmp_path / "copy" / "forms" / "main.toml").read_text().startswith("[study]")
    assert load_config(tmp_path / "copy").title == "Test review"


def test_sqlite_to_postgres_and_back(tmp_path: Path, pg_url: str) -> None:
    """Move a review onto a server and back: all rows, same ids, new ids continue."""
    runner.invoke(app, ["init", str(tmp_path / "local"), "--title", "Moving review"])
    local_url = load_config(tmp_path / "local").database_url()
    with Store.open(local_url) as local:
        fill(local)
    _export(tmp_path / "local", tmp_path / "a.zip", spelling="option")
    server_url = _restore(tmp_path / "a.zip", tmp_path / "shared", db=pg_url)
    assert server_url == pg_url
    assert _summary(server_url) == _summary(local_url)
    with Store.open(server_url) as server:
        with server.session() as s:
            top = max(s.exec(select(models.ScreeningDecision.id)).all())
            reviewer = s.exec(select(models.Reviewer)).first()
        assert reviewer is not None and reviewer.id is not None
        row = vote(server, record_id=1, stage="full_text",
                              reviewer_id=reviewer.id, decision="include")
        assert row.id == top + 1  # the sequence continues after restored ids
    _export(tmp_path / "shared", tmp_path / "b.zip")
    back_url = _restore(tmp_path / "b.zip", tmp_path / "back")
    assert _summary(back_url) == _summary(server_url)
    assert "sqlite" in back_url


def _rewrite(src: Path, dst: Path, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, change(item.filename, zin.read(item.filename)))


def _refused(bundle: Path, folder: Path, message: str) -> None:
    res = runner.invoke(app, ["import-bundle", str(bundle), str(folder)])
    assert res.exit_code == 1, res.output
    assert message in str(res.exception)
    assert not (folder / "reviewflow.toml").exists()
    assert not (folder / "reviewflow.db").exists()


def test_damaged_bundle_is_refused_before_any_write(review_dir: Path, store: Store,
                                                    tmp_path: Path) -> None:
    fill(store)
    _export(review_dir, tmp_path / "ok.zip")

    def drop_a_decision(name: str, data: bytes) -> bytes:
        if name == "tables/screening_decision.jsonl":
            return b"".join(data.splitlines(keepends=True)[1:])
        return data

    _rewrite(tmp_path / "ok.zip", tmp_path / "bad.zip", drop_a_decision)
    _refused(tmp_path / "bad.zip", tmp_path / "target", "does not match its checksum")


def test_bundle_from_newer_schema_is_refused(review_dir: Path, tmp_path: Path) -> None:
    _export(review_dir, tmp_path / "ok.zip")

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema"] = "9999"
        return json.dumps(manifest).encode()

    _rewrite(tmp_path / "ok.zip", tmp_path / "new.zip", newer)
    _refused(tmp_path / "new.zip", tmp_path / "target", "newer reviewflow")


def test_restore_refuses_a_database_that_holds_data(review_dir: Path, store: Store,
                                                    tmp_path: Path) -> None:
    _export(review_dir, tmp_path / "ok.zip")
    fill(store)  # now the database holds more than the bundle: never overwritten
    occupied = load_config(review_dir).database_url()  # the review's own, full database
    res = runner.invoke(app, ["import-bundle", str(tmp_path / "ok.zip"),
                              str(tmp_path / "t"), "--db", occupied])
    assert res.exit_code == 1
    assert "not empty" in str(res.exception)
    with Store.open(occupied) as st:
        assert st.review().title == "Test review"


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really", b"hello"])
def test_not_a_bundle(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "x.zip").write_bytes(content)
    _refused(tmp_path / "x.zip", tmp_path / "target", "not a reviewflow bundle")


def test_export_without_subcommand_or_bundle_is_a_usage_error(review_dir: Path) -> None:
    res = runner.invoke(app, ["export", "--review", str(review_dir)])
    assert res.exit_code == 2
