"""reviewflow.figure_files: cheaper PNG writing that changes no pixel (issue 22)."""

from __future__ import annotations

import struct
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from reviewflow.figure_files import save_kwargs, write_figure  # noqa: E402


def _figure() -> Figure:
    fig = plt.figure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 0, 2])
    ax.set_title("Funnel")
    fig.tight_layout()
    return fig


def _zlib_level(png: Path) -> int:
    """FLEVEL of the first IDAT's zlib header: 0 fastest, 1 fast, 2 default, 3 best."""
    data = png.read_bytes()[8:]
    while data:
        length, kind = struct.unpack(">I4s", data[:8])
        if kind == b"IDAT":
            return data[9] >> 6
        data = data[12 + length:]
    raise AssertionError("no IDAT chunk")


def _saved_both_ways(tmp_path: Path, *, dpi: int) -> tuple[Path, Path]:
    """One figure saved by matplotlib's own ``savefig`` and by ``write_figure``."""
    plain, fast = tmp_path / "plain.png", tmp_path / "fast.png"
    fig = _figure()
    fig.savefig(plain, dpi=dpi)
    write_figure(fig, fast, dpi=dpi)
    plt.close(fig)
    return plain, fast


def test_png_pixels_equal_a_plain_savefig_with_faster_compression(tmp_path: Path) -> None:
    plain, fast = _saved_both_ways(tmp_path, dpi=100)
    assert np.array_equal(np.asarray(Image.open(plain)), np.asarray(Image.open(fast)))
    assert _zlib_level(plain) == 2  # zlib's default level (6)
    assert _zlib_level(fast) == 0  # level 1


def test_a_tight_layout_is_not_laid_out_again_by_savefig(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    draws: list[bool] = []
    original = Figure.draw

    def counted(self: Figure, renderer: object) -> None:
        draws.append(True)
        original(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    fig = _figure()
    write_figure(fig, tmp_path / "f.png", dpi=50)
    assert len(draws) == 1  # savefig alone draws twice after tight_layout
    draws.clear()
    write_figure(fig, tmp_path / "g.png", dpi=50, bbox_inches="tight")
    assert len(draws) == 2  # a tight bounding box needs its measuring pass
    plt.close(fig)


def test_other_formats_get_no_png_settings() -> None:
    assert save_kwargs("a.svg", dpi=None) == {"dpi": None, "metadata": {"Date": None}}
    assert save_kwargs("a.pdf", metadata={"Title": "T"}) == {
        "metadata": {"CreationDate": None, "Title": "T"}}
    assert save_kwargs("a.jpg", dpi=None) == {"dpi": None}
    assert save_kwargs("a.PNG", dpi=200)["pil_kwargs"] == {"compress_level": 1}
    assert save_kwargs("a.png", pil_kwargs={"optimize": True})["pil_kwargs"] == {
        "compress_level": 1, "optimize": True}


def _png_rows_filters(png: Path) -> set[int]:
    """The filter type byte of every row of an 8-bit RGBA PNG."""
    import zlib

    data, idat, width = png.read_bytes()[8:], b"", 0
    while data:
        length, kind = struct.unpack(">I4s", data[:8])
        body = data[8:8 + length]
        if kind == b"IHDR":
            width = struct.unpack(">I", body[:4])[0]
        elif kind == b"IDAT":
            idat += body
        data = data[12 + length:]
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    return {raw[i] for i in range(0, len(raw), stride)}


@pytest.mark.parametrize("extra", [{}, {"bbox_inches": "tight", "facecolor": "white"}])
def test_png_written_from_the_buffer_matches_matplotlibs_own(tmp_path: Path,
                                                             extra: dict[str, object]) -> None:
    plain, fast = tmp_path / "plain.png", tmp_path / "fast.png"
    fig = _figure()
    fig.savefig(plain, dpi=120, **extra)
    write_figure(fig, fast, dpi=120, **extra)
    plt.close(fig)
    a, b = Image.open(plain), Image.open(fast)
    assert (a.mode, a.size, a.info) == (b.mode, b.size, b.info)  # dpi and Software kept
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert _png_rows_filters(plain) != {0}  # Pillow picks a filter per row
    assert _png_rows_filters(fast) == {0}  # written here: no row filter


def test_png_falls_back_to_pillow_without_the_buffer(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import reviewflow.figure_files as figure_files

    monkeypatch.setattr(figure_files, "_png_from_buffer", lambda fig, kwargs: None)
    plain, fast = _saved_both_ways(tmp_path, dpi=80)
    assert np.array_equal(np.asarray(Image.open(plain)), np.asarray(Image.open(fast)))
    assert _zlib_level(fast) == 0 and _png_rows_filters(fast) != {0}
