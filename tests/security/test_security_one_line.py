"""One line, not a traceback, for each case issue 21 (item 10) lists; no partial files."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli import main as cli_main
from reviewflow.cli.main import app
from reviewflow.importers.api import read_bytes

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
RIS = "TY  - JOUR\nTI  - Stem cells {i}\nAU  - Lee, K.\nPY  - 2020\nSP  - {sp}\nER  - \n\n"


def _review(tmp_path: Path, database: str = "CNKI $\\bogus$ a$^$b", sp: str = "1-9"
            ) -> list[str]:
    assert runner.invoke(app, ["init", str(tmp_path / "rev")]).exit_code == 0
    f = tmp_path / "x.ris"
    f.write_text("".join(RIS.format(i=i, sp=sp) for i in range(3)))
    r = ["--review", str(tmp_path / "rev")]
    res = runner.invoke(app, [*r, "import", str(f), "--database", database])
    assert res.exit_code == 0, (res.output, res.exception)
    return r


def test_a_dollar_in_a_database_name_draws_as_text(tmp_path: Path) -> None:
    """matplotlib read '$...$' as mathtext: a traceback in report and prisma --svg."""
    r = _review(tmp_path)
    res = runner.invoke(app, [*r, "prisma", "--svg", str(tmp_path / "p.svg")])
    assert res.exit_code == 0, (res.output, res.exception)
    assert (tmp_path / "p.svg").stat().st_size > 1000
    res = runner.invoke(app, [*r, "report", "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, (res.output, res.exception)


def test_a_5000_digit_page_number_imports() -> None:
    sp = "1" * 5000 + "-" + "2" * 5000
    out = read_bytes(RIS.format(i=1, sp=sp).encode(), name="p.ris")
    assert out.records[0].pages == sp


def test_mapping_pointing_at_a_binary_is_one_line(tmp_path: Path) -> None:
    r = _review(tmp_path)
    (tmp_path / "m.bin").write_bytes(b"\xff\xfe\x00\x81" * 50)
    (tmp_path / "x.csv").write_text("Title,Year\nA trial,2020\n")
    res = runner.invoke(app, [*r, "import", str(tmp_path / "x.csv"), "--mapping",
                              str(tmp_path / "m.bin")])
    assert res.exit_code == 1
    assert "--mapping" in str(res.exception) and "\n" not in str(res.exception)


def test_a_full_disk_leaves_no_partial_report_or_diagram(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    r = _review(tmp_path)
    import matplotlib.figure

    def full(self, path, *a, **k):  # type: ignore[no-untyped-def]
        Path(path).write_bytes(b"<svg")  # what a full disk leaves: a started file
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full)
    res = runner.invoke(app, [*r, "prisma", "--svg", str(tmp_path / "p.svg")])
    assert isinstance(res.exception, OSError)
    assert list(tmp_path.glob("*p*.svg")) == []
    monkeypatch.setattr(sys, "argv", ["reviewflow"])
    with pytest.raises(SystemExit) as done:
        cli_main.main([*r, "prisma", "--svg", str(tmp_path / "p.svg")])
    assert done.value.code == 1
    assert list(tmp_path.glob("*p*.svg")) == []
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "No space left on device" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("driver", ["sqlalchemy", "sqlite3"])
def test_main_turns_a_database_failure_into_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, driver: str) -> None:
    """A full disk under SQLite (or a server gone) mid-command: one line, no traceback,
    whether the store's session or a reading command's sqlite3 connection met it."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    r = _review(tmp_path)

    def full(*a, **k):  # type: ignore[no-untyped-def]
        if driver == "sqlite3":
            raise sqlite3.OperationalError("database or disk is full")
        raise OperationalError("INSERT ...", {}, Exception("database or disk is full"))

    monkeypatch.setattr("reviewflow.cli.review.read_status_summary", full)
    with pytest.raises(SystemExit) as done:
        cli_main.main([*r, "status"])
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert err == "error: database: database or disk is full; nothing was changed\n"


@pytest.mark.parametrize("args", [["--db", "bogus", "status"],
                                  ["--db", "mysql://u:pw@h/db", "status"]])
def test_bad_db_in_a_real_process_is_one_line(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "reviewflow", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert "pw" not in proc.stderr
