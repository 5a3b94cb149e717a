"""Store one parsed search export inside the caller's write transaction, with provenance
for every record.

Why one transaction: a record that is silently missing is a study that may
never be screened, so an import is all or nothing. The file is parsed
completely *before* the transaction starts (an unreadable file never touches
the store), and every row of the import is written inside the caller's
``Store.write()``, which rolls back on any error, including one raised by the
progress callback (``reviewflow import a.ris b.ris`` stores both files or neither).

Why the sha256: importing the same export twice must change nothing. The hash
is checked before parsing (fast path, nothing to do) and again inside the write
transaction (which is ``BEGIN IMMEDIATE`` on SQLite), and the column is unique,
so two concurrent imports of one file cannot both land.

Rows go through the write seam (:class:`~reviewflow.store.writer.Writer`): on a
SQLite review ``reviewflow import`` writes through sqlite3 without loading the ORM,
elsewhere through the session's connection; either way the records are written in
batches by :meth:`~reviewflow.store.writer.Writer.insert_many` (one ``executemany``,
ids taken first), so record ids line up with file positions. This is what keeps
100,000 records inside the 30 s target.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.errors import InputError, ReviewflowError
from reviewflow.importers import read_bytes
from reviewflow.importers.base import gc_paused
from reviewflow.records import ImportWarning, ParseResult, Record
from reviewflow.store.audit import stored_at
from reviewflow.store.reader import Reader
from reviewflow.store.searches import UNKNOWN_DATABASE, check_origin, guess_origin
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the session wrappers' callers hold one; the seam never imports it
    from sqlmodel import Session

BATCH = 2000
Progress = Callable[[int, int], None]  # (records stored so far, total)


@dataclass(frozen=True)
class ImportOutcome:
    """What one ``import_file`` did, for the CLI summary and for tests."""

    file_name: str
    sha256: str
    import_id: int
    format: str
    encoding: str
    database: str
    read: int
    stored: int
    warnings: list[ImportWarning] = field(default_factory=list)
    already_imported: bool = False
    imported_at: datetime | None = None


@dataclass(frozen=True)
class PreparedImport:
    """A file read and parsed, ready to be written (nothing stored yet)."""

    path: Path
    sha256: str
    result: ParseResult


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare(
    path: str | Path, *, format: str | None = None, mapping: dict[str, str] | None = None
) -> PreparedImport:
    """Read and parse a file; raises :class:`InputError` for unreadable input."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read file ({exc.strerror or exc})") from None
    result = read_bytes(data, name=str(path), format=format, mapping=mapping)
    return PreparedImport(path, sha256_of(data), result)


def find_import(reader: Reader, path: Path, sha256: str) -> ImportOutcome | None:
    """The earlier import of a file with this hash, as an "already imported" outcome."""
    found = reader.rows('SELECT id, file_sha256, format, encoding, "database", imported_at '
                        "FROM search_import WHERE file_sha256 = ?", (sha256,))
    if not found:
        return None
    import_id, sha, fmt, encoding, database, at = found[0]
    return ImportOutcome(file_name=path.name, sha256=sha, import_id=int(import_id),
                         format=fmt, encoding=encoding, database=database, read=0, stored=0,
                         already_imported=True,
                         imported_at=None if at is None else stored_at(at))


def import_file(
    *,
    session: Session,
    path: str | Path,
    database: str | None = None,
    searched_on: date | None = None,
    query: str | None = None,
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
    origin: str | None = None,
) -> ImportOutcome:
    """Parse ``path`` and store it as one import (or nothing if already imported), in the
    caller's transaction. A command that may wait on other writers parses first
    (:func:`prepare`) and opens the transaction only for :func:`store_prepared`."""
    path = Path(path)
    try:
        sha = sha256_of(path.read_bytes())
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read file ({exc.strerror or exc})") from None
    earlier = find_import(session_writer(session).reader, path, sha)
    if earlier is not None:
        return earlier
    prepared = prepare(path, format=format, mapping=mapping)
    return store_prepared(
        session=session,
        prepared=prepared,
        database=database,
        searched_on=searched_on,
        query=query,
        progress=progress,
        origin=origin,
    )


def store_prepared(
    *,
    session: Session,
    prepared: PreparedImport,
    database: str | None = None,
    searched_on: date | None = None,
    query: str | None = None,
    progress: Progress | None = None,
    origin: str | None = None,
) -> ImportOutcome:
    """:func:`write_prepared` in a session (the demo, tests), on its connection."""
    return write_prepared(writer=session_writer(session), prepared=prepared,
                          database=database, searched_on=searched_on, query=query,
                          progress=progress, origin=origin)


def write_prepared(
    *,
    writer: Writer,
    prepared: PreparedImport,
    database: str | None = None,
    searched_on: date | None = None,
    query: str | None = None,
    progress: Progress | None = None,
    origin: str | None = None,
) -> ImportOutcome:
    """Write a parsed file in the caller's transaction; a same-hash import makes it a no-op.

    ``origin`` is the PRISMA source kind (database, register, other); by default
    a trial register's name makes it ``register``. When another writer stores the
    same file first (PostgreSQL: its transaction ran beside ours), the unique sha256
    makes our import row a no-op and the file is reported as already imported, with
    nothing of it written.
    """
    result = prepared.result
    name = (database or result.database or UNKNOWN_DATABASE)[:200]
    kind = check_origin(origin) if origin is not None else guess_origin(name)
    earlier = find_import(writer.reader, prepared.path, prepared.sha256)
    if earlier is not None:
        return earlier
    imported_at = datetime.now(UTC)
    import_id = writer.insert_new(
        "search_import", "file_sha256",
        database=name,
        origin=kind,
        file_name=prepared.path.name,
        file_sha256=prepared.sha256,
        format=result.format,
        encoding=result.encoding,
        searched_on=searched_on,
        query=query,
        record_count=len(result.records),
        warning_count=len(result.warnings),
        imported_at=imported_at,
    )
    if import_id is None:  # stored by another writer since the check above
        earlier = find_import(writer.reader, prepared.path, prepared.sha256)
        if earlier is None:  # pragma: no cover - the unique index refused it: it exists
            raise ReviewflowError(f"{prepared.path}: the store refused its import row")
        return earlier
    with gc_paused():  # see gc_paused: the parsed records are millions of objects
        insert_records(writer, import_id, result.records, progress)
    return ImportOutcome(
        file_name=prepared.path.name,
        sha256=prepared.sha256,
        import_id=import_id,
        format=result.format,
        encoding=result.encoding,
        database=name,
        read=len(result.records),
        stored=len(result.records),
        warnings=list(result.warnings),
        imported_at=imported_at,
    )


def insert_records(
    writer: Writer, import_id: int, records: Sequence[Record], progress: Progress | None
) -> None:
    """The records of one import and their provenance, in batches, in the caller's
    transaction (``revman import`` stores a review's studies through it too)."""
    total = len(records)
    if progress:
        progress(0, total)
    for begin in range(0, total, BATCH):
        batch = records[begin : begin + BATCH]
        ids = writer.insert_many("record", RECORD_COLUMNS, [_record_values(r) for r in batch])
        writer.insert_many(
            "record_provenance", PROVENANCE_COLUMNS,
            [(rid, import_id, r.position, r.line) for rid, r in zip(ids, batch, strict=True)])
        if progress:
            progress(begin + len(batch), total)


RECORD_COLUMNS = (
    "title",
    "abstract",
    "authors_json",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "language",
    "keywords_json",
    "publication_type",
    "url",
    "issn",
    "accession",
    "translated_title",
    "raw_json",
)  # created_at: the writer's one time for the batch
PROVENANCE_COLUMNS = ("record_id", "import_id", "position", "line")


def _record_values(record: Record) -> tuple:
    """One row in :data:`RECORD_COLUMNS` order."""
    dumps = json.dumps
    return (
        record.title,
        record.abstract,
        dumps(record.authors, ensure_ascii=False),
        record.year,
        record.journal,
        _cut(record.volume, 100),
        _cut(record.issue, 100),
        _cut(record.pages, 100),
        _cut(record.doi, 300),
        _cut(record.pmid, 20),
        _cut(record.language, 100),
        dumps(record.keywords, ensure_ascii=False),
        record.publication_type,
        record.url,
        _cut(record.issn, 100),
        _cut(record.accession, 200),
        record.translated_title,
        dumps(record.raw, ensure_ascii=False),
    )


def _cut(value: str | None, limit: int) -> str | None:
    """Bounded columns (PostgreSQL enforces VARCHAR length); raw_json keeps the full value."""
    return value[:limit] if value is not None and len(value) > limit else value
