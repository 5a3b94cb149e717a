"""What a person acts on: doubtful matches to confirm, and the retrieval worklist.

The worklist is the librarian's list: every record with its full-text status and
the attached PDF's original file name, as CSV or RIS. Both are read through the
read seam (SQL held once, over a :class:`~reviewflow.store.reader.Reader`), so
``fulltext list`` and ``fulltext match --review`` answer without the ORM (issue 22).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reviewflow.fulltext.matching import Doubt
from reviewflow.fulltext.state import (
    Status,
    file_owners,
    read_fulltext_states,
    read_rejected_pairs,
)
from reviewflow.store.dedup_state import read_active_record_ids
from reviewflow.store.reader import Reader
from reviewflow.titles import titles_of


@dataclass(frozen=True)
class PendingMatch:
    candidate_id: int
    file_id: int
    file_name: str
    record_id: int
    title: str  # original / English [language], as every list shows a record
    evidence: str
    doubt: str
    title_score: float


@dataclass(frozen=True)
class WorklistRow:
    record_id: int
    title: str
    translated_title: str | None
    language: str | None
    authors: tuple[str, ...]
    year: int | None
    journal: str | None
    doi: str | None
    pmid: str | None
    status: Status
    file: str | None  # the attached PDF's original file name
    reason: str | None


def read_pending_matches(reader: Reader) -> list[PendingMatch]:
    """Doubtful matches still open: the PDF attached to nothing, the pair not rejected.

    An offer for a record that has since got a PDF closes, except the offers made
    because the record already had one (another version, a supplement?): those stay
    for a person, who removes the old PDF first to take the new one. A record
    marked unobtainable keeps its offers: the report was found after all.
    """
    states = read_fulltext_states(reader)
    owners = file_owners(states)
    rejected = read_rejected_pairs(reader)
    rows = reader.rows(
        "SELECT c.id, c.file_id, f.original_name, c.record_id, r.title, r.translated_title, "
        "r.language, c.evidence, c.doubt, c.title_score FROM fulltext_candidate AS c "
        "JOIN fulltext_file AS f ON c.file_id = f.id JOIN record AS r ON c.record_id = r.id "
        "ORDER BY c.id")
    out = []
    for cid, fid, name, rid, title, translated, language, evidence, doubt, score in rows:
        if fid in owners or (fid, rid) in rejected:
            continue
        state = states.get(rid)
        if state is not None and state.status is Status.ATTACHED \
                and doubt != Doubt.RECORD_HAS_PDF:
            continue  # the record got its PDF meanwhile; "already has a PDF" offers stay
        line = titles_of(title, translated, language).line(120)
        out.append(PendingMatch(cid, fid, name, rid, line, evidence, doubt, score))
    return out


def read_worklist(reader: Reader, *, missing_only: bool = False,
                  record_ids: list[int] | None = None) -> list[WorklistRow]:
    """Every active record (or those given) with its full-text status."""
    states = read_fulltext_states(reader)
    wanted = set(record_ids if record_ids is not None else read_active_record_ids(reader))
    names = dict(reader.rows("SELECT id, original_name FROM fulltext_file"))
    out = []
    for rid, title, translated, language, authors, year, journal, doi, pmid in reader.rows(
            "SELECT id, title, translated_title, language, authors_json, year, journal, doi, "
            "pmid FROM record ORDER BY id"):
        if rid not in wanted:
            continue
        state = states.get(rid)
        status = state.status if state else Status.MISSING
        if missing_only and status is not Status.MISSING:
            continue
        out.append(WorklistRow(
            record_id=rid, title=title or "", translated_title=translated, language=language,
            authors=tuple(json.loads(authors or "[]")), year=year, journal=journal, doi=doi,
            pmid=pmid, status=status,
            file=names.get(state.file_id) if state and state.file_id else None,
            reason=state.reason if state else None))
    return out
