"""``reviewflow init`` / ``status``: review discovery, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store.location import CONFIG_NAME

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run the real console program in a subprocess (exit codes as users see them)."""
    import os

    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    full_env.pop("REVIEWFLOW_REVIEW", None) if env is None else None
    return subprocess.run(
        [sys.executable, "-m", "reviewflow", *args], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=120,
    )


def test_init_then_status_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "rev"), "--title", "MSC review"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "rev" / CONFIG_NAME).is_file()
    assert (tmp_path / "rev" / "reviewflow.db").is_file()
    res = runner.invoke(app, ["status", "--json", "--review", str(tmp_path / "rev")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["review"]["title"] == "MSC review"
    assert data["records"] == {"imported": 0, "stored": 0, "active": 0}
    assert set(data["stages"]) == {"title_abstract", "full_text"}


def test_global_option_before_subcommand(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "r")])
    res = runner.invoke(app, ["--review", str(tmp_path / "r"), "status", "--json"])
    assert res.exit_code == 0, res.output


def test_review_found_from_subfolder(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "rev"), "--title", "Found me").returncode == 0
    sub = tmp_path / "rev" / "a" / "b"
    sub.mkdir(parents=True)
    res = run("status", "--json", cwd=sub)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["review"]["title"] == "Found me"


def test_review_found_from_environment(tmp_path: Path) -> None:
    run("init", str(tmp_path / "rev"), "--title", "Env")
    res = run("status", "--json", cwd=tmp_path, env={"REVIEWFLOW_REVIEW": str(tmp_path / "rev")})
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["review"]["title"] == "Env"


def test_no_review_is_a_one_line_user_error(tmp_path: Path) -> None:
    res = run("status", cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0
    assert "no review found" in res.stderr
    assert "Traceback" not in res.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    res = run("status", "--no-such-option", cwd=tmp_path)
    assert res.returncode == 2


def test_init_twice_is_user_error(tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "r")).returncode == 0
    res = run("init", str(tmp_path / "r"))
    assert res.returncode == 1 and "already a review folder" in res.stderr


def test_help_everywhere() -> None:
    for args in (["--help"], ["init", "--help"], ["status", "--help"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0 and "Usage" in res.output


def test_version_prints_and_exits_0() -> None:
    from reviewflow import __version__

    res = run("--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"reviewflow {__version__}"


def test_help_lists_commands_in_workflow_panels() -> None:
    res = runner.invoke(app, ["--help"])
    text = res.output
    panels = ["Start", "1. Searches and duplicates", "2. Screening",
              "3. Extraction and analysis", "4. PRISMA, report and exports"]
    positions = [text.index(p) for p in panels]
    assert positions == sorted(positions)
    assert text.index(" import ") < text.index(" dedup ") < text.index(" screen ") \
        < text.index(" analyse ") < text.index(" report ")
    assert "More" not in text  # every command has its panel


@pytest.mark.postgres
def test_init_with_postgres_url(tmp_path: Path, pg_url: str) -> None:
    res = runner.invoke(app, ["--db", pg_url, "init", str(tmp_path / "team"), "--title", "Team"])
    assert res.exit_code == 0, res.output
    toml = (tmp_path / "team" / CONFIG_NAME).read_text()
    assert "postgresql+psycopg" in toml
    assert not (tmp_path / "team" / "reviewflow.db").exists()
    res = runner.invoke(app, ["status", "--json", "--review", str(tmp_path / "team")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["review"]["title"] == "Team"
    assert data["database"].startswith("postgresql+psycopg")


def test_init_honours_the_global_review_option(tmp_path: Path) -> None:
    """``reviewflow --review DIR init`` creates DIR, not a review in the current folder."""
    res = run("--review", str(tmp_path / "rev"), "init", "--title", "T", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "rev" / CONFIG_NAME).is_file()
    assert not (tmp_path / CONFIG_NAME).exists()
    # an explicit folder argument is the more specific of the two
    res = run("--review", str(tmp_path / "other"), "init", str(tmp_path / "arg"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "arg" / CONFIG_NAME).is_file() and not (tmp_path / "other").exists()
