"""Figures already drawn from the same input, kept to be copied instead of redrawn.

``report`` draws again every plot ``analyse`` drew, and running ``analyse`` again
after a change to one analysis redraws all of them: the same typed input and the same
drawing code give the same file, so the file is kept under a key naming both. The
key is a SHA-256 of the job (its function's name, its arguments with the output
paths left out but their formats kept) and of everything else that decides the
pixels: the source of the whole ``reviewflow`` package, the versions of matplotlib,
numpy and Pillow, any matplotlibrc and matplotlib's list of installed fonts. A
``Path`` among a job's arguments is a file the job writes (the contract of
:func:`reviewflow.drawing.submit`): a job writing two files (PRISMA's SVG and PNG)
keeps both. An input that cannot be pickled is drawn as without a cache. A changed
input only misses; nothing here can hand back a figure of other data. SVG and PDF files
carry no date and no random ids (:mod:`reviewflow.figure_files`), so a copy is the
file a fresh drawing writes, byte for byte.

The pooling itself is never cached: the input is recomputed from the store on every
run, so what a cached figure shows is what a fresh drawing would.

Where: ``$REVIEWFLOW_FIGURE_CACHE`` (a folder; ``off`` disables the cache), else
``$XDG_CACHE_HOME/reviewflow/figures`` (``~/.cache/...``). At most
:data:`MAX_FILES` files are kept, the least recently used dropped first. A cache
that cannot be read or written is skipped, never an error of the command. A file in
the cache is trusted as drawn here: point ``$REVIEWFLOW_FIGURE_CACHE`` only at a
folder no one else can write.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import time
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

CACHE_ENV = "REVIEWFLOW_FIGURE_CACHE"
MAX_FILES = 400
_FORMAT = 1  # bump when the key's recipe changes
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Kept:
    """A job's key and the files it writes, ``path`` first."""

    key: str
    outputs: tuple[Path, ...]

    def names(self) -> list[str]:
        """The kept files' names: the key, the output's number and its suffix."""
        return [f"{self.key}-{i}{out.suffix.lower()}" for i, out in enumerate(self.outputs)]


class FigureCache:
    """One folder of figure files named by their key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, target: str, path: Path, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> Kept | None:
        """The job's key and the files it writes (``path`` first), or None when its
        input cannot be keyed."""
        outputs = [Path(path)]
        swapped: list[Any] = []
        for value in (*args, *kwargs.values()):
            if isinstance(value, Path):
                if value not in outputs:
                    outputs.append(value)
                swapped.append((_OUT, outputs.index(value), value.suffix.lower()))
            else:
                swapped.append(value)
        try:
            job = pickle.dumps((target, Path(path).suffix.lower(), swapped[:len(args)],
                                sorted(zip(kwargs, swapped[len(args):], strict=True))),
                               protocol=5)
        except Exception:  # noqa: BLE001 - an input pickle refuses is simply not cached
            return None
        return Kept(hashlib.sha256(_environment() + job).hexdigest(), tuple(outputs))

    def fetch(self, kept: Kept) -> bool:
        """Copy the kept files to the job's outputs; False when one is missing (nothing
        copied) or cannot be copied: the job is then drawn, rewriting every output."""
        from reviewflow.paths import whole_file

        files = [self.folder / name for name in kept.names()]
        if not all(f.is_file() for f in files):
            return False
        try:
            for source, out in zip(files, kept.outputs, strict=True):
                with whole_file(out) as tmp:
                    shutil.copyfile(source, tmp)
                os.utime(source)  # recently used: kept longest
        except OSError:
            return False
        return True

    def keep(self, kept: Kept) -> None:
        """Keep a copy of the job's freshly drawn outputs."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, out in zip(kept.names(), kept.outputs, strict=True):
                tmp = self.folder / f".{name}.{os.getpid()}.partial"
                shutil.copyfile(out, tmp)
                tmp.replace(self.folder / name)
        except OSError:
            return

    def run_marker(self, command: str, folder: Path) -> Path | None:
        """The file saying that a previous ``command`` on the review in ``folder``, with
        its files (names, sizes, modification times) as they are now and the same
        drawing code, left every figure it drew in the cache. A guess, never trusted
        for a figure: it only spares a run that will draw nothing from starting
        workers."""
        try:
            files = sorted((f.name, st.st_mtime_ns, st.st_size) for f in folder.iterdir()
                           if f.is_file() and (st := f.stat()))
        except OSError:
            return None
        digest = hashlib.sha256(_environment() + repr((command, files)).encode())
        return self.folder / f"run-{digest.hexdigest()}"

    def mark(self, marker: Path) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            return

    def prune(self, keep: int = MAX_FILES) -> None:
        """Drop the least recently used files beyond ``keep``, and partial copies a
        killed process left (older than an hour)."""
        try:
            files = [(f.stat().st_mtime, f) for f in self.folder.iterdir()]
            now = time.time()
            kept = sorted(((m, f) for m, f in files if not f.name.startswith(".")),
                          reverse=True)
            for _, f in kept[keep:]:
                f.unlink(missing_ok=True)
            for mtime, f in files:
                if f.name.startswith(".") and now - mtime > 3600:
                    f.unlink(missing_ok=True)
        except OSError:
            return


# stands for the output path in a key: the same figure, wherever it is written
_OUT = ("reviewflow.figure_cache", "output path")


def figure_cache() -> FigureCache | None:
    """The cache this process uses, or None (``$REVIEWFLOW_FIGURE_CACHE=off``)."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        return FigureCache(Path(chosen).expanduser())
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder to find: no cache
        return None
    return FigureCache(Path(base) / "reviewflow" / "figures")


@cache
def _environment() -> bytes:
    """What decides a figure's pixels besides its input: the drawing code and its setup."""
    digest = hashlib.sha256(f"reviewflow-figure-cache {_FORMAT}\n".encode())
    for name in ("matplotlib", "numpy", "pillow"):
        try:
            digest.update(f"{name} {version(name)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{name} absent\n".encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        digest.update(str(source.relative_to(_PACKAGE)).encode() + b"\0")
        digest.update(source.read_bytes())
    for rc in _matplotlib_files():
        digest.update(str(rc).encode() + b"\0")
        digest.update(rc.read_bytes() if rc.is_file() else b"-")
    for var in ("MPLCONFIGDIR", "MPLBACKEND"):
        digest.update(f"{var}={os.environ.get(var, '')}\n".encode())
    return digest.digest()


def _matplotlib_files() -> list[Path]:
    """A user's matplotlibrc (current folder, config folder) and the font list matplotlib
    keeps in its cache folder (a font installed and found changes it)."""
    try:
        home = Path.home()
    except RuntimeError:  # no home folder: only the current folder's matplotlibrc
        return [Path.cwd() / "matplotlibrc"]
    config = os.environ.get("MPLCONFIGDIR") or (
        Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "matplotlib")
    fonts = os.environ.get("MPLCONFIGDIR") or (
        Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib")
    return [Path.cwd() / "matplotlibrc", Path(config) / "matplotlibrc",
            *sorted(Path(fonts).glob("fontlist-*.json"))]
