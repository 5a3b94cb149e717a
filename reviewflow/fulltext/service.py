"""Writing full-text facts: storing PDFs, attaching, removing, matching a folder.

Every writer takes the caller's :class:`~reviewflow.store.writer.Writer` (one user
action, one transaction; ``fulltext`` commands write a SQLite store through sqlite3,
without the ORM); the session-taking names are thin wrappers for the TUI.
Reading PDFs is slow, so callers read them (:func:`read_pdfs`) before they open the
transaction that records the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.pdftext import FIRST_PAGES, PdfText, read_pdf
from reviewflow.fulltext.state import (
    Action,
    Status,
    file_owners,
    read_fulltext_states,
    read_rejected_pairs,
)
from reviewflow.fulltext.storage import Mode, bundle_copies, fulltext_folder, keep
from reviewflow.store.dedup_state import read_active_record_ids, require_active_record
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer

if TYPE_CHECKING:  # the session wrappers' types (the write seam never loads the ORM);
    # matching (rapidfuzz) loads when a folder is matched, not for every full-text write
    from sqlmodel import Session

    from reviewflow.fulltext.matching import Match, RecordKey
    from reviewflow.store import models


@dataclass(frozen=True)
class ReadPdf:
    path: Path
    text: PdfText


@dataclass(frozen=True)
class Skipped:
    path: Path
    problem: str


@dataclass(frozen=True)
class AttachOutcome:
    """What ``fulltext attach`` did with each PDF."""

    attached: tuple[tuple[Path, int, str], ...]  # path, record, evidence
    doubtful: tuple[tuple[Path, Match], ...]
    unmatched: tuple[Path, ...]
    already: tuple[tuple[Path, int], ...]  # stored before and attached to this record
    skipped: tuple[Skipped, ...]


def find_pdfs(folder: Path) -> list[Path]:
    """PDFs under ``folder``, recursively (Zotero storage/, EndNote .Data/PDF/)."""
    if not folder.is_dir():
        raise ReviewflowError(f"{folder}: not a folder")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())


def read_pdfs(paths: Iterable[Path], progress: Callable[[int], None] | None = None
              ) -> tuple[list[ReadPdf], list[Skipped]]:
    """Read each PDF once; the same content found twice is kept once."""
    read: dict[str, ReadPdf] = {}
    skipped: list[Skipped] = []
    for n, path in enumerate(paths, 1):
        try:
            text = read_pdf(path)
        except ReviewflowError as exc:
            skipped.append(Skipped(path, str(exc)))
        else:
            read.setdefault(text.sha256, ReadPdf(path, text))
        if progress:
            progress(n)
    return list(read.values()), skipped


def read_record_keys(reader: Reader, ids: Iterable[int] | None = None) -> list[RecordKey]:
    """What matching compares a PDF with, for the active records (or those given)."""
    from reviewflow.fulltext.matching import RecordKey

    wanted = set(read_active_record_ids(reader) if ids is None else ids)
    out = []
    for rid, title, translated, doi, pmid, authors_json, year in reader.rows(
            "SELECT id, title, translated_title, doi, pmid, authors_json, year FROM record"):
        if rid in wanted:
            authors = json.loads(authors_json or "[]")
            out.append(RecordKey(rid, title, translated, doi, pmid,
                                 authors[0] if authors else None, year))
    return out


def write_file(pdf: ReadPdf, *, writer: Writer, folder: Path, mode: Mode, by: str) -> int:
    """The id of the stored file for this content, storing it (and its pages' text) the
    first time."""
    existing = writer.reader.scalar("SELECT id FROM fulltext_file WHERE sha256 = ?",
                                    (pdf.text.sha256,))
    if existing is not None:
        return int(existing)
    file_id = writer.insert(
        "fulltext_file", sha256=pdf.text.sha256, size=pdf.text.size,
        page_count=len(pdf.text.pages), text_layer=pdf.text.text_layer.value,
        original_name=pdf.path.name,
        stored_as=keep(pdf.path, pdf.text.sha256, folder=folder, mode=mode),
        mode=mode.value, added_by=by)
    for i, text in enumerate(pdf.text.pages, 1):
        writer.insert("fulltext_page", file_id=file_id, page=i, text=text)
    return file_id


def store_file(pdf: ReadPdf, *, session: Session, folder: Path, mode: Mode,
               by: str) -> models.FullTextFile:
    """:func:`write_file` in a session (the TUI's tests, PostgreSQL), as its ORM row."""
    from reviewflow.store import models

    file_id = write_file(pdf, writer=session_writer(session), folder=folder, mode=mode, by=by)
    row = session.get(models.FullTextFile, file_id)
    assert row is not None
    return row


def write_attach(record_id: int, file_id: int, *, writer: Writer, by: str,
                 method: str = "manual", evidence: str | None = None) -> None:
    """Attach a stored PDF to a record; never one PDF to two records, never silently replaced."""
    reader = writer.reader
    require_active_record(reader, record_id)
    states = read_fulltext_states(reader)
    owner = file_owners(states).get(file_id)
    if owner is not None and owner != record_id:
        raise ReviewflowError(f"that PDF is attached to record {owner}; "
                              f"'reviewflow fulltext remove {owner}' first")
    current = states.get(record_id)
    if current and current.status is Status.ATTACHED:
        if current.file_id == file_id:
            return
        raise ReviewflowError(f"record {record_id} already has a PDF; "
                              f"'reviewflow fulltext remove {record_id}' first")
    writer.insert("fulltext_event", record_id=record_id, file_id=file_id,
                  action=Action.ATTACH.value, method=method, evidence=evidence, by=by)


def attach(record_id: int, file_id: int, *, session: Session, by: str, method: str = "manual",
           evidence: str | None = None) -> None:
    """:func:`write_attach` in a session."""
    write_attach(record_id, file_id, writer=session_writer(session), by=by, method=method,
                 evidence=evidence)


def write_remove(record_id: int, *, writer: Writer, by: str) -> None:
    """Detach the record's PDF (or withdraw "unobtainable"); the file stays stored."""
    reader = writer.reader
    require_active_record(reader, record_id)
    current = read_fulltext_states(reader).get(record_id)
    if current is None:
        raise ReviewflowError(f"record {record_id} has no PDF and is not marked unobtainable")
    writer.insert("fulltext_event", record_id=record_id, file_id=current.file_id,
                  action=Action.REMOVE.value, method="manual", by=by)


def remove(record_id: int, *, session: Session, by: str) -> None:
    """:func:`write_remove` in a session."""
    write_remove(record_id, writer=session_writer(session), by=by)


def write_unobtainable(record_id: int, reason: str, *, writer: Writer, by: str) -> None:
    """The report could not be retrieved (PRISMA "reports not retrieved")."""
    reader = writer.reader
    require_active_record(reader, record_id)
    if not reason.strip():
        raise ReviewflowError("say why the report cannot be retrieved (--reason)")
    current = read_fulltext_states(reader).get(record_id)
    if current and current.status is Status.ATTACHED:
        raise ReviewflowError(f"record {record_id} has a PDF attached; remove it first")
    writer.insert("fulltext_event", record_id=record_id, action=Action.UNOBTAINABLE.value,
                  method="manual", reason=reason.strip(), by=by)


def mark_unobtainable(record_id: int, reason: str, *, session: Session, by: str) -> None:
    """:func:`write_unobtainable` in a session."""
    write_unobtainable(record_id, reason, writer=session_writer(session), by=by)


def _evidence_text(match: Match, record_id: int) -> str:
    for c in match.candidates:
        if c.record_id == record_id:
            return "; ".join(c.evidence)
    return ""


def attach_found(pdfs: list[ReadPdf], skipped: list[Skipped], *, writer: Writer,
                 folder: Path, mode: Mode, by: str) -> AttachOutcome:
    """Match PDFs to the review's records: certain ones attached, doubtful ones queued."""
    from reviewflow.fulltext.matching import Verdict, facts_from, match_all

    reader = writer.reader
    states = read_fulltext_states(reader)
    owners = file_owners(states)
    stored = dict(reader.rows("SELECT sha256, id FROM fulltext_file"))
    already, fresh = [], []
    for pdf in pdfs:
        file_id = stored.get(pdf.text.sha256)
        if file_id is not None and file_id in owners:
            already.append((pdf.path, owners[file_id]))
        else:
            fresh.append(pdf)
    has_pdf = frozenset(r for r, s in states.items() if s.status is Status.ATTACHED)
    facts = [facts_from(pdf.text.sha256, pdf.path.name, pdf.text.first_pages,
                        "\n".join(pdf.text.pages[FIRST_PAGES:]), pdf.text.metadata_text)
             for pdf in fresh]
    matches = match_all(read_record_keys(reader), facts, has_pdf)
    rejected = read_rejected_pairs(reader)
    attached, doubtful, unmatched = [], [], []
    for pdf, m in zip(fresh, matches, strict=True):
        if m.verdict is Verdict.UNMATCHED:
            unmatched.append(pdf.path)
            continue
        file_id = write_file(pdf, writer=writer, folder=folder, mode=mode, by=by)
        if m.verdict is Verdict.CERTAIN and m.record_id is not None:
            evidence = _evidence_text(m, m.record_id)
            write_attach(m.record_id, file_id, writer=writer, by=by, method="auto",
                         evidence=evidence)
            attached.append((pdf.path, m.record_id, evidence))
            continue
        queued = False
        for c in m.candidates:
            if (file_id, c.record_id) in rejected:
                continue
            _queue(writer, file_id, c.record_id, "; ".join(c.evidence), str(m.doubt),
                   c.title_score)
            queued = True
        (doubtful.append((pdf.path, m)) if queued else unmatched.append(pdf.path))
    return AttachOutcome(tuple(attached), tuple(doubtful), tuple(unmatched), tuple(already),
                         tuple(skipped))


def _queue(writer: Writer, file_id: int, record_id: int, evidence: str, doubt: str,
           score: float) -> None:
    exists = writer.reader.scalar(
        "SELECT id FROM fulltext_candidate WHERE file_id = ? AND record_id = ?",
        (file_id, record_id))
    if exists is None:
        writer.insert("fulltext_candidate", file_id=file_id, record_id=record_id,
                      evidence=evidence, doubt=doubt, title_score=score)


def pdfs_to_bundle(*, session: Session, review_folder: Path,
                   settings: dict[str, Any] | None) -> dict[str, Path]:
    """Attached PDFs kept outside the review's own ``fulltext/`` (a shared folder, or
    linked with ``--link``) that a bundle must carry: ``fulltext/<sha path>`` -> file."""
    rows = session_reader(session).rows("SELECT sha256, stored_as, mode FROM fulltext_file")
    return bundle_copies(rows, review_folder=review_folder,  # type: ignore[arg-type]
                         folder=fulltext_folder(review_folder, settings))
