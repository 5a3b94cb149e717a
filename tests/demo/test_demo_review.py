"""``reviewflow demo`` builds the whole review from sample_exports/ (issue 11's evidence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.prisma.derive import prisma_counts
from reviewflow.store.db import Store
from reviewflow.store.location import load_config


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "review"
    res = CliRunner().invoke(app, ["demo", str(folder)])
    assert res.exit_code == 0, res.output
    (folder / "demo-output.txt").write_text(res.output, encoding="utf-8")
    return folder


def test_prisma_identities_hold(demo_dir: Path) -> None:
    store = Store.open(load_config(demo_dir).database_url())
    with store.session() as s:
        counts = prisma_counts(s)
    store.dispose()
    assert counts.identity_errors() == []
    assert set(counts.identified) == {"PubMed", "Embase (Ovid)", "Web of Science Core Collection",
                                      "Cochrane CENTRAL", "CNKI"}
    assert counts.removed_duplicates > 0 and counts.screened > counts.included_reports > 0
    assert sum(counts.awaiting.values()) == 0  # every conflict was settled by the arbiter


def test_every_analysis_produced_a_plot(demo_dir: Path) -> None:
    results = json.loads((demo_dir / "analyses" / "results.json").read_text())
    names = list(results)  # one entry per analysis declared in analyses.toml
    assert len(names) >= 4, names
    for name in names:
        forest = demo_dir / "analyses" / f"{name}_forest.png"
        assert forest.is_file() and forest.stat().st_size > 10_000, forest
    assert (demo_dir / "output" / "prisma.png").is_file()
    assert (demo_dir / "output" / "prisma.svg").is_file()


def test_output_reports_each_stage_and_the_report(demo_dir: Path) -> None:
    out = (demo_dir / "demo-output.txt").read_text()
    for marker in ("[2] Importing", "[3] Deduplication", "[4] Screening at title/abstract",
                   "Cohen's kappa", "[7] Analyses", "SMD = ", "RR = ", "identities hold",
                   "tui --reviewer"):
        assert marker in out, marker
    html = (demo_dir / "report" / "report.html").read_text()
    assert "Risk of bias" in html and "Forest plot" in html and "<svg" in html
