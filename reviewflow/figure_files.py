"""Writing a matplotlib figure to its file: the one ``savefig`` of every plot module.

Costs that change no pixel (issue 22; what they cost is measured in
docs/performance.md, not here). PNG is lossless, so how it is compressed changes only
the file, never the decoded image. Our figures are flat colours and text, which
compress as well without a PNG row filter, and Pillow (matplotlib's PNG writer) tries
every filter on every row; so a PNG is written here from matplotlib's RGBA buffer with
no row filter and zlib level 1. Where that buffer cannot be had (see
:func:`_png_from_buffer`), Pillow writes the file at level 1. A figure laid out by
``tight_layout`` keeps a placeholder layout engine, for which ``savefig`` lays the
whole figure out once more (a full draw with rendering switched off) before drawing
it; the layout is final by then, so the engine is dropped first.
``bbox_inches="tight"`` still needs that extra pass and keeps it.

And the same figure is the same file: SVG and PDF carry no date, SVG ids are hashed
with a fixed salt, so a copy from the figure cache equals a fresh drawing.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_COMPRESS_LEVEL = 1
# the metadata key under which matplotlib dates a file (None: no date written)
UNDATED = {".svg": "Date", ".pdf": "CreationDate"}
# SVG ids (clip paths, glyphs) hash the content with this salt; matplotlib's default is
# a random one per file
SVG_HASH_SALT = "reviewflow"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save_kwargs(path: Path | str, **kwargs: Any) -> dict[str, Any]:
    """``savefig`` keywords for ``path``: the PNG encoder's settings added for a .png; no
    date in an SVG or a PDF, so that the same figure is the same file whenever it is
    drawn (a copy from the figure cache included)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        pil = {"compress_level": PNG_COMPRESS_LEVEL, **kwargs.pop("pil_kwargs", {})}
        return {**kwargs, "pil_kwargs": pil}
    if suffix in UNDATED:
        return {**kwargs, "metadata": {UNDATED[suffix]: None, **kwargs.get("metadata", {})}}
    return kwargs


def write_figure(fig: Figure, path: Path | str, **kwargs: Any) -> Path:
    """``fig.savefig(path, **kwargs)`` (format from the suffix) without the extra layout
    pass; the figure stays open (the caller closes it)."""
    if kwargs.get("bbox_inches") != "tight":
        _drop_placeholder_engine(fig)
    png = Path(path).suffix.lower() == ".png"
    if png and "pil_kwargs" not in kwargs and "metadata" not in kwargs:
        data = _png_from_buffer(fig, kwargs)
        if data is not None:
            Path(path).write_bytes(data)
            return Path(path)
    import matplotlib

    salt = matplotlib.rcParams["svg.hashsalt"] or SVG_HASH_SALT  # a user's own salt is kept
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(path, **save_kwargs(path, **kwargs))
    return Path(path)


class _Pixels(io.RawIOBase):
    """Where ``savefig(format="rgba")`` writes: keeps the renderer's buffer as given."""

    def __init__(self) -> None:
        super().__init__()
        self.image: memoryview | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # type: ignore[override]
        view = memoryview(data)
        self.image = view
        return view.nbytes


def _png_from_buffer(fig: Figure, kwargs: dict[str, Any]) -> bytes | None:
    """The figure drawn by ``savefig`` (every keyword as given) as PNG bytes, or None
    when matplotlib did not hand over its buffer as a height x width x 4 array (then
    nothing is written and the caller saves through Pillow)."""
    import matplotlib
    import numpy as np  # loaded with matplotlib

    sink = _Pixels()
    fig.savefig(sink, format="rgba", **kwargs)
    image = sink.image
    if image is None or image.ndim != 3 or image.shape[2] != 4:
        return None
    height, width = image.shape[0], image.shape[1]
    dpi = kwargs.get("dpi") or matplotlib.rcParams["savefig.dpi"]
    if dpi == "figure":
        dpi = fig.dpi
    per_metre = int(float(dpi) / 0.0254 + 0.5)  # as Pillow writes pHYs
    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    # every row: filter type 0 (none), then its RGBA bytes
    rows = np.empty((height, width * 4 + 1), dtype=np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = np.asarray(image).reshape(height, width * 4)
    return b"".join((
        _PNG_SIGNATURE,
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
        _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        _chunk(b"tEXt", b"Software\0" + software.encode("latin-1")),
        _chunk(b"IDAT", zlib.compress(rows, PNG_COMPRESS_LEVEL)),
        _chunk(b"IEND", b""),
    ))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _drop_placeholder_engine(fig: Figure) -> None:
    """What ``tight_layout`` leaves behind does nothing but cost ``savefig`` a pass."""
    import matplotlib
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        # None means "no engine" only when matplotlibrc asks for no automatic layout
        with matplotlib.rc_context({"figure.autolayout": False,
                                    "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
