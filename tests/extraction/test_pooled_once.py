"""One analysis, one pooling, one set of numbers: the TUI's analysis and GRADE screens,
``reviewflow analyse`` and the GRADE commands all obtain their runs from
``run_analysis.pool_declared``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual.widgets import Static
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.extraction import run_analysis
from reviewflow.extraction.analyses import load_analyses
from reviewflow.extraction.form_versions import form_in_force
from reviewflow.grade.evidence import review_outcomes
from reviewflow.store.reader import store_reader
from reviewflow.tui.screens.analysis import AnalysisScreen
from tests.tui.support_tui import Host

VAS = ('[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\n'
       'subgroup = "cell_source"\n')


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """The analyses pooled, one name per pooling."""
    pooled: list[str] = []
    real = run_analysis.pool

    def pool(analysis, data, **kw):
        pooled.append(analysis.name)
        return real(analysis, data, **kw)

    monkeypatch.setattr(run_analysis, "pool", pool)
    return pooled


def test_the_tui_and_the_cli_show_the_same_pooled_numbers(extracted, tmp_path: Path,
                                                          counted: list[str]) -> None:
    folder, store, _ids = extracted
    (folder / "analyses.toml").write_text(VAS, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["--review", str(folder), "analyse", "vas", "--out", str(out)])
    assert res.exit_code == 0, res.output
    cli_lines = [line.strip() for line in res.output.splitlines() if "SMD = " in line]
    assert any(line.startswith("Overall: SMD = ") for line in cli_lines)
    cli = json.loads((out / "results.json").read_text(encoding="utf-8"))["vas"]["result"]
    assert counted == ["vas"]

    counted.clear()
    form = form_in_force(store, folder).form
    screen = AnalysisScreen(store, form, load_analyses(folder, form))

    async def shown() -> str:
        async with Host(screen).run_test(size=(160, 60)) as pilot:
            await pilot.pause()
            return str(screen.query_one("#lines", Static).content)

    tui_lines = [line.strip() for line in asyncio.run(shown()).splitlines() if "SMD = " in line]
    assert tui_lines == cli_lines
    assert counted == ["vas"], "the screen pooled the analysis more than once"

    counted.clear()
    with store_reader(store) as reader:  # what the TUI's GRADE screen is given
        [grade] = review_outcomes(reader, folder)
    assert counted == ["vas"]
    assert grade.run.result.overall.estimate == pytest.approx(cli["overall"]["estimate"])
