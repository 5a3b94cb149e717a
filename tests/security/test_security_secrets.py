"""No password in any output, file or error; none read from reviewflow.toml (item 3)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.store.location import load_config
from reviewflow.store.secrets import has_secret, mask_text, mask_url, strip_secret

runner = CliRunner()
SECRET = "Hunter2-sekret"


def test_masking_covers_the_authority_and_query_parameters() -> None:
    url = f"postgresql+psycopg://bob:{SECRET}@h/db?sslmode=require&password={SECRET}"
    assert SECRET not in mask_url(url) and "sslmode=require" in mask_url(url)
    assert SECRET not in strip_secret(url) and has_secret(url)
    assert not has_secret(strip_secret(url))
    assert SECRET not in mask_text(f"could not connect with {url}")


def _pw(url: str) -> str:
    """The server URL with a password (the trust-auth server ignores it)."""
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def test_server_password_never_reaches_toml_status_report_or_bundle(
        pg_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "rev"
    res = runner.invoke(app, ["init", str(folder), "--db", _pw(pg_url) + f"?password={SECRET}"])
    assert res.exit_code == 0, res.output
    assert SECRET not in res.output
    toml = (folder / "reviewflow.toml").read_text()
    assert SECRET not in toml and "postgresql" in toml
    # Without the password the trust server still lets the review open (as PGPASSWORD would).
    for args in (["status"], ["status", "--json"]):
        res = runner.invoke(app, [*args, "--review", str(folder)])
        assert res.exit_code == 0, res.output
        assert SECRET not in res.output
    res = runner.invoke(app, ["status", "--review", str(folder), "--db",
                              pg_url + f"?password={SECRET}"])
    assert res.exit_code == 0 and SECRET not in res.output
    assert "password=***" in res.output
    res = runner.invoke(app, ["report", "--review", str(folder), "--db",
                              pg_url + f"?password={SECRET}", "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    assert SECRET not in (tmp_path / "rep" / "report.html").read_text()
    res = runner.invoke(app, ["export", "bundle", str(tmp_path / "b.zip"), "--review",
                              str(folder), "--db", _pw(pg_url)])
    assert res.exit_code == 0, res.output
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        for name in zf.namelist():
            assert SECRET.encode() not in zf.read(name), name
        assert "database" not in zf.read("files/reviewflow.toml").decode()
        assert SECRET not in json.loads(zf.read("manifest.json"))["source"]


def test_a_password_in_the_toml_is_refused_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "reviewflow.toml").write_text(
        f'[review]\ntitle = "x"\n[database]\nurl = "postgresql+psycopg://bob:{SECRET}@h/db"\n')
    with pytest.raises(ReviewflowError) as err:
        load_config(tmp_path)
    assert SECRET not in str(err.value)
    assert "database.url" in str(err.value) and "PGPASSWORD" in str(err.value)


def test_a_wrong_password_error_names_no_password(pg_url: str) -> None:
    """A refused connection is one line with the URL masked (never the password)."""
    bad = make_url(_pw(pg_url)).set(database="rf_no_such_db_anywhere")
    res = runner.invoke(app, ["status", "--db", bad.render_as_string(hide_password=False)])
    assert res.exit_code == 1
    assert isinstance(res.exception, ReviewflowError)
    assert SECRET not in str(res.exception) and "***" in str(res.exception)


@pytest.mark.parametrize(("text", "key", "problem"), [
    ('[review]\ntitle = 3\n', "review.title", "must be text"),
    ('[review]\ntitel = "x"\n', "review.titel", "unknown key 'titel'"),
    ('[databse]\nurl = "sqlite:///x.db"\n', "databse", "unknown key"),
    ('review = "x"\n', "review", "must be a table"),
    ('[database]\nurl = 5\n', "database.url", "must be text"),
])
def test_reviewflow_toml_keys_and_types_are_checked(tmp_path: Path, text: str, key: str,
                                                    problem: str) -> None:
    from reviewflow.errors import ConfigError

    (tmp_path / "reviewflow.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert err.value.key == key and problem in err.value.problem
    assert str(err.value).startswith(str(tmp_path / "reviewflow.toml"))


def test_non_utf8_reviewflow_toml_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "reviewflow.toml").write_bytes(b'[review]\ntitle = "\xff"\n')
    with pytest.raises(ReviewflowError, match="not UTF-8"):
        load_config(tmp_path)


def test_a_terminal_is_asked_for_the_password_once(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """When the server wants a password the URL, PGPASSWORD and ~/.pgpass did not give."""
    import sys

    from reviewflow.cli import common
    from reviewflow.store import db
    from reviewflow.store.db import PasswordNeeded

    opened: list[str] = []

    class FakeStore:
        @staticmethod
        def open(url: str):  # type: ignore[no-untyped-def]
            opened.append(url)
            if make_url(url).password is None:
                raise PasswordNeeded("postgresql+psycopg://bob@h/db: cannot open store")
            return type("S", (), {"dispose": lambda self: None})()

    monkeypatch.setattr(db, "Store", FakeStore)  # open_store imports it when called
    monkeypatch.setattr(common, "database_url", lambda ctx: "postgresql+psycopg://bob@h/db")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(common.typer, "prompt", lambda *a, **k: SECRET)
    ctx = type("C", (), {"call_on_close": lambda self, f: None})()
    common.open_store(ctx)  # type: ignore[arg-type]
    assert len(opened) == 2 and make_url(opened[1]).password == SECRET
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)  # a script: the one-line error
    with pytest.raises(PasswordNeeded):
        common.open_store(ctx)  # type: ignore[arg-type]
