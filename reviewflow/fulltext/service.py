"""Writing full-text facts: storing PDFs, attaching, removing, matching a folder.

Every function takes the caller's ``session`` (one user action, one
transaction). Reading PDFs is slow, so callers read them (:func:`read_pdfs`)
before they open the transaction that records the outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.matching import (
    Match,
    RecordKey,
    Verdict,
    facts_from,
    match_all,
)
from reviewflow.fulltext.pdftext import FIRST_PAGES, PdfText, read_pdf
from reviewflow.fulltext.state import Action, Status, file_owners, fulltext_states, rejected_pairs
from reviewflow.fulltext.storage import Mode, bundle_copies, fulltext_folder, keep
from reviewflow.store import models
from reviewflow.store.dedup_state import active_record_ids, merged_into


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


def record_keys(session: Session, ids: Iterable[int] | None = None) -> list[RecordKey]:
    r = models.RecordRow
    wanted = set(active_record_ids(session) if ids is None else ids)
    rows = session.exec(select(r.id, r.title, r.translated_title, r.doi, r.pmid,
                               r.authors_json, r.year)).all()
    out = []
    for rid, title, translated, doi, pmid, authors_json, year in rows:
        if rid in wanted:
            authors = json.loads(authors_json or "[]")
            out.append(RecordKey(rid, title, translated, doi, pmid,
                                 authors[0] if authors else None, year))
    return out


def store_file(pdf: ReadPdf, *, session: Session, folder: Path, mode: Mode,
               by: str) -> models.FullTextFile:
    """The stored file for this content, storing it (and its pages' text) the first time."""
    f = models.FullTextFile
    existing = session.exec(select(f).where(f.sha256 == pdf.text.sha256)).first()
    if existing is not None:
        return existing
    row = models.FullTextFile(
        sha256=pdf.text.sha256, size=pdf.text.size, page_count=len(pdf.text.pages),
        text_layer=pdf.text.text_layer, original_name=pdf.path.name,
        stored_as=keep(pdf.path, pdf.text.sha256, folder=folder, mode=mode),
        mode=mode, added_by=by)
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add_all(models.FullTextPage(file_id=row.id, page=i, text=text)
                    for i, text in enumerate(pdf.text.pages, 1))
    return row


def _check_record(session: Session, record_id: int) -> None:
    if session.get(models.RecordRow, record_id) is None:
        raise ReviewflowError(f"record {record_id}: no such record")
    kept = merged_into(session).get(record_id)
    if kept is not None:
        raise ReviewflowError(f"record {record_id} was merged into record {kept}: use {kept}")


def attach(record_id: int, file_id: int, *, session: Session, by: str, method: str = "manual",
           evidence: str | None = None) -> None:
    """Attach a stored PDF to a record; never one PDF to two records, never silently replaced."""
    _check_record(session, record_id)
    states = fulltext_states(session)
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
    session.add(models.FullTextEvent(record_id=record_id, file_id=file_id, action=Action.ATTACH,
                                     method=method, evidence=evidence, by=by))


def remove(record_id: int, *, session: Session, by: str) -> None:
    """Detach the record's PDF (or withdraw "unobtainable"); the file stays stored."""
    _check_record(session, record_id)
    current = fulltext_states(session).get(record_id)
    if current is None:
        raise ReviewflowError(f"record {record_id} has no PDF and is not marked unobtainable")
    session.add(models.FullTextEvent(record_id=record_id, file_id=current.file_id,
                                     action=Action.REMOVE, method="manual", by=by))


def mark_unobtainable(record_id: int, reason: str, *, session: Session, by: str) -> None:
    """The report could not be retrieved (PRISMA "reports not retrieved")."""
    _check_record(session, record_id)
    if not reason.strip():
        raise ReviewflowError("say why the report cannot be retrieved (--reason)")
    current = fulltext_states(session).get(record_id)
    if current and current.status is Status.ATTACHED:
        raise ReviewflowError(f"record {record_id} has a PDF attached; remove it first")
    session.add(models.FullTextEvent(record_id=record_id, action=Action.UNOBTAINABLE,
                                     method="manual", reason=reason.strip(), by=by))


def _evidence_text(match: Match, record_id: int) -> str:
    for c in match.candidates:
        if c.record_id == record_id:
            return "; ".join(c.evidence)
    return ""


def attach_found(pdfs: list[ReadPdf], skipped: list[Skipped], *, session: Session,
                 folder: Path, mode: Mode, by: str) -> AttachOutcome:
    """Match PDFs to the review's records: certain ones attached, doubtful ones queued."""
    states = fulltext_states(session)
    owners = file_owners(states)
    f = models.FullTextFile
    stored = {row.sha256: row for row in session.exec(select(f)).all()}
    already, fresh = [], []
    for pdf in pdfs:
        row = stored.get(pdf.text.sha256)
        if row is not None and row.id in owners:
            already.append((pdf.path, owners[row.id]))
        else:
            fresh.append(pdf)
    has_pdf = frozenset(r for r, s in states.items() if s.status is Status.ATTACHED)
    facts = [facts_from(pdf.text.sha256, pdf.path.name, pdf.text.first_pages,
                        "\n".join(pdf.text.pages[FIRST_PAGES:]), pdf.text.metadata_text)
             for pdf in fresh]
    matches = match_all(record_keys(session), facts, has_pdf)
    rejected = rejected_pairs(session)
    attached, doubtful, unmatched = [], [], []
    for pdf, m in zip(fresh, matches, strict=True):
        if m.verdict is Verdict.UNMATCHED:
            unmatched.append(pdf.path)
            continue
        row = store_file(pdf, session=session, folder=folder, mode=mode, by=by)
        assert row.id is not None
        if m.verdict is Verdict.CERTAIN and m.record_id is not None:
            evidence = _evidence_text(m, m.record_id)
            attach(m.record_id, row.id, session=session, by=by, method="auto", evidence=evidence)
            attached.append((pdf.path, m.record_id, evidence))
            continue
        queued = False
        for c in m.candidates:
            if (row.id, c.record_id) in rejected:
                continue
            _queue(session, row.id, c.record_id, "; ".join(c.evidence), str(m.doubt),
                   c.title_score)
            queued = True
        (doubtful.append((pdf.path, m)) if queued else unmatched.append(pdf.path))
    return AttachOutcome(tuple(attached), tuple(doubtful), tuple(unmatched), tuple(already),
                         tuple(skipped))


def _queue(session: Session, file_id: int, record_id: int, evidence: str, doubt: str,
           score: float) -> None:
    c = models.FullTextCandidate
    exists = session.exec(select(c.id).where(c.file_id == file_id, c.record_id == record_id)
                          ).first()
    if exists is None:
        session.add(models.FullTextCandidate(file_id=file_id, record_id=record_id,
                                             evidence=evidence, doubt=doubt, title_score=score))


def pdfs_to_bundle(*, session: Session, review_folder: Path,
                   settings: dict[str, Any] | None) -> dict[str, Path]:
    """Attached PDFs kept outside the review's own ``fulltext/`` (a shared folder, or
    linked with ``--link``) that a bundle must carry: ``fulltext/<sha path>`` -> file."""
    f = models.FullTextFile
    rows = session.exec(select(f.sha256, f.stored_as, f.mode)).all()
    return bundle_copies(rows, review_folder=review_folder,
                         folder=fulltext_folder(review_folder, settings))
