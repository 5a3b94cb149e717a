"""Commands loaded on first use, so ``reviewflow X`` imports only what X needs.

Importing every ``reviewflow/cli/<area>.py`` to build the command tree took most of
a second (SQLAlchemy, SQLModel, the store's tables, domain modules) before any
command ran, ``--help`` and ``--version`` included. Instead the top-level group
reads a generated index (:mod:`reviewflow.cli._index`: each command's name, the
modules that register it, its one-line help and panel) and imports a command's
modules only when that command runs or shows its own help.

The index is generated (``python -m reviewflow.cli._lazy``), never edited by hand,
and ``tests/cli/test_cli_startup.py`` fails, naming the entry, when it is stale.
An area module the index does not know yet (a new ``cli/<area>.py``) still works:
it is imported and registered the old way, at a cost in start time, so a command
is never missing from ``--help`` or the command line.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import typer
import typer._click as click
from typer.core import TyperCommand
from typer.main import get_command

PACKAGE = "reviewflow.cli"
NOT_AREAS = frozenset({"main", "common"})  # and every name starting with "_"


@dataclass(frozen=True)
class IndexEntry:
    """One top-level command: what ``--help`` shows and which modules make it."""

    name: str
    modules: tuple[str, ...]  # area modules (short names) whose register() builds it
    help: str
    hidden: bool = False


def area_modules() -> list[str]:
    """Every ``reviewflow/cli/<area>.py`` that may register commands (a directory listing)."""
    package = importlib.import_module(PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__)
                  if m.name not in NOT_AREAS and not m.name.startswith("_"))


def _noop() -> None:
    """A callback so a one-command area still converts to a group (Typer's rule)."""


def load_areas(modules: Iterable[str]) -> dict[str, click.Command]:
    """Import ``modules``, register them on a scratch Typer app, return its commands."""
    scratch = typer.Typer()
    scratch.callback()(_noop)
    for name in modules:
        module = importlib.import_module(f"{PACKAGE}.{name}")
        register: Callable[[typer.Typer], None] | None = getattr(module, "register", None)
        if register is not None:
            register(scratch)
    group = get_command(scratch)
    return dict(getattr(group, "commands", {}))


class LazyCommands:
    """The top-level commands: stubs from the index for listing, real ones on demand."""

    def __init__(self, index: dict[str, IndexEntry]) -> None:
        self.index = index
        self.loaded: dict[str, click.Command] = {}
        self._done_modules: set[str] = set()

    def _load(self, modules: Iterable[str]) -> None:
        todo = [m for m in modules if m not in self._done_modules]
        if todo:
            self._done_modules.update(todo)
            self.loaded.update(load_areas(todo))

    def unindexed_modules(self) -> list[str]:
        known = {m for entry in self.index.values() for m in entry.modules}
        return [m for m in area_modules() if m not in known]

    def names(self) -> list[str]:
        self._load(self.unindexed_modules())  # a new area: listed, at a cost in start time
        return list(dict.fromkeys([*self.index, *self.loaded]))

    def command(self, name: str) -> click.Command | None:
        """The real command, its modules imported now."""
        if name not in self.loaded:
            entry = self.index.get(name)
            self._load(entry.modules if entry else self.unindexed_modules())
        return self.loaded.get(name)

    def stub(self, name: str) -> click.Command | None:
        """What ``--help`` lists: the real command when loaded, else a stub from the index."""
        if name in self.loaded or name not in self.index:
            return self.command(name)
        entry = self.index[name]
        return TyperCommand(name, help=entry.help, hidden=entry.hidden)


# -- building the index (python -m reviewflow.cli._lazy) ------------------------------


class _Recorder:
    """Which area module's functions end up under which Typer app, while registering."""

    def __init__(self) -> None:
        self.owner: dict[int, set[str]] = {}  # id(Typer) -> modules registering on it
        self.children: dict[int, list[typer.Typer]] = {}
        self.current = ""

    def __enter__(self) -> _Recorder:
        recorder = self
        self._command, self._add_typer = typer.Typer.command, typer.Typer.add_typer

        def command(app: typer.Typer, *args: Any, **kwargs: Any) -> Any:
            decorate = recorder._command(app, *args, **kwargs)

            def wrapped(fn: Any) -> Any:
                module = getattr(fn, "__module__", "") or ""
                short = module.rpartition(".")[2] if module.startswith(PACKAGE) else ""
                recorder.owner.setdefault(id(app), set()).add(short or recorder.current)
                return decorate(fn)

            return wrapped

        def add_typer(app: typer.Typer, sub: typer.Typer, *args: Any, **kwargs: Any) -> Any:
            caller = sys._getframe(1).f_globals.get("__name__", "")
            short = caller.rpartition(".")[2] if caller.startswith(PACKAGE) else ""
            recorder.owner.setdefault(id(app), set()).add(short or recorder.current)
            recorder.children.setdefault(id(app), []).append(sub)
            return recorder._add_typer(app, sub, *args, **kwargs)

        typer.Typer.command = command  # type: ignore[method-assign]
        typer.Typer.add_typer = add_typer  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        typer.Typer.command = self._command  # type: ignore[method-assign]
        typer.Typer.add_typer = self._add_typer  # type: ignore[method-assign]

    def modules_under(self, app: typer.Typer) -> set[str]:
        found = set(self.owner.get(id(app), set()))
        for sub in self.children.get(id(app), []):
            found |= self.modules_under(sub)
        return found


def build_index() -> dict[str, IndexEntry]:
    """Register every area on its own app (run in a fresh process) and describe each command.

    A group's modules are known only once every area has registered (cli/importing.py
    adds ``records`` to the ``export`` group of cli/export.py), hence two passes.
    """
    apps: list[tuple[str, typer.Typer]] = []
    with _Recorder() as rec:
        for area in area_modules():
            rec.current = area
            module = importlib.import_module(f"{PACKAGE}.{area}")
            if hasattr(module, "register"):
                app = typer.Typer()
                app.callback()(_noop)
                module.register(app)
                apps.append((area, app))
        entries: dict[str, IndexEntry] = {}
        for area, app in apps:
            for name, cmd in dict(getattr(get_command(app), "commands", {})).items():
                needs = {area}
                for info in app.registered_groups:
                    if info.name == name and info.typer_instance is not None:
                        needs |= rec.modules_under(info.typer_instance)
                entries[name] = IndexEntry(name, tuple(sorted(needs - {""})),
                                           cmd.short_help or cmd.help or "", bool(cmd.hidden))
    return dict(sorted(entries.items()))


def index_source(entries: dict[str, IndexEntry]) -> str:
    lines = ['"""Generated by ``python -m reviewflow.cli._lazy``: do not edit (see _lazy.py)."""',
             "", "# ruff: noqa: E501", "", "from reviewflow.cli._lazy import IndexEntry", "",
             "INDEX = {"]
    for e in entries.values():
        lines.append(f"    {e.name!r}: IndexEntry(")
        lines.append(f"        {e.name!r}, {e.modules!r},")
        lines.append(f"        {e.help!r},")
        lines.append(f"        hidden={e.hidden!r}),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    from pathlib import Path

    path = Path(__file__).with_name("_index.py")
    path.write_text(index_source(build_index()), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
