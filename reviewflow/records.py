"""The plain bibliographic record shared by importers, dedup, screening and export.

Importers produce :class:`Record` objects; the store persists them; dedup reads
them. It is deliberately a plain dataclass (no ORM) so the pure modules
(``importers``, ``dedup``) never depend on the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Record:
    """One bibliographic entry as read from a search export, normalised.

    ``authors`` holds "Family, Given" strings in the order of the source.
    ``raw`` keeps every original tag/field with all its values, in file order,
    so nothing in the export is ever lost even if we do not model it.
    ``position`` is the 1-based order of the record within its file and
    ``line`` the 1-based line where it starts (for error messages and provenance).
    """

    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    language: str | None = None
    keywords: list[str] = field(default_factory=list)
    publication_type: str | None = None
    url: str | None = None
    issn: str | None = None
    accession: str | None = None
    translated_title: str | None = None
    raw: dict[str, list[str]] = field(default_factory=dict)
    position: int = 0
    line: int = 0


@dataclass(frozen=True)
class ImportWarning:
    """A recoverable oddity found while reading (never a silent drop)."""

    line: int | None
    message: str
    position: int | None = None


@dataclass
class ParseResult:
    """What a reader returns: the records plus everything needed for provenance."""

    records: list[Record]
    format: str
    encoding: str
    database: str | None = None
    warnings: list[ImportWarning] = field(default_factory=list)
