"""SQLModel tables for the whole review workflow.

Designed up front so later features fill these tables rather than redesign them.
Rules that shape the schema:

* Decisions are append-only: a change of mind is a new row, an undo is a row
  with decision ``retracted``. The current state is derived (latest row wins).
* Records are never deleted. Merging duplicates is a :class:`DedupDecision`
  event; the group a record belongs to is derived from those events, so every
  merge can be undone and PRISMA still sees every database's count through
  :class:`RecordProvenance`.
* One review per database (a review folder or a PostgreSQL database), so the
  tables carry no ``review_id``.
* JSON-ish lists (authors, keywords, raw fields) are stored as JSON text so the
  same schema works on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC timestamp: every event is stored in UTC, shown in local time."""
    return datetime.now(UTC)


class StoreMeta(SQLModel, table=True):
    """Key/value facts about the store itself (which reviewflow created it)."""

    __tablename__ = "store_meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Review(SQLModel, table=True):
    """The review this store holds (exactly one row)."""

    __tablename__ = "review"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    question: str | None = Field(default=None, sa_column=Column(Text))
    pico_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    stages_json: str = Field(
        default='["title_abstract", "full_text"]', sa_column=Column(Text, nullable=False)
    )
    settings_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    blind: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Reviewer(SQLModel, table=True):
    """A person (or ``auto``) who makes decisions; role reviewer or arbiter."""

    __tablename__ = "reviewer"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    role: str = Field(default="reviewer", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    # On a team store (PostgreSQL), the database role this person connects as; the
    # row-level security policies identify a connection's reviewer by it.
    db_role: str | None = Field(default=None, max_length=63, sa_column_kwargs={"unique": True})


class SearchImport(SQLModel, table=True):
    """One imported search export file, with its provenance."""

    __tablename__ = "search_import"
    id: int | None = Field(default=None, primary_key=True)
    database: str = Field(max_length=200)
    origin: str = Field(default="database", max_length=20)  # database|register|other
    file_name: str = Field(sa_column=Column(Text, nullable=False))
    file_sha256: str = Field(max_length=64, unique=True, index=True)
    format: str = Field(max_length=40)
    encoding: str = Field(max_length=40)
    searched_on: date | None = None
    query: str | None = Field(default=None, sa_column=Column(Text))
    record_count: int = 0
    warning_count: int = 0
    imported_at: datetime = Field(default_factory=utcnow)


class RecordRow(SQLModel, table=True):
    """A bibliographic record as imported and normalised (never deleted)."""

    __tablename__ = "record"
    id: int | None = Field(default=None, primary_key=True)
    title: str | None = Field(default=None, sa_column=Column(Text))
    abstract: str | None = Field(default=None, sa_column=Column(Text))
    authors_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    year: int | None = Field(default=None, index=True)
    journal: str | None = Field(default=None, sa_column=Column(Text))
    volume: str | None = Field(default=None, max_length=100)
    issue: str | None = Field(default=None, max_length=100)
    pages: str | None = Field(default=None, max_length=100)
    doi: str | None = Field(default=None, max_length=300, index=True)
    pmid: str | None = Field(default=None, max_length=20, index=True)
    language: str | None = Field(default=None, max_length=100)
    keywords_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    publication_type: str | None = Field(default=None, sa_column=Column(Text))
    url: str | None = Field(default=None, sa_column=Column(Text))
    issn: str | None = Field(default=None, max_length=100)
    accession: str | None = Field(default=None, max_length=200)
    translated_title: str | None = Field(default=None, sa_column=Column(Text))
    raw_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class RecordProvenance(SQLModel, table=True):
    """Which import, and which position in its file, a record came from."""

    __tablename__ = "record_provenance"
    __table_args__ = (UniqueConstraint("import_id", "position", name="uq_provenance_pos"),)
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    import_id: int = Field(foreign_key="search_import.id", index=True)
    position: int  # 1-based order within the file
    line: int | None = None  # 1-based line where the entry starts


class DedupPair(SQLModel, table=True):
    """A candidate duplicate pair found by dedup (the human review queue).

    Its status is derived from :class:`DedupDecision` rows naming the pair.
    """

    __tablename__ = "dedup_pair"
    __table_args__ = (UniqueConstraint("record_a_id", "record_b_id", name="uq_dedup_pair"),)
    id: int | None = Field(default=None, primary_key=True)
    record_a_id: int = Field(foreign_key="record.id", index=True)
    record_b_id: int = Field(foreign_key="record.id", index=True)
    score: float
    outcome: str = Field(max_length=20)  # certain|possible|related
    reason: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


class DedupDecision(SQLModel, table=True):
    """Append-only merge / unmerge / distinct event.

    ``action``: ``merge`` (record joins ``kept_record_id``'s group), ``unmerge``
    (undo a merge), ``distinct`` (a person says the pair differs).
    ``method``: ``auto`` or ``manual``; ``reviewer_id`` is null for auto.
    """

    __tablename__ = "dedup_decision"
    id: int | None = Field(default=None, primary_key=True)
    pair_id: int | None = Field(default=None, foreign_key="dedup_pair.id", index=True)
    kept_record_id: int = Field(foreign_key="record.id", index=True)
    merged_record_id: int = Field(foreign_key="record.id", index=True)
    action: str = Field(max_length=20)
    method: str = Field(max_length=20)
    reviewer_id: int | None = Field(default=None, foreign_key="reviewer.id")
    score: float | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(default_factory=utcnow, index=True)


class ScreeningDecision(SQLModel, table=True):
    """Append-only screening decision by one reviewer at one stage.

    ``decision``: include | exclude | maybe | not_retrieved | retracted (undo).
    ``client_key`` lets a retried write be recognised (crash-safe, idempotent).
    """

    __tablename__ = "screening_decision"
    __table_args__ = (Index("ix_screening_rec_stage", "record_id", "stage"),)
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id")
    stage: str = Field(max_length=20)  # title_abstract | full_text
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True)
    decision: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    client_key: str | None = Field(default=None, max_length=64, unique=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class ConflictResolution(SQLModel, table=True):
    """How a disagreement at one stage was settled (consensus or arbiter)."""

    __tablename__ = "conflict_resolution"
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    stage: str = Field(max_length=20)
    decision: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    method: str = Field(max_length=20)  # consensus | arbiter
    resolved_by_id: int = Field(foreign_key="reviewer.id")
    at: datetime = Field(default_factory=utcnow)


class Study(SQLModel, table=True):
    """One trial, reported by one or more records."""

    __tablename__ = "study"
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=200, unique=True)  # e.g. "Smith 2019"
    created_at: datetime = Field(default_factory=utcnow)


class StudyRecord(SQLModel, table=True):
    """Links a report (record) to its study."""

    __tablename__ = "study_record"
    __table_args__ = (UniqueConstraint("study_id", "record_id", name="uq_study_record"),)
    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    is_primary: bool = False


class ExtractionForm(SQLModel, table=True):
    """A versioned extraction form definition (the TOML text kept with the review)."""

    __tablename__ = "extraction_form"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    version: int = 1
    definition: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ExtractionValue(SQLModel, table=True):
    """Append-only extracted value: one field of one study by one reviewer.

    ``field_path`` addresses the value, e.g. ``study/country`` or
    ``outcome/pain_vas/arm/treatment/mean``. ``is_consensus`` marks the
    reconciled value that analyses use.
    """

    __tablename__ = "extraction_value"
    __table_args__ = (Index("ix_extraction_study_field", "study_id", "field_path"),)
    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id")
    form_id: int | None = Field(default=None, foreign_key="extraction_form.id")
    reviewer_id: int = Field(foreign_key="reviewer.id")
    field_path: str = Field(max_length=300)
    value: str | None = Field(default=None, sa_column=Column(Text))
    is_consensus: bool = False
    at: datetime = Field(default_factory=utcnow)


class RobJudgement(SQLModel, table=True):
    """Append-only risk-of-bias judgement for one domain of one study."""

    __tablename__ = "rob_judgement"
    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    tool: str = Field(max_length=10)  # rob1 | rob2
    domain: str = Field(max_length=100)
    outcome: str | None = Field(default=None, max_length=200)
    judgement: str = Field(max_length=20)  # low | unclear | some_concerns | high
    support: str | None = Field(default=None, sa_column=Column(Text))
    reviewer_id: int = Field(foreign_key="reviewer.id")
    is_consensus: bool = False
    at: datetime = Field(default_factory=utcnow)


class SettingChange(SQLModel, table=True):
    """Append-only change of a review-wide screening rule, with who made it.

    ``key``: ``blind`` or ``required:<stage>`` (screeners a record needs at that
    stage); ``value`` is JSON. The latest row per key is the rule every terminal
    and machine sharing the store follows; a local ``reviewflow.toml`` never
    changes it (issue 16).
    """

    __tablename__ = "setting_change"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    value: str = Field(sa_column=Column(Text, nullable=False))
    changed_by_id: int | None = Field(default=None, foreign_key="reviewer.id")
    at: datetime = Field(default_factory=utcnow)


class GradeJudgement(SQLModel, table=True):
    """Append-only GRADE judgement: one domain of the certainty of one outcome.

    ``outcome`` names the analysis (analyses.toml) whose evidence is rated;
    ``domain`` is a :class:`reviewflow.grade.domains.Domain` value (the five
    downgrading domains, the upgrading ones, and ``study_design`` for where
    the rating starts). The latest row per (outcome, domain) is the judgement;
    ``judgement = "retracted"`` withdraws it.
    """

    __tablename__ = "grade_judgement"
    __table_args__ = (Index("ix_grade_outcome_domain", "outcome", "domain"),)
    id: int | None = Field(default=None, primary_key=True)
    outcome: str = Field(max_length=200)
    domain: str = Field(max_length=40)
    judgement: str = Field(max_length=30)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    reviewer_id: int = Field(foreign_key="reviewer.id")
    at: datetime = Field(default_factory=utcnow)


class FullTextFile(SQLModel, table=True):
    """One PDF, stored once by content (sha256), with its text layer's kind.

    ``stored_as`` is ``<sha[:2]>/<sha>.pdf`` under the review's full-text folder
    for a copy (so every machine resolves it with its own folder setting) or the
    absolute path for a link.
    """

    __tablename__ = "fulltext_file"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True, index=True)
    size: int
    page_count: int
    text_layer: str = Field(max_length=20)  # yes | none | garbled
    original_name: str = Field(sa_column=Column(Text, nullable=False))
    stored_as: str = Field(sa_column=Column(Text, nullable=False))
    mode: str = Field(max_length=10)  # copy | link
    added_by: str = Field(max_length=200)
    added_at: datetime = Field(default_factory=utcnow)


class FullTextPage(SQLModel, table=True):
    """The text of one page, extracted once when the PDF was stored."""

    __tablename__ = "fulltext_page"
    __table_args__ = (UniqueConstraint("file_id", "page", name="uq_fulltext_page"),)
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="fulltext_file.id", index=True)
    page: int  # 1-based
    text: str = Field(sa_column=Column(Text, nullable=False))


class FullTextEvent(SQLModel, table=True):
    """Append-only: a PDF attached to / removed from a record, a record unobtainable,
    a suggested match rejected. A record's full-text state is derived from these.

    ``action``: attach | remove | unobtainable | reject. ``method``: auto | manual.
    """

    __tablename__ = "fulltext_event"
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    file_id: int | None = Field(default=None, foreign_key="fulltext_file.id", index=True)
    action: str = Field(max_length=20)
    method: str = Field(max_length=10)
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, index=True)


class FullTextCandidate(SQLModel, table=True):
    """A doubtful PDF-record match waiting for a person (``fulltext match --review``)."""

    __tablename__ = "fulltext_candidate"
    __table_args__ = (UniqueConstraint("file_id", "record_id", name="uq_fulltext_candidate"),)
    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="fulltext_file.id", index=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    doubt: str = Field(max_length=60)
    title_score: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


class StudyLinkDecision(SQLModel, table=True):
    """Append-only: a person confirmed (``link``) or rejected (``reject``) a suggestion
    that two reports (often in two languages) are one study. Links themselves are
    :class:`StudyRecord` rows; this keeps who decided and when, and what not to
    suggest again."""

    __tablename__ = "study_link_decision"
    id: int | None = Field(default=None, primary_key=True)
    record_a_id: int = Field(foreign_key="record.id", index=True)
    record_b_id: int = Field(foreign_key="record.id", index=True)
    action: str = Field(max_length=10)  # link | reject
    reasons: str | None = Field(default=None, sa_column=Column(Text))
    by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)


class StudyMerge(SQLModel, table=True):
    """Append-only: study ``study_id`` was merged into study ``into_id`` (``merge``), or
    taken apart again (``unmerge``), by a person.

    Two reports of one trial that each became a study (often a Chinese and an
    English one, each extracted) are joined without moving or rewriting a row:
    readers map the absorbed study's reports, values and judgements to the study
    it was merged into (``reviewflow.store.study_merges``), so an unmerge gives
    back exactly what each study held.
    """

    __tablename__ = "study_merge"
    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    into_id: int = Field(foreign_key="study.id")
    action: str = Field(max_length=10)  # merge | unmerge
    note: str | None = Field(default=None, sa_column=Column(Text))
    by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)
