"""A person's answer to a doubtful match: accept (attach) or reject it.

The doubtful matches and the retrieval worklist are read in
:mod:`reviewflow.fulltext.lists`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewflow.errors import ReviewflowError
from reviewflow.fulltext.service import write_attach
from reviewflow.fulltext.state import Action
from reviewflow.store.writer import Writer


@dataclass(frozen=True)
class SuggestedMatch:
    """One stored suggestion: this PDF may be this record's report."""

    id: int
    file_id: int
    record_id: int
    evidence: str


def _candidate(writer: Writer, candidate_id: int) -> SuggestedMatch:
    found = writer.reader.rows("SELECT id, file_id, record_id, evidence FROM fulltext_candidate "
                               "WHERE id = ?", (candidate_id,))
    if not found:
        raise ReviewflowError(f"suggested match {candidate_id}: no such match "
                              "('reviewflow fulltext match --review' lists them)")
    return SuggestedMatch(*found[0])


def accept_match(candidate_id: int, *, writer: Writer, by: str) -> SuggestedMatch:
    row = _candidate(writer, candidate_id)
    write_attach(row.record_id, row.file_id, writer=writer, by=by, method="manual",
                 evidence=f"confirmed: {row.evidence}")
    return row


def reject_match(candidate_id: int, *, writer: Writer, by: str) -> SuggestedMatch:
    row = _candidate(writer, candidate_id)
    writer.insert("fulltext_event", record_id=row.record_id, file_id=row.file_id,
                  action=Action.REJECT.value, method="manual", by=by)
    return row
