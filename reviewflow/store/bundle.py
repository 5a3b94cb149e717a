"""One portable file holding a whole review, and restoring it anywhere.

A bundle is a zip: ``manifest.json`` (bundle format, reviewflow version, schema
revision, per-table row counts and sha256), ``tables/<table>.jsonl`` (one JSON
object per row, ordered by primary key) and ``files/`` (``reviewflow.toml`` and
the ``forms/`` folder). JSON lines rather than a database file so a bundle moves
between SQLite and PostgreSQL and stays readable by people and other tools.

The table list comes from ``SQLModel.metadata``, so tables added later travel
without changes here. Values are written in one canonical form (timestamps as
naive UTC ISO text) and the checksum is taken over that form, which is how a
restore proves, table by table, that what arrived equals what left -- on
either backend.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table, TypeDecorator, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from reviewflow import __version__
from reviewflow.errors import ReviewflowError
from reviewflow.store import models  # noqa: F401  (registers the tables)
from reviewflow.store.db import Store
from reviewflow.store.location import CONFIG_NAME
from reviewflow.store.migrate import SCHEMA_HEAD, known_revisions

FORMAT = "reviewflow-bundle"
BUNDLE_VERSION = 1
FOLDERS = ("forms", "fulltext")  # review-folder subfolders that travel with the bundle
BATCH = 1000


@dataclass
class TableSummary:
    rows: int
    sha256: str


def tables() -> list[Table]:
    """Every table, parents before children (the order rows can be inserted in)."""
    return list(SQLModel.metadata.sorted_tables)


# -- canonical row form ---------------------------------------------------------
def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        col = table.c.get(name)
        if col is None:
            raise ReviewflowError(f"bundle table {table.name} has unknown column {name!r}")
        kind = col.type.impl if isinstance(col.type, TypeDecorator) else col.type
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
            if kind.timezone:  # written as naive UTC
                value = value.replace(tzinfo=UTC)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(kind, Boolean):
            value = bool(value)
        out[name] = value
    return out


def _lines(conn: Connection, table: Table) -> Iterator[bytes]:
    """The table's rows in canonical JSON lines, ordered by primary key."""
    order = list(table.primary_key.columns) or list(table.c)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        data = {k: _encode(v) for k, v in row.items()}
        yield (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode()


def summarize(conn: Connection) -> dict[str, TableSummary]:
    """Row count and checksum of every table, as a bundle records them."""
    out: dict[str, TableSummary] = {}
    for table in tables():
        digest, n = hashlib.sha256(), 0
        for line in _lines(conn, table):
            digest.update(line)
            n += 1
        out[table.name] = TableSummary(n, digest.hexdigest())
    return out


# -- writing --------------------------------------------------------------------
def write_bundle(store: Store, folder: Path | None, out: Path) -> dict[str, TableSummary]:
    """Write the review (one consistent snapshot) and its folder's settings to ``out``."""
    summary: dict[str, TableSummary] = {}
    tmp = out.with_name(out.name + ".partial")
    with _snapshot(store) as conn, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in tables():
            digest, n = hashlib.sha256(), 0
            with zf.open(f"tables/{table.name}.jsonl", "w") as fh:
                for line in _lines(conn, table):
                    fh.write(line)
                    digest.update(line)
                    n += 1
            summary[table.name] = TableSummary(n, digest.hexdigest())
        files = _add_files(zf, folder) if folder is not None else {}
        schema = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        manifest = {
            "format": FORMAT, "bundle_version": BUNDLE_VERSION, "reviewflow": __version__,
            "schema": schema, "created_at": _encode(datetime.now(UTC)) + "Z",
            "source": store.display_url, "files": files,
            "tables": {k: {"rows": v.rows, "sha256": v.sha256} for k, v in summary.items()},
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    tmp.replace(out)  # a bundle file is complete or absent, never half written
    return summary


class _snapshot:
    """A read connection seeing one instant of the store while others write."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> Connection:
        conn = self.store.engine.connect()
        if not self.store.is_sqlite:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        self.conn = conn
        conn.begin()
        return conn

    def __exit__(self, *exc: object) -> None:
        self.conn.rollback()
        self.conn.close()


def _add_files(zf: zipfile.ZipFile, folder: Path) -> dict[str, str]:
    paths = [folder / CONFIG_NAME] if (folder / CONFIG_NAME).is_file() else []
    for sub in FOLDERS:
        if (folder / sub).is_dir():
            paths += sorted(p for p in (folder / sub).rglob("*") if p.is_file())
    files: dict[str, str] = {}
    for path in paths:
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        zf.writestr(f"files/{rel}", data)
        files[rel] = hashlib.sha256(data).hexdigest()
    return files


# -- reading --------------------------------------------------------------------
def read_manifest(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """The manifest, after refusing what this reviewflow cannot restore faithfully."""
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise ReviewflowError(f"{name}: not a reviewflow bundle (no readable manifest)") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ReviewflowError(f"{name}: not a reviewflow bundle")
    if not isinstance(manifest.get("bundle_version"), int) or (
        manifest["bundle_version"] > BUNDLE_VERSION
    ):
        raise ReviewflowError(f"{name}: bundle format {manifest.get('bundle_version')!r} is "
                              f"newer than this reviewflow {__version__} reads; please upgrade")
    schema = manifest.get("schema")
    if schema not in known_revisions():
        raise ReviewflowError(
            f"{name}: written by a newer reviewflow ({manifest.get('reviewflow')}, schema "
            f"{schema}); this is reviewflow {__version__} (schema {SCHEMA_HEAD}); please upgrade")
    if not isinstance(manifest.get("tables"), dict):
        raise ReviewflowError(f"{name}: bundle manifest lists no tables")
    return manifest


def open_bundle(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise ReviewflowError(f"{path}: no such file") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReviewflowError(f"{path}: not a reviewflow bundle ({exc})") from exc
    try:
        manifest = read_manifest(zf, str(path))
        _verify_files(zf, manifest, str(path))
    except BaseException:
        zf.close()
        raise
    return zf, manifest


def _verify_files(zf: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> None:
    """Every table file must match its recorded count and checksum before any write."""
    known = {t.name for t in tables()}
    for table, facts in manifest["tables"].items():
        if table not in known:
            raise ReviewflowError(f"{name}: bundle has table {table!r} this schema lacks")
        digest, n = hashlib.sha256(), 0
        try:
            with zf.open(f"tables/{table}.jsonl") as fh:
                for line in fh:
                    digest.update(line)
                    n += 1
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise ReviewflowError(f"{name}: table {table} is missing or damaged") from exc
        if n != facts.get("rows") or digest.hexdigest() != facts.get("sha256"):
            raise ReviewflowError(f"{name}: table {table} does not match its checksum "
                                  "(bundle damaged); nothing was restored")


def restore_bundle(zf: zipfile.ZipFile, manifest: dict[str, Any], url: str) -> dict[str, int]:
    """Load the bundle into an EMPTY database at ``url``, all in one transaction.

    Ids are kept as they were, so references inside and outside the review
    (notes, exported spreadsheets) still point at the same records.
    """
    store = Store(url)
    try:
        if inspect(store.engine).get_table_names():
            raise ReviewflowError(f"{store.display_url}: not empty; restore into a new database")
        with store.write_engine.begin() as conn:
            _create_schema(conn, manifest["schema"])
            counts = _insert_all(conn, zf, manifest)
            if not store.is_sqlite:
                _reset_sequences(conn)
            _check_arrived(conn, manifest)
            if manifest["schema"] != SCHEMA_HEAD:
                _create_schema(conn, SCHEMA_HEAD)
        return counts
    finally:
        store.dispose()


def _create_schema(conn: Connection, revision: str) -> None:
    from alembic import command

    from reviewflow.store.migrate import _config

    cfg = _config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def _insert_all(conn: Connection, zf: zipfile.ZipFile, manifest: dict[str, Any]
                ) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables():
        if table.name not in manifest["tables"]:
            counts[table.name] = 0  # a table newer than the bundle: starts empty
            continue
        batch: list[dict[str, Any]] = []
        n = 0
        with zf.open(f"tables/{table.name}.jsonl") as fh:
            for line in fh:
                batch.append(_decode(table, json.loads(line)))
                if len(batch) >= BATCH:
                    conn.execute(table.insert(), batch)
                    n += len(batch)
                    batch = []
        if batch:
            conn.execute(table.insert(), batch)
            n += len(batch)
        counts[table.name] = n
    return counts


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: after inserting explicit ids, new rows must continue after them."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                           {"t": table.name, "c": pk[0].name}).scalar()
        if seq:
            top = conn.execute(select(func.max(pk[0]))).scalar()
            conn.execute(text("SELECT setval(:s, :v, :called)"),
                         {"s": seq, "v": top or 1, "called": top is not None})


def _check_arrived(conn: Connection, manifest: dict[str, Any]) -> None:
    """Re-read every table from the target: counts and checksums must equal the bundle's."""
    arrived = summarize(conn)
    for name, facts in manifest["tables"].items():
        got = arrived[name]
        if got.rows != facts["rows"] or got.sha256 != facts["sha256"]:
            raise ReviewflowError(
                f"table {name}: {got.rows} rows arrived of {facts['rows']} "
                "or their content differs; the restore was rolled back")


def extract_files(zf: zipfile.ZipFile, manifest: dict[str, Any], folder: Path) -> list[str]:
    """Write the bundle's review-folder files (toml, forms) under ``folder``."""
    written: list[str] = []
    for rel, sha in manifest.get("files", {}).items():
        target = (folder / rel).resolve()
        if folder.resolve() not in target.parents:
            raise ReviewflowError(f"bundle file {rel!r} points outside the review folder")
        data = zf.read(f"files/{rel}")
        if hashlib.sha256(data).hexdigest() != sha:
            raise ReviewflowError(f"bundle file {rel} does not match its checksum")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(rel)
    return written
