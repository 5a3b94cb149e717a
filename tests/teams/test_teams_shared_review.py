"""Two machines, one PostgreSQL review: ``init --db`` then each works from its own folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store.db import Store
from tests.screening.support import fill

runner = CliRunner()


def test_init_on_server_then_two_folders_share_it(tmp_path: Path, pg_url: str) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "ann-laptop"), "--title", "Shared",
                              "--db", pg_url])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "ann-laptop" / "reviewflow.db").exists()
    with Store.open(pg_url) as store:
        fill(store, 5)
    # The second reviewer's machine: only the toml is copied (it names the server).
    (tmp_path / "ben-desktop").mkdir()
    shutil.copy(tmp_path / "ann-laptop" / "reviewflow.toml", tmp_path / "ben-desktop")
    for who, folder in (("ann", "ann-laptop"), ("ben", "ben-desktop")):
        res = runner.invoke(app, ["reviewer", "add", who, "--review", str(tmp_path / folder)])
        assert res.exit_code == 0, res.output
        csv_file = tmp_path / f"{who}.csv"
        csv_file.write_text("record_id,decision\n1,include\n2,exclude\n")
        res = runner.invoke(app, ["decide", "--reviewer", who, "--stage", "title-abstract",
                                  "--from", str(csv_file), "--review", str(tmp_path / folder)])
        assert res.exit_code == 0, res.output
    views = []
    for folder in ("ann-laptop", "ben-desktop"):
        res = runner.invoke(app, ["status", "--json", "--review", str(tmp_path / folder)])
        assert res.exit_code == 0, res.output
        views.append(json.loads(res.output))
    assert views[0]["stages"] == views[1]["stages"]
    assert set(views[0]["stages"]["title_abstract"]["reviewers"]) == {"ann", "ben"}
