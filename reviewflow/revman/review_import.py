"""Write an :class:`~reviewflow.revman.plan.ImportPlan` into a new review's store.

One transaction: the import row, the records with their provenance, the
studies and their reports, the extraction form, the values, the RoB
judgements and the screening resolutions either all land or none do. The
values and judgements are entered as consensus rows by the reviewer
``revman-import``: they are a published review's settled data, not one
extractor's unchecked numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, col, select

from reviewflow.extraction.rob_items import keep_item_descriptions
from reviewflow.revman.model import StudyStatus
from reviewflow.revman.plan import PROVENANCE, ImportPlan
from reviewflow.screening.decisions import get_or_create_reviewer
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.imports import insert_records
from reviewflow.store.writer import session_writer

IMPORTER = "revman-import"


@dataclass(frozen=True)
class ImportSummary:
    studies: int
    records: int
    values: int
    rob: int
    analyses: int
    not_imported: tuple[str, ...]
    repeated: tuple[str, ...] = ()  # outcomes pooling a study more than once, as entered


def _resolutions(plan: ImportPlan, record_ids: dict[str, list[int]], reviewer_id: int,
                 now) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for sp in plan.studies:
        status = sp.study.status
        reason = dict(sp.study.characteristics).get("CHAR_REASON_FOR_EXCLUSION") or None
        for rid in record_ids[sp.label]:
            common = {"record_id": rid, "method": "consensus", "resolved_by_id": reviewer_id,
                      "note": PROVENANCE, "at": now}
            out.append(common | {"stage": TITLE_ABSTRACT, "decision": "include",
                                 "reason": None})
            if status in (StudyStatus.INCLUDED, StudyStatus.EXCLUDED):
                included = status is StudyStatus.INCLUDED
                out.append(common | {
                    "stage": FULL_TEXT, "decision": "include" if included else "exclude",
                    "reason": None if included else (reason or "excluded in RevMan")[:2000]})
    return out


def write_plan(plan: ImportPlan, source: Path, *, session: Session) -> ImportSummary:
    """Store the plan in the caller's transaction."""
    data = source.read_bytes()
    records = [r for sp in plan.studies for r in sp.records]
    row = models.SearchImport(
        database=PROVENANCE, origin="other", file_name=source.name,
        file_sha256=hashlib.sha256(data).hexdigest(), format="revman5", encoding="utf-8",
        record_count=len(records), warning_count=len(plan.not_imported),
    )
    session.add(row)
    session.flush()
    import_id = int(row.id or 0)
    insert_records(session_writer(session), import_id, records, None)
    prov = models.RecordProvenance
    ids = list(session.exec(
        select(prov.record_id).where(prov.import_id == import_id).order_by(col(prov.position))
    ).all())
    reviewer = get_or_create_reviewer(session, IMPORTER)
    session.flush()
    reviewer_id = int(reviewer.id or 0)
    form_row = models.ExtractionForm(name=plan.form.name, version=1, definition=plan.form_text)
    session.add(form_row)
    session.flush()
    now = models.utcnow()
    studies = [models.Study(label=sp.label, created_at=now) for sp in plan.studies]
    session.add_all(studies)
    session.flush()  # one batched INSERT; the ids come back with it
    study_ids = {sp.label: int(st.id or 0) for sp, st in zip(plan.studies, studies, strict=True)}
    record_ids: dict[str, list[int]] = {}
    it = iter(ids)
    links = []
    for sp in plan.studies:
        record_ids[sp.label] = [next(it) for _ in sp.records]
        links += [{"study_id": study_ids[sp.label], "record_id": rid, "is_primary": i == 0}
                  for i, rid in enumerate(record_ids[sp.label])]
    if links:  # an executemany with no rows would run one INSERT of nothing
        session.execute(insert(models.StudyRecord), links)
    if plan.values:
        session.execute(insert(models.ExtractionValue), [
            {"study_id": study_ids[label], "form_id": form_row.id, "reviewer_id": reviewer_id,
             "field_path": path, "value": value, "is_consensus": True, "at": now}
            for label, path, value in plan.values])
    if plan.rob:
        session.execute(insert(models.RobJudgement), [
            {"study_id": study_ids[label], "tool": "rob1", "domain": domain,
             "judgement": judgement, "support": support or None, "reviewer_id": reviewer_id,
             "is_consensus": True, "outcome": None, "at": now}
            for label, domain, judgement, support in plan.rob])
    keep_item_descriptions("rob1", dict(plan.rob_descriptions), session=session)
    resolutions = _resolutions(plan, record_ids, reviewer_id, now)
    if resolutions:
        session.execute(insert(models.ConflictResolution), resolutions)
    return ImportSummary(len(plan.studies), len(records), len(plan.values), len(plan.rob),
                         len(plan.analyses), plan.not_imported, plan.repeated)
