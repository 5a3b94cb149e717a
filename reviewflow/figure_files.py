"""Writing a matplotlib figure to its file: the one ``savefig`` of every plot module.

Two costs that change no pixel (issue 22). PNG is written with zlib level 1 instead
of Pillow's default 6: PNG is lossless, so the decoded image is the same and only the
file grows a little, while encoding was a sizeable share of drawing a large forest
plot. And a figure laid out by ``tight_layout`` keeps a placeholder layout engine,
for which ``savefig`` lays the whole figure out once more (a full draw with rendering
switched off) before drawing it; the layout is final by then, so the engine is
dropped first. ``bbox_inches="tight"`` still needs that extra pass and keeps it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_COMPRESS_LEVEL = 1


def save_kwargs(path: Path | str, **kwargs: Any) -> dict[str, Any]:
    """``savefig`` keywords for ``path``: the PNG encoder's settings added for a .png."""
    if Path(path).suffix.lower() == ".png":
        pil = {"compress_level": PNG_COMPRESS_LEVEL, **kwargs.pop("pil_kwargs", {})}
        return {**kwargs, "pil_kwargs": pil}
    return kwargs


def write_figure(fig: Figure, path: Path | str, **kwargs: Any) -> Path:
    """``fig.savefig(path, **kwargs)`` (format from the suffix) without the extra layout
    pass; the figure stays open (the caller closes it)."""
    if kwargs.get("bbox_inches") != "tight":
        _drop_placeholder_engine(fig)
    fig.savefig(path, **save_kwargs(path, **kwargs))
    return Path(path)


def _drop_placeholder_engine(fig: Figure) -> None:
    """What ``tight_layout`` leaves behind does nothing but cost ``savefig`` a pass."""
    import matplotlib
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        # None means "no engine" only when matplotlibrc asks for no automatic layout
        with matplotlib.rc_context({"figure.autolayout": False,
                                    "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
