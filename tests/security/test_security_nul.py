"""NUL characters are handled the same on SQLite and PostgreSQL (issue 21, item 7).

A NUL after the first 8 KB imported on SQLite but failed with a traceback on
PostgreSQL, so such a review could not move to a server.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import InputError
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config

runner = CliRunner()


def _ris(n: int, nul_title: str) -> bytes:
    body = "".join(f"TY  - JOUR\nTI  - Mesenchymal stem cells trial number {i} in lupus\n"
                   f"AU  - Lee, K.\nPY  - 2020\nAB  - {'Randomised. ' * 10}\nER  - \n\n"
                   for i in range(n))
    return (body + f"TY  - JOUR\nTI  - {nul_title}\nPY  - 2021\nER  - \n").encode()


def test_a_nul_after_8kb_imports_the_same_on_both_backends(db_url: str, tmp_path: Path) -> None:
    data = _ris(60, "Stem\x00 cells after the sniffed part")
    assert len(data) > 8192 and data.index(b"\x00") > 8192
    (tmp_path / "x.ris").write_bytes(data)
    res = runner.invoke(app, ["init", str(tmp_path / "rev"), "--db", db_url])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["--review", str(tmp_path / "rev"), "import", str(tmp_path / "x.ris"),
                              "--database", "MEDLINE"])
    assert res.exit_code == 0, (res.output, res.exception)
    assert "1 NUL character removed" in res.output
    with Store.open(load_config(tmp_path / "rev").database_url()) as store, \
            store.session() as s:
        titles = s.exec(select(models.RecordRow.title)).all()
        raws = s.exec(select(models.RecordRow.raw_json)).all()
    assert len(titles) == 61
    assert "Stem cells after the sniffed part" in titles
    assert not any("\x00" in (t or "") or "\\u0000" in r for t, r in zip(titles, raws,
                                                                          strict=True))


def test_a_nul_in_a_decide_csv_is_refused_on_its_line(db_url: str, tmp_path: Path) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "rev"), "--db", db_url])
    assert res.exit_code == 0
    (tmp_path / "x.ris").write_bytes(_ris(2, "Another trial"))
    r = ["--review", str(tmp_path / "rev")]
    assert runner.invoke(app, [*r, "import", str(tmp_path / "x.ris"), "--database", "X"]
                         ).exit_code == 0
    assert runner.invoke(app, [*r, "reviewer", "add", "ann"]).exit_code == 0
    f = tmp_path / "d.csv"
    f.write_text("record_id,decision,note\n1,include,ok\n2,exclude,bad\x00note\n")
    res = runner.invoke(app, [*r, "decide", "--reviewer", "ann", "--stage", "title-abstract",
                              "--from", str(f)])
    assert res.exit_code == 1
    assert isinstance(res.exception, InputError) and res.exception.line == 3
    assert "NUL" in str(res.exception)
