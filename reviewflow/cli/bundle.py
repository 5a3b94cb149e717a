"""``import-bundle``: restore a review written by ``export bundle`` (here or elsewhere)."""

from __future__ import annotations

from pathlib import Path

import typer

from reviewflow.cli.common import fail, globals_of, working
from reviewflow.store.bundle import extract_files, open_bundle, restore_bundle
from reviewflow.store.location import CONFIG_NAME, ReviewConfig, load_config, sqlite_url


def import_bundle(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The bundle (from 'reviewflow export bundle')."),
    folder: Path = typer.Argument(None, help="New review folder (default: named after FILE)."),
) -> None:
    """Restore a bundle into a new review folder, on SQLite or (with --db) PostgreSQL.

    The database must be empty. Every table is re-read after loading and must
    match the bundle's row counts and checksums, else nothing is kept.
    """
    folder = (folder or Path(file.name.removesuffix(".zip"))).resolve()
    if (folder / CONFIG_NAME).exists():
        raise fail(f"{folder}: already a review folder; choose a new DIR")
    zf, manifest = open_bundle(file)
    with zf:
        db = globals_of(ctx).db
        url = db or sqlite_url(folder / "reviewflow.db")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with working("Restoring the bundle and checking every table"):
                counts = restore_bundle(zf, manifest, url)
        except BaseException:
            if db is None:
                for suffix in ("", "-wal", "-shm"):
                    (folder / f"reviewflow.db{suffix}").unlink(missing_ok=True)
            raise
        extract_files(zf, manifest, folder)
    _point_config_at(folder, db)
    total = sum(counts.values())
    typer.echo(f"Restored {total} rows in {len(counts)} tables into {folder} "
               f"(all counts and checksums match)")


def _point_config_at(folder: Path, db: str | None) -> None:
    """The restored toml must name the NEW database, not the one the bundle came from."""
    if (folder / CONFIG_NAME).exists():
        config = load_config(folder)
        config.extra.pop("database", None)
    else:
        config = ReviewConfig(folder=folder)
    config.db_url = db
    config.save()


def register(app: typer.Typer) -> None:
    app.command("import-bundle")(import_bundle)
