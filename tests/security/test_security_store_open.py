"""Opening a store never changes it, and a bad --db is one line (items 9 and 10)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.store.db import Store

runner = CliRunner()


def _fail(args: list[str], *needles: str) -> str:
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, ReviewflowError), repr(res.exception)
    message = str(res.exception)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


def _rollback_journal_store(path: Path, revision: str) -> None:
    with Store.create(f"sqlite:///{path}", title="t"):
        pass
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.commit()
    con.close()


def test_a_newer_store_is_refused_without_switching_it_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    _rollback_journal_store(path, "9999")
    before = path.read_bytes()
    _fail(["status", "--db", f"sqlite:///{path}"], "newer reviewflow", "9999")
    assert path.read_bytes() == before  # header bytes 18-19 would read 2 (WAL)
    assert not (tmp_path / "new.db-wal").exists()


def test_another_applications_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "other-app.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('mine')")
    con.commit()
    con.close()
    before = path.read_bytes()
    _fail(["status", "--db", f"sqlite:///{path}"], "not a reviewflow store")
    assert path.read_bytes() == before
    _fail(["init", str(tmp_path / "rev"), "--db", f"sqlite:///{path}"], "another program")
    assert path.read_bytes() == before


def test_a_missing_path_gets_no_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    _fail(["status", "--db", f"sqlite:///{path}"], "no such database file")
    assert not path.exists()


@pytest.mark.parametrize("content", [b"hello, not a database" * 100, b"\x00\xff" * 4096])
def test_a_non_database_file_is_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    _fail(["status", "--db", f"sqlite:///{path}"], str(path), "not a SQLite database")
    assert path.read_bytes() == content


@pytest.mark.parametrize("url, needle", [
    ("bogus", "not a database URL"),
    ("mysql://root:pw@localhost/db", "mysql databases are not supported"),
    ("oracle+cx_oracle://u@h/db", "oracle databases are not supported"),
])
def test_bogus_or_unsupported_db_is_one_line(url: str, needle: str) -> None:
    message = _fail(["status", "--db", url], needle)
    assert "pw" not in message


def test_an_older_schema_still_opens(tmp_path: Path) -> None:
    """The read-only check lets through what the engine will upgrade (and the head)."""
    path = tmp_path / "ok.db"
    with Store.create(f"sqlite:///{path}", title="t"):
        pass
    res = runner.invoke(app, ["status", "--db", f"sqlite:///{path}"])
    assert res.exit_code == 0, res.output
