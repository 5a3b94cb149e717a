"""Compute every PRISMA 2020 box from the store, each time it is asked.

Sources of truth: import provenance (records identified per database), the dedup
events (records removed as duplicates, automatic or manual, derived from
:mod:`reviewflow.store.dedup_state`), the screening statuses at each stage
(:func:`reviewflow.screening.state.stage_statuses`) and the study links
(reports of one study). Nothing is cached, so the diagram can never disagree
with the decisions, even after a merge is undone or a reviewer changes mind.

Records still waiting for a decision (pending or in conflict) are counted in
``awaiting`` so the PRISMA identities hold at every moment of the review.
Records imported with origin ``other`` (citation searching, websites) fill the
"other methods" column; a record that any database also found stays in the
main column.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlmodel import Session, select

from reviewflow.fulltext.state import unobtainable_ids
from reviewflow.prisma.counts import OtherMethods, PrismaCounts
from reviewflow.screening.state import CONFLICT, PENDING, stage_statuses
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.dedup_state import active_record_ids

WAITING = (PENDING, CONFLICT)


def _origins(session: Session) -> tuple[dict[str, Counter[str]], dict[int, set[str]]]:
    """Per origin, records identified per source; and each record's set of origins."""
    p, imp = models.RecordProvenance, models.SearchImport
    rows = session.exec(
        select(p.record_id, imp.database, imp.origin).join(imp, p.import_id == imp.id)  # type: ignore[arg-type]
    ).all()
    per_origin: dict[str, Counter[str]] = defaultdict(Counter)
    record_origins: dict[int, set[str]] = defaultdict(set)
    for record_id, database, origin in rows:
        per_origin[origin or "database"][database] += 1
        record_origins[record_id].add(origin or "database")
    return per_origin, record_origins


def _removed_duplicates(session: Session, main: set[int]) -> tuple[int, int]:
    """(automatic, manual) main-column records currently merged away, by the merge's method."""
    d = models.DedupDecision
    rows = session.exec(
        select(d.merged_record_id, d.action, d.method)
        .where(d.action.in_(("merge", "unmerge")))  # type: ignore[attr-defined]
        .order_by(d.id)  # type: ignore[arg-type]
    ).all()
    state: dict[int, str] = {}
    for merged, action, method in rows:
        if action == "merge":
            state[merged] = method
        else:
            state.pop(merged, None)
    methods = [m for rid, m in state.items() if rid in main]
    auto = sum(1 for m in methods if m == "auto")
    return auto, len(methods) - auto


def _studies_of(session: Session, record_ids: set[int]) -> int:
    """Distinct studies among included reports; an unlinked report is its own study."""
    sr = models.StudyRecord
    links = dict(session.exec(select(sr.record_id, sr.study_id)).all())
    return len({("study", links[r]) if r in links else ("record", r) for r in record_ids})


def _flow(session: Session, ids: list[int]) -> dict[str, object]:
    """Screening and eligibility counts for one column's records."""
    ta = stage_statuses(session, TITLE_ABSTRACT, ids)
    excluded = sum(1 for s in ta.values() if s.outcome == "exclude")
    wait_screening = sum(1 for s in ta.values() if s.outcome in WAITING)
    sought_ids = [i for i in ids if ta[i].moves_on]
    ft = stage_statuses(session, FULL_TEXT, sought_ids)
    # A report marked unobtainable (reviewflow fulltext unobtainable) is not retrieved
    # unless the reviewers decided on it anyway (then they had it).
    unobtainable = unobtainable_ids(session)
    not_retrieved_ids = {rid for rid, s in ft.items() if s.outcome == "not_retrieved"
                         or (rid in unobtainable and s.outcome in WAITING)}
    not_retrieved = len(not_retrieved_ids)
    reasons: Counter[str] = Counter()
    included: set[int] = set()
    wait_eligibility = 0
    for rid, status in ft.items():
        if rid in not_retrieved_ids:
            continue
        if status.outcome == "exclude":
            reason = status.resolution.reason if status.resolution else status.votes[0].reason
            reasons[(reason or "no reason given").strip().lower()] += 1
        elif status.moves_on:
            included.add(rid)
        elif status.outcome in WAITING:
            wait_eligibility += 1
    return {
        "screened": len(ids), "excluded": excluded, "wait_screening": wait_screening,
        "sought": len(sought_ids), "not_retrieved": not_retrieved,
        "assessed": len(sought_ids) - not_retrieved, "reasons": dict(reasons),
        "included": included, "wait_eligibility": wait_eligibility,
    }


def prisma_counts(session: Session) -> PrismaCounts:
    """The PRISMA 2020 counts for the review in ``session``'s store."""
    per_origin, record_origins = _origins(session)
    active = active_record_ids(session)
    # A record's column is its own origin (one provenance row per imported entry), so every
    # record identified in the main column is either merged away or screened there.
    in_main = {r for r, origins in record_origins.items() if origins - {"other"}}
    main_ids = [i for i in active if i in in_main or i not in record_origins]
    other_ids = [i for i in active if i in record_origins and i not in in_main]
    auto, manual = _removed_duplicates(session, in_main)
    main = _flow(session, main_ids)
    other = None
    included: set[int] = set(main["included"])  # type: ignore[arg-type]
    if "other" in per_origin:
        o = _flow(session, other_ids)
        included |= o["included"]  # type: ignore[arg-type]
        other = OtherMethods(
            identified=dict(per_origin["other"]), sought=o["sought"],  # type: ignore[arg-type]
            not_retrieved=o["not_retrieved"], assessed=o["assessed"],  # type: ignore[arg-type]
            excluded_reports=o["reasons"],  # type: ignore[arg-type]
            included_reports=len(o["included"]),  # type: ignore[arg-type]
        )
    return PrismaCounts(
        identified=dict(per_origin["database"]),
        registers=dict(per_origin["register"]),
        removed_duplicates=auto + manual,
        removed_duplicates_auto=auto,
        removed_duplicates_manual=manual,
        removed_automation=0,
        removed_other=0,
        screened=main["screened"],  # type: ignore[arg-type]
        excluded_screening=main["excluded"],  # type: ignore[arg-type]
        sought=main["sought"],  # type: ignore[arg-type]
        not_retrieved=main["not_retrieved"],  # type: ignore[arg-type]
        assessed=main["assessed"],  # type: ignore[arg-type]
        excluded_reports=main["reasons"],  # type: ignore[arg-type]
        included_studies=_studies_of(session, included),
        included_reports=len(included),
        other_methods=other,
        awaiting={
            "screening": main["wait_screening"],  # type: ignore[dict-item]
            "eligibility": main["wait_eligibility"],  # type: ignore[dict-item]
        },
    )
