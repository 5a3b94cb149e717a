"""``import-bundle``: restore a review written by ``export bundle`` (here or elsewhere).

A folder holding ``reviewflow.toml`` is a review, so that file is written last:
until then an interrupted or failed restore has made no review, and running
the same command again finishes the job (a database that already holds exactly
this bundle, from a run cut off later, is recognised by its checksums). A
restore that fails removes what it wrote: the database file and, when it
created it, the folder.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

import tomli_w
import typer

from reviewflow.cli.common import fail, globals_of, working
from reviewflow.errors import ReviewflowError
from reviewflow.store.location import (
    CONFIG_NAME,
    DB_NAME,
    DB_SIDE_SUFFIXES,
    check_config,
    sqlite_url,
)
from reviewflow.store.secrets import strip_secret
from reviewflow.wording import plural


def import_bundle(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The bundle (from 'reviewflow export bundle')."),
    folder: Path = typer.Argument(None, help="New review folder (default: named after FILE)."),
) -> None:
    """Restore a bundle into a new review folder, on SQLite or (with --db) PostgreSQL.

    The database must be empty. Every table and file is checked against the
    bundle's counts and checksums before anything is written, and every table
    is re-read after loading, else nothing is kept.
    """
    folder = (folder or Path(file.name.removesuffix(".zip"))).resolve()
    if (folder / CONFIG_NAME).exists():
        raise fail(f"{folder}: already a review folder; choose a new DIR")
    from reviewflow.store.bundle import bundled_config, extract_files, open_bundle, restore_bundle

    zf, manifest = open_bundle(file)  # refuses a damaged or hostile bundle: nothing written
    db = globals_of(ctx).db
    created = not folder.exists()
    with zf:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            url = db or sqlite_url(folder / DB_NAME)
            with working("Restoring the bundle and checking every table"):
                counts = restore_bundle(zf, manifest, url, str(file))
            extract_files(zf, manifest, folder)
            _write_config(folder, bundled_config(zf, manifest), db, file)
        except BaseException:
            _clean_up(folder, created, sqlite=db is None)
            raise
    total = sum(counts.values())
    typer.echo(f"Restored {plural(total, 'row')} in {plural(len(counts), 'table')} into {folder} "
               f"(all counts and checksums match)")


def _write_config(folder: Path, data: bytes | None, db: str | None, bundle: Path) -> None:
    """The restored toml names the NEW database (never the source's, never a password)."""
    config: dict = {}
    if data is not None:
        try:
            config = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ReviewflowError(f"{bundle}: its {CONFIG_NAME} is not valid TOML ({exc}); "
                                  "nothing was restored") from None
    config.pop("database", None)
    check_config(config, f"{bundle}: {CONFIG_NAME}")  # refused now, not at the next command
    config.setdefault("review", {}).setdefault("title", "Untitled review")
    if db:
        config["database"] = {"url": strip_secret(db)}
    target = folder / CONFIG_NAME
    tmp = target.with_name(target.name + ".partial")
    tmp.write_text(tomli_w.dumps(config), encoding="utf-8")
    tmp.replace(target)  # the commit point: from here on the folder is a review


def _clean_up(folder: Path, created: bool, *, sqlite: bool) -> None:
    """Leave the folder as it was: no database file, no half review, no new empty folder."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for name in os.listdir(folder) if folder.is_dir() else ():
        if name.endswith(".partial"):
            (folder / name).unlink(missing_ok=True)
    if sqlite:
        for suffix in ("", *DB_SIDE_SUFFIXES):
            (folder / f"{DB_NAME}{suffix}").unlink(missing_ok=True)


def register(app: typer.Typer) -> None:
    app.command("import-bundle")(import_bundle)
