"""One portable file holding a whole review, and restoring it anywhere.

A bundle is a zip: ``manifest.json`` (bundle format, reviewflow version, schema
revision, per-table row counts and sha256), ``tables/<table>.jsonl`` (one JSON
object per row, ordered by primary key) and ``files/`` (``reviewflow.toml`` and
every file the review folder needs: ``analyses.toml``, ``extraction_form.toml``
and the ``forms/`` folder). JSON lines rather than a database file so a bundle moves
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
import os
import tomllib
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import tomli_w
from sqlalchemy import Boolean, Date, DateTime, Table, TypeDecorator, func, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from sqlmodel import SQLModel

from reviewflow import __version__
from reviewflow.errors import ReviewflowError
from reviewflow.store import models  # noqa: F401  (registers the tables)
from reviewflow.store.db import Store
from reviewflow.store.location import CONFIG_NAME
from reviewflow.store.migrate import SCHEMA_HEAD, known_revisions
from reviewflow.store.secrets import mask_text

FORMAT = "reviewflow-bundle"
BUNDLE_VERSION = 1
# The review-folder files that travel with a bundle, and the only ones a restore
# writes: a bundle naming anything else (the database, a path outside the
# folder) is refused before anything is written. reviewflow.toml travels
# without its [database] table (the source's server is not the target's).
FILES = (CONFIG_NAME, "analyses.toml", "extraction_form.toml")
FOLDERS = ("forms", "fulltext")  # review-folder subfolders that travel (PDF copies too)
BATCH = 1000
# What reading a damaged or hostile zip member can raise (bad header, bad deflate
# stream, truncated member, unsupported compression, encryption).
ZIP_ERRORS = (KeyError, zipfile.BadZipFile, OSError, zlib.error, EOFError,
              NotImplementedError, RuntimeError)


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
def write_bundle(store: Store, folder: Path | None, out: Path,
                 carry: Mapping[str, Path] | None = None) -> dict[str, TableSummary]:
    """Write the review (one consistent snapshot) and its folder's settings to ``out``.

    ``carry`` adds files kept elsewhere under their review-folder path (the PDFs
    of a shared or linked full-text folder, as ``fulltext/<sha path>``), so the
    restored review holds every one in its own folder.
    """
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
        files = _add_files(zf, folder, carry or {}) if folder is not None else {}
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


def _add_files(zf: zipfile.ZipFile, folder: Path, carry: Mapping[str, Path]) -> dict[str, str]:
    paths = [folder / name for name in FILES if (folder / name).is_file()]
    for sub in FOLDERS:
        if (folder / sub).is_dir():
            paths += sorted(p for p in (folder / sub).rglob("*") if p.is_file())
    named = [(path.relative_to(folder).as_posix(), path) for path in paths]
    seen = {rel for rel, _ in named}
    named += [(rel, path) for rel, path in sorted(carry.items())
              if rel not in seen and carried_file(rel)]
    files: dict[str, str] = {}
    for rel, path in named:
        data = path.read_bytes()
        if rel == CONFIG_NAME:
            data = _portable_config(data)
        zf.writestr(f"files/{rel}", data)
        files[rel] = hashlib.sha256(data).hexdigest()
    return files


def _portable_config(data: bytes) -> bytes:
    """reviewflow.toml without ``[database]`` (no server address or secret leaves) and
    without ``[fulltext] folder`` (a shared drive's path means nothing elsewhere; the
    bundle carries the PDFs into the review's own ``fulltext/``)."""
    try:
        config = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return data  # unreadable: the review could not have opened; carried as it is
    config.pop("database", None)
    fulltext = config.get("fulltext")
    if isinstance(fulltext, dict):  # every PDF travels in the bundle's own fulltext/
        fulltext.pop("folder", None)
        if not fulltext:
            config.pop("fulltext")
    return tomli_w.dumps(config).encode("utf-8")


# -- reading --------------------------------------------------------------------
def read_manifest(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """The manifest, after refusing what this reviewflow cannot restore faithfully."""
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (*ZIP_ERRORS, ValueError) as exc:
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
    for table, facts in manifest["tables"].items():
        if not (isinstance(facts, dict) and isinstance(facts.get("rows"), int)
                and isinstance(facts.get("sha256"), str)):
            raise ReviewflowError(f"{name}: bundle manifest, table {table!r}: needs rows "
                                  "(a number) and sha256 (text)")
    files = manifest.setdefault("files", {})
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise ReviewflowError(f"{name}: bundle manifest, files: must map names to checksums")
    for rel in files:
        if not carried_file(rel):
            raise ReviewflowError(f"{name}: bundle file {rel!r} is not one a review folder "
                                  "holds (only reviewflow.toml, analyses.toml, "
                                  "extraction_form.toml and forms/); nothing was restored")
    return manifest


def carried_file(rel: str) -> bool:
    """Whether ``rel`` is a review-folder file a bundle may restore (never the database)."""
    if rel in FILES:
        return True
    parts = rel.split("/")
    return (len(parts) >= 2 and parts[0] in FOLDERS
            and all(p not in ("", ".", "..") and "\\" not in p and "\0" not in p
                    and ":" not in p for p in parts))


def open_bundle(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise ReviewflowError(f"{path}: no such file") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReviewflowError(f"{path}: not a reviewflow bundle ({exc})") from exc
    try:
        manifest = read_manifest(zf, str(path))
        _verify_tables(zf, manifest, str(path))
        _verify_files(zf, manifest, str(path))
    except BaseException:
        zf.close()
        raise
    return zf, manifest


def _verify_files(zf: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> None:
    """Every folder file must match its checksum before any write (not after the restore)."""
    for rel, sha in manifest["files"].items():
        try:
            data = zf.read(f"files/{rel}")
        except ZIP_ERRORS as exc:
            raise ReviewflowError(f"{name}: bundle file {rel} is missing or damaged") from exc
        if hashlib.sha256(data).hexdigest() != sha:
            raise ReviewflowError(f"{name}: bundle file {rel} does not match its checksum "
                                  "(bundle damaged); nothing was restored")


def _verify_tables(zf: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> None:
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
        except ZIP_ERRORS as exc:
            raise ReviewflowError(f"{name}: table {table} is missing or damaged") from exc
        if n != facts.get("rows") or digest.hexdigest() != facts.get("sha256"):
            raise ReviewflowError(f"{name}: table {table} does not match its checksum "
                                  "(bundle damaged); nothing was restored")


def restore_bundle(zf: zipfile.ZipFile, manifest: dict[str, Any], url: str,
                   name: str = "bundle") -> dict[str, int]:
    """Load the bundle into an EMPTY database at ``url``, all in one transaction.

    Ids are kept as they were, so references inside and outside the review
    (notes, exported spreadsheets) still point at the same records.
    """
    store = Store(url)
    try:
        if inspect(store.engine).get_table_names():
            done = _already_restored(store, manifest)
            if done is not None:
                return done  # a re-run after the folder's files were interrupted
            raise ReviewflowError(f"{store.display_url}: not empty; restore into a new database")
        try:
            with store.write_engine.begin() as conn:
                _create_schema(conn, manifest["schema"])
                counts = _insert_all(conn, zf, manifest)
                if not store.is_sqlite:
                    _reset_sequences(conn)
                _check_arrived(conn, manifest)
                if manifest["schema"] != SCHEMA_HEAD:
                    _create_schema(conn, SCHEMA_HEAD)
        except (ValueError, TypeError, AttributeError, IntegrityError, DataError,
                StatementError) as exc:
            # checksums match but the rows do not fit the schema: a hand-made bundle
            first = mask_text(str(getattr(exc, "orig", None) or exc)).strip().splitlines()
            raise ReviewflowError(f"{name}: rows do not fit the schema "
                                  f"({first[0] if first else exc}); nothing was restored"
                                  ) from None
        return counts
    finally:
        store.dispose()


def _already_restored(store: Store, manifest: dict[str, Any]) -> dict[str, int] | None:
    """The counts when the database holds exactly this bundle (an earlier, cut-off run)."""
    if manifest["schema"] != SCHEMA_HEAD:
        return None
    try:
        with store.engine.connect() as conn:
            arrived = summarize(conn)
    except Exception:  # another schema, another program: simply not this bundle
        return None
    for name, facts in manifest["tables"].items():
        got = arrived.get(name)
        if got is None or (got.rows, got.sha256) != (facts["rows"], facts["sha256"]):
            return None
    return {name: got.rows for name, got in arrived.items()}


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
    """Write the bundle's review-folder files (forms, analyses) under ``folder``.

    ``reviewflow.toml`` is not written here: the caller writes it last, naming
    the new database, so a folder holding it is a complete review. Each file is
    written whole (temporary name, then rename), and only names that
    :func:`read_manifest` accepted reach here; the resolved-path check below is
    a second fence against a symlinked subfolder.
    """
    written: list[str] = []
    root = folder.resolve()
    for rel in manifest.get("files", {}):
        if rel == CONFIG_NAME:
            continue
        target = folder / rel
        if not carried_file(rel) or root not in target.resolve().parents:
            raise ReviewflowError(f"bundle file {rel!r} points outside the review folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_whole(target, zf.read(f"files/{rel}"))
        written.append(rel)
    return written


def bundled_config(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> bytes | None:
    """The bundle's reviewflow.toml, if it carries one (verified by :func:`open_bundle`)."""
    if CONFIG_NAME not in manifest.get("files", {}):
        return None
    return zf.read(f"files/{CONFIG_NAME}")


def _write_whole(target: Path, data: bytes) -> None:
    tmp = target.with_name(target.name + ".partial")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)
