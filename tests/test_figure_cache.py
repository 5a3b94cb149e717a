"""The figure cache (reviewflow.figure_cache): a figure from the same input is copied, not
redrawn; any change of input is drawn; the command works the same without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewflow import drawing
from reviewflow.figure_cache import FigureCache, figure_cache
from reviewflow.pooling import pool_dichotomous

FOREST = "reviewflow.pooling.plots:save_forest_plot"
PRISMA = "reviewflow.prisma.diagram:draw"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REVIEWFLOW_FIGURE_CACHE", str(folder))
    return folder


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every savefig of this process, by where it wrote (a path, or a PNG's buffer)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    done: list[object] = []
    original = Figure.savefig

    def counted(self, fname, *a, **k):  # type: ignore[no-untyped-def]
        done.append(fname)
        return original(self, fname, *a, **k)

    monkeypatch.setattr(Figure, "savefig", counted)
    return done


def _result(events: int = 4):
    return pool_dichotomous([events, 6, 3], [123, 306, 231], [11, 29, 11], [139, 303, 220],
                            studies=["Aronson", "Ferguson", "Rosenthal"], measure="RR",
                            method="MH", model="random")


def _forest(path: Path, result=None, title: str = "T") -> Path:
    return drawing.submit(FOREST, path, result or _result(), path, title=title)


def test_the_same_input_is_copied_and_a_changed_one_drawn(cache_dir: Path, tmp_path: Path,
                                                           saves: list[object]) -> None:
    first, second = tmp_path / "a" / "f.png", tmp_path / "b" / "f.png"
    first.parent.mkdir()
    second.parent.mkdir()
    with drawing.parallel(workers=0, cache=True):
        _forest(first)
    assert len(saves) == 1 and len(list(cache_dir.iterdir())) == 1
    with drawing.parallel(workers=0, cache=True):
        _forest(second)  # another folder, the same figure: copied
    assert len(saves) == 1 and second.read_bytes() == first.read_bytes()
    with drawing.parallel(workers=0, cache=True):
        _forest(tmp_path / "t.png", title="Other title")
        _forest(tmp_path / "e.png", result=_result(events=5))
        _forest(tmp_path / "f.svg")  # another format is another file
    assert len(saves) == 4
    assert len(list(cache_dir.iterdir())) == 4


def test_no_cache_outside_a_cached_block_or_when_turned_off(
        cache_dir: Path, tmp_path: Path, saves: list[object],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _forest(tmp_path / "f.png")
    with drawing.parallel(workers=0):
        _forest(tmp_path / "f.png")
    assert len(saves) == 2 and not cache_dir.exists()
    monkeypatch.setenv("REVIEWFLOW_FIGURE_CACHE", "off")
    assert figure_cache() is None
    with drawing.parallel(workers=0, cache=True):
        _forest(tmp_path / "f.png")
        _forest(tmp_path / "f.png")
    assert len(saves) == 4


def test_a_job_writing_two_files_gets_both_back(cache_dir: Path, tmp_path: Path,
                                                saves: list[object]) -> None:
    from reviewflow.prisma.counts import PrismaCounts

    counts = PrismaCounts(
        identified={"PubMed": 112, "Embase": 140}, removed_duplicates=97,
        removed_duplicates_auto=90, removed_duplicates_manual=7, removed_automation=0,
        removed_other=0, screened=155, excluded_screening=105, sought=50, not_retrieved=3,
        assessed=47, excluded_reports={"not randomised": 13}, included_studies=31,
        included_reports=34)
    svg, png = tmp_path / "p.svg", tmp_path / "p.png"
    with drawing.parallel(workers=0, cache=True):
        drawing.submit(PRISMA, svg, counts, svg, png)
    drawn = svg.read_bytes(), png.read_bytes()
    svg.unlink()
    png.unlink()
    with drawing.parallel(workers=0, cache=True):
        drawing.submit(PRISMA, svg, counts, svg, png)
    assert len(saves) == 2  # both files from the one drawing
    assert (svg.read_bytes(), png.read_bytes()) == drawn
    next(cache_dir.glob("*-1.png")).unlink()  # one of the two lost: drawn again
    with drawing.parallel(workers=0, cache=True):
        drawing.submit(PRISMA, svg, counts, svg, png)
    assert len(saves) == 4


def test_a_figure_drawn_by_a_worker_is_kept(cache_dir: Path, tmp_path: Path) -> None:
    here, there = tmp_path / "w.png", tmp_path / "again.png"
    with drawing.parallel(workers=1, cache=True):
        _forest(here)
    assert len(list(cache_dir.iterdir())) == 1
    with drawing.parallel(workers=1, cache=True):
        _forest(there)
        assert not drawing.pending(there) and there.is_file()  # copied, not sent
    assert there.read_bytes() == here.read_bytes()


def test_an_input_that_cannot_be_pickled_is_drawn_uncached(tmp_path: Path) -> None:
    cache = FigureCache(tmp_path)
    assert cache.key(FOREST, tmp_path / "f.png", (lambda: 1,), {}) is None
    a = cache.key(FOREST, tmp_path / "f.png", (1, tmp_path / "f.png"), {"title": "x"})
    b = cache.key(FOREST, tmp_path / "g" / "h.png", (1, tmp_path / "g" / "h.png"),
                  {"title": "x"})
    c = cache.key(FOREST, tmp_path / "f.png", (1, tmp_path / "f.png"), {"title": "y"})
    assert a is not None and b is not None and c is not None
    assert a.key == b.key != c.key  # where it is written does not matter; its input does


def test_prune_keeps_the_most_recently_used(tmp_path: Path) -> None:
    cache = FigureCache(tmp_path)
    for i in range(5):
        (tmp_path / f"k{i}-0.png").write_bytes(b"x")
        os.utime(tmp_path / f"k{i}-0.png", (1000 + i, 1000 + i))
    (tmp_path / ".k9-0.png.77.partial").write_bytes(b"x")  # left by a killed process
    os.utime(tmp_path / ".k9-0.png.77.partial", (1000, 1000))
    (tmp_path / ".k8-0.png.78.partial").write_bytes(b"x")  # being written now
    cache.prune(keep=2)
    assert sorted(f.name for f in tmp_path.iterdir()) == [".k8-0.png.78.partial",
                                                          "k3-0.png", "k4-0.png"]


def test_a_matplotlibrc_changes_every_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """matplotlibrc decides fonts, line widths and colours: a figure kept under other
    settings is not handed back."""
    from reviewflow import figure_cache as fc

    cache = FigureCache(tmp_path)
    monkeypatch.chdir(tmp_path)
    fc._environment.cache_clear()
    plain = cache.key(FOREST, tmp_path / "f.png", (1, tmp_path / "f.png"), {})
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 3\n", encoding="utf-8")
    fc._environment.cache_clear()
    styled = cache.key(FOREST, tmp_path / "f.png", (1, tmp_path / "f.png"), {})
    fc._environment.cache_clear()
    assert plain is not None and styled is not None and plain.key != styled.key


def test_a_run_that_left_every_figure_kept_starts_no_workers_next_time(
        cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting workers only to copy cached files would cost their matplotlib import."""
    asked: list[int | None] = []
    real = drawing._workers

    def record(workers, **kw):  # type: ignore[no-untyped-def]
        asked.append(workers)
        return real(0, **kw)

    monkeypatch.setattr(drawing, "_workers", record)
    monkeypatch.delenv("REVIEWFLOW_WORKERS", raising=False)
    review = tmp_path / "review"
    review.mkdir()
    (review / "analyses.toml").write_text("a", encoding="utf-8")
    run = ("analyse --all", review)

    def once() -> None:
        with drawing.parallel(cache=True, run=run):
            _forest(tmp_path / "f.png")

    once()  # nothing kept yet: workers as the load allows
    once()  # same files: every figure kept, no workers
    (review / "analyses.toml").write_text("b, edited", encoding="utf-8")
    once()
    monkeypatch.setenv("REVIEWFLOW_WORKERS", "2")
    once()  # a worker count asked for is a worker count given
    assert asked == [None, 0, None, None]
    with pytest.raises(RuntimeError), drawing.parallel(cache=True, run=("other", review)):
        raise RuntimeError("the run failed")
    monkeypatch.delenv("REVIEWFLOW_WORKERS")
    with drawing.parallel(cache=True, run=("other", review)):
        pass
    assert asked[-1] is None  # a failed run marks nothing


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_a_cached_vector_figure_is_the_file_a_fresh_drawing_writes(
        cache_dir: Path, tmp_path: Path, saves: list[object], suffix: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No date and no random SVG ids: a copy from the cache, made later, is byte for byte
    what drawing the figure again writes (matplotlib would date each file it writes and
    salt the SVG ids at random)."""
    import time

    import matplotlib

    first, copied, fresh = (tmp_path / f"{n}{suffix}" for n in ("first", "copied", "fresh"))
    with drawing.parallel(workers=0, cache=True):
        _forest(first)
    time.sleep(1.1)  # the dates matplotlib writes are in seconds
    with drawing.parallel(workers=0, cache=True):
        _forest(copied)
    assert len(saves) == 1
    monkeypatch.setenv("REVIEWFLOW_FIGURE_CACHE", "off")
    _forest(fresh)
    assert len(saves) == 2
    assert fresh.read_bytes() == copied.read_bytes() == first.read_bytes()
    assert b"dc:date" not in fresh.read_bytes() and b"CreationDate" not in fresh.read_bytes()
    assert matplotlib.rcParams["svg.hashsalt"] is None  # the salt is the writer's, not global
