"""Figures drawn in worker processes (reviewflow.drawing): same bytes, errors not lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reviewflow import drawing
from reviewflow.pooling import pool_dichotomous

REPO = Path(__file__).resolve().parents[1]
FOREST = "reviewflow.pooling.plots:save_forest_plot"


def _result():
    return pool_dichotomous([4, 6, 3], [123, 306, 231], [11, 29, 11], [139, 303, 220],
                            studies=["Aronson", "Ferguson", "Rosenthal"], measure="RR",
                            method="MH", model="random")


def test_a_worker_writes_the_same_file_as_this_process(tmp_path: Path) -> None:
    here, there = tmp_path / "here.png", tmp_path / "there.png"
    result = _result()
    assert drawing.submit(FOREST, here, result, here, title="T") == here
    assert here.stat().st_size > 10_000  # drawn at once outside a parallel block
    with drawing.parallel(workers=1):
        assert drawing.submit(FOREST, there, result, there, title="T") == there
    assert not drawing.pending(there)
    assert there.read_bytes() == here.read_bytes()


def test_a_failing_job_raises_its_own_error_when_the_block_ends(tmp_path: Path) -> None:
    drawn = tmp_path / "ok.png"
    with pytest.raises(KeyError, match="no_such_plot"), drawing.parallel(workers=1):
        drawing.submit(FOREST, drawn, _result(), drawn)
        drawing.submit("reviewflow.pooling.bias_plots:draw", tmp_path / "x.png",
                       "no_such_plot", tmp_path / "x.png")
    assert drawn.is_file()  # the other job still finished


def test_a_pending_figure_is_embedded_once_drawn(tmp_path: Path) -> None:
    from reviewflow.report.html import _LATER, figure

    path = tmp_path / "f.png"
    with drawing.parallel(workers=1):
        marker = figure(drawing.submit(FOREST, path, _result(), path), "Forest")
        assert drawing.pending(path) and _LATER.fullmatch(marker)
    embedded = _LATER.sub(lambda m: figure(Path(m[1]), m[2]), marker)
    assert embedded == figure(path, "Forest") and "data:image/png;base64," in embedded


def test_analyse_never_loads_matplotlib_in_the_command_process(tmp_path: Path) -> None:
    """The plots are drawn by workers: the command's own process pools and writes tables."""
    code = ("import sys\nfrom reviewflow import drawing\n"
            "from reviewflow.extraction.run_analysis import write_forest\n"
            "from reviewflow.extraction.small_study_outputs import write_small_study_plots\n"
            "from reviewflow.extraction.rob_plots import forest_rob\n"
            "from reviewflow.pooling import pool_dichotomous\n"
            f"out = {str(tmp_path / 'p.png')!r}\n"
            "r = pool_dichotomous([4, 6], [123, 306], [11, 29], [139, 303], studies=['A', 'B'],"
            " measure='RR', method='MH', model='random')\n"
            "with drawing.parallel(workers=1):\n"
            "    drawing.submit('reviewflow.pooling.plots:save_forest_plot', out, r, out)\n"
            "print('matplotlib' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    assert (tmp_path / "p.png").stat().st_size > 10_000


def test_no_workers_when_every_core_is_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers only pay on an idle core: on a saturated machine figures are drawn here."""
    monkeypatch.delenv("REVIEWFLOW_WORKERS", raising=False)
    monkeypatch.setattr(drawing.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(drawing.os, "getloadavg", lambda: (2.5, 2.0, 2.0))
    assert drawing.worker_count() == 0
    monkeypatch.setattr(drawing.os, "getloadavg", lambda: (0.3, 0.2, 0.2))
    assert drawing.worker_count() == 2
    monkeypatch.setattr(drawing.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert drawing.worker_count() == 0


def test_the_worker_count_can_be_set_and_a_bad_one_is_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewflow.errors import ReviewflowError

    monkeypatch.setenv("REVIEWFLOW_WORKERS", "1")
    assert drawing.worker_count() == 1
    monkeypatch.setenv("REVIEWFLOW_WORKERS", "0")
    assert drawing.worker_count() == 0
    monkeypatch.setenv("REVIEWFLOW_WORKERS", "two")
    with pytest.raises(ReviewflowError, match=r"\$REVIEWFLOW_WORKERS: 'two' is not a number"):
        drawing.worker_count()


def test_report_with_workers_embeds_the_figures_they_drew(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from reviewflow.cli.main import app

    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "r")]).exit_code == 0
    monkeypatch.setenv("REVIEWFLOW_WORKERS", "2")
    res = runner.invoke(app, ["--review", str(tmp_path / "r"), "report", "--out",
                              str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    doc = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in doc and "Records screened (n = 0)" in doc and "\x00" not in doc


def _die_outside(pid: int, path: Path) -> None:
    """A job that kills any worker running it, and writes ``path`` in process ``pid``."""
    import os

    if os.getpid() != pid:
        os._exit(3)
    path.write_text("drawn here", encoding="utf-8")


def test_a_figure_whose_worker_died_is_drawn_in_this_process(tmp_path: Path) -> None:
    import os

    path = tmp_path / "f.txt"
    with drawing.parallel(workers=1):
        drawing.submit("tests.test_drawing:_die_outside", path, os.getpid(), path)
    assert path.read_text(encoding="utf-8") == "drawn here"


def _note_server_state(out: Path) -> None:
    """A job: what the worker inherited from its fork server."""
    import gc
    import sys

    out.write_text(f"{'reviewflow.figure_server' in sys.modules} {gc.get_freeze_count() > 0} "
                   f"{gc.get_threshold()[0]}")


def test_the_fork_server_collects_as_a_short_lived_process(tmp_path: Path) -> None:
    """The server ends with the command and holds its output pipe open until then; it
    and its workers collect garbage as short-lived processes (reviewflow.figure_server):
    the imports frozen, fewer young collections, none of the heap at exit (issue 22)."""
    from reviewflow.short_lived import YOUNG_THRESHOLD

    out = tmp_path / "state.txt"
    with drawing.parallel(workers=1):
        drawing.submit(f"{__name__}:_note_server_state", out, out)
    assert out.read_text() == f"True True {YOUNG_THRESHOLD}"
    probe = ("import atexit, gc\nimport reviewflow.figure_server\ngc.unfreeze()\n"
             "atexit._run_exitfuncs()\nprint(gc.get_freeze_count() > 0)\n")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert ran.stdout.strip() == "True"  # frozen again at exit
