"""``reviewflow import`` and ``reviewflow export records`` as users run them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from reviewflow.cli.main import app

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
RIS = "TY  - JOUR\nTI  - Mesenchymal stem cells {n}\nAU  - Li, Wei\nPY  - 2021\nER  - \n\n"


def _review(tmp_path: Path) -> Path:
    folder = tmp_path / "rev"
    result = runner.invoke(app, ["init", str(folder), "--title", "MSC"])
    assert result.exit_code == 0, result.output
    return folder


def _ris(tmp_path: Path, count: int, name: str = "pubmed.ris") -> Path:
    path = tmp_path / name
    path.write_text("".join(RIS.format(n=n) for n in range(count)), encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("REVIEWFLOW_REVIEW", None)
    return subprocess.run(
        [sys.executable, "-m", "reviewflow", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _status(review: Path) -> dict:
    result = runner.invoke(app, ["status", "--json", "--review", str(review)])
    return json.loads(result.output)


def test_import_prints_summary_and_is_idempotent(tmp_path: Path) -> None:
    review = _review(tmp_path)
    path = _ris(tmp_path, 3)
    args = [
        "import",
        str(path),
        "--review",
        str(review),
        "--database",
        "PubMed",
        "--searched",
        "2024-05-01",
        "--query",
        "stem cells",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "pubmed.ris: read 3, stored 3, warnings 0  [PubMed; ris; utf-8; import #1]" in result.output
    )
    assert "Total: read 3, stored 3, warnings 0" in result.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert "already imported" in again.output and "nothing changed" in again.output
    assert _status(review)["records"] == {"imported": 3, "stored": 3, "active": 3}


def test_warnings_are_shown_and_counted(tmp_path: Path) -> None:
    review = _review(tmp_path)
    path = tmp_path / "odd.ris"
    path.write_text("TY  - JOUR\nTI  - A\nPY  - 10 15\nZZ  - x\nER  - \n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "--review", str(review)])
    assert result.exit_code == 0, result.output
    assert "warnings 2" in result.output
    assert "warning (line 1): year unreadable ('10 15')" in result.output
    assert "unknown RIS tag 'ZZ'" in result.output


def test_unreadable_file_is_one_line_error_and_nothing_is_stored(tmp_path: Path) -> None:
    review = _review(tmp_path)
    good = _ris(tmp_path, 2)
    bad = tmp_path / "garbage.ris"
    bad.write_bytes(bytes(range(256)) * 10)
    result = _run("import", str(good), str(bad), "--review", str(review))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}: file is binary, not a text export"
    ]
    assert "Traceback" not in result.stderr
    assert _status(review)["records"] == {"imported": 0, "stored": 0, "active": 0}


def test_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    review = _review(tmp_path)
    result = _run("import", str(_ris(tmp_path, 1)), "--review", str(review), "--searched", "May")
    assert result.returncode == 2


def test_mapping_option(tmp_path: Path) -> None:
    review = _review(tmp_path)
    table = tmp_path / "mine.csv"
    table.write_text("Headline,When\nMSC in SLE,2020\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(table), "--review", str(review)])
    assert result.exit_code == 1 and "no title column" in str(result.exception)
    mapping = json.dumps({"title": "Headline", "year": "When"})
    result = runner.invoke(
        app, ["import", str(table), "--review", str(review), "--mapping", mapping]
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(app, ["import", str(table), "--review", str(review), "--mapping", "{x"])
    assert bad.exit_code == 1 and "not valid JSON" in str(bad.exception)


def test_export_csv_has_record_ids(tmp_path: Path) -> None:
    review = _review(tmp_path)
    runner.invoke(
        app, ["import", str(_ris(tmp_path, 2)), "--review", str(review), "--database", "PubMed"]
    )
    result = runner.invoke(app, ["export", "records", "--format", "csv", "--review", str(review)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["record_id"] for r in rows] == ["1", "2"]
    assert rows[1]["title"] == "Mesenchymal stem cells 1"
    assert rows[0]["authors"] == "Li, Wei" and rows[0]["sources"] == "PubMed"


def test_export_ris_round_trips_through_import(tmp_path: Path, corpus: Path) -> None:
    review = _review(tmp_path)
    source = corpus / "exports" / "same_library_3_formats" / "reflib_blue-light.nbib"
    assert runner.invoke(app, ["import", str(source), "--review", str(review)]).exit_code == 0
    out = tmp_path / "out.ris"
    result = runner.invoke(app, ["export", "records", "--review", str(review), "--out", str(out)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "second"
    assert runner.invoke(app, ["init", str(second)]).exit_code == 0
    assert runner.invoke(app, ["import", str(out), "--review", str(second)]).exit_code == 0
    first_csv = runner.invoke(
        app, ["export", "records", "--format", "csv", "--review", str(review)]
    )
    second_csv = runner.invoke(
        app, ["export", "records", "--format", "csv", "--review", str(second)]
    )
    drop = ("publication_type", "sources")
    a = [
        {k: v for k, v in r.items() if k not in drop}
        for r in csv.DictReader(io.StringIO(first_csv.output))
    ]
    b = [
        {k: v for k, v in r.items() if k not in drop}
        for r in csv.DictReader(io.StringIO(second_csv.output))
    ]
    assert len(a) == 80
    assert a == b


def test_unknown_export_format(tmp_path: Path) -> None:
    review = _review(tmp_path)
    result = runner.invoke(app, ["export", "records", "--format", "xml", "--review", str(review)])
    assert result.exit_code == 1


def test_export_by_stage(tmp_path: Path) -> None:
    review = _review(tmp_path)
    runner.invoke(app, ["import", str(_ris(tmp_path, 3)), "--review", str(review)])
    args = ["export", "records", "--format", "csv", "--review", str(review), "--stage"]
    title_abstract = runner.invoke(app, [*args, "title-abstract"])
    assert title_abstract.exit_code == 0, title_abstract.output
    assert len(list(csv.DictReader(io.StringIO(title_abstract.output)))) == 3
    full_text = runner.invoke(app, [*args, "full-text"])
    assert list(csv.DictReader(io.StringIO(full_text.output))) == []  # nobody screened yet
    assert runner.invoke(app, [*args, "nonsense"]).exit_code == 1


def test_import_into_a_pipe_prints_no_blank_progress_lines(tmp_path: Path) -> None:
    """A log of a scripted import holds the results, not one empty line per file."""
    review = _review(tmp_path)
    files = [str(_ris(tmp_path, 2, f"s{i}.ris")) for i in range(3)]
    proc = _run("--review", str(review), "import", *files)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert [line for line in proc.stdout.splitlines() if not line.strip()] == []
