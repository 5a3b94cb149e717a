"""Compute every PRISMA 2020 box from the one read model, each time it is asked.

Sources of truth, all read from :mod:`reviewflow.review_state` in one snapshot:
import provenance (records identified per database), the merge map (records
removed as duplicates, automatic or manual), each record's status at each stage
(independent votes and resolutions) and the study links (reports of one study).
Nothing is cached, so the diagram can never disagree with the other views.

Records still waiting for a decision (pending or in conflict) are counted in
``awaiting`` so the PRISMA identities hold at every moment of the review.
Records imported with origin ``other`` (citation searching, websites) fill the
"other methods" column; a record that any database also found stays in the
main column.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewflow.prisma.counts import OtherMethods, PrismaCounts
from reviewflow.review_state import (
    CONFLICT,
    PENDING,
    RecordStatus,
    ReviewState,
    load_review_state,
)
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT

if TYPE_CHECKING:
    from sqlmodel import Session

WAITING = (PENDING, CONFLICT)


@dataclass(frozen=True)
class Flow:
    """Screening and eligibility counts for one column's records."""

    screened: int
    excluded: int
    wait_screening: int
    sought: int
    not_retrieved: int
    assessed: int
    reasons: dict[str, int]
    included: frozenset[int]
    wait_eligibility: int


def exclusion_reason(status: RecordStatus) -> str:
    """Why a report excluded at full text was excluded, as PRISMA counts it: the
    resolution's reason, else the reviewers' (agreed) independent one."""
    reason = status.resolution.reason if status.resolution else status.independent[0].reason
    return (reason or "no reason given").strip().lower()


def excluded_at_full_text(session: Session) -> dict[int, str]:
    """Record id -> reason, for every report excluded at full text (PRISMA's "Reports
    excluded" box, listed; the report's "Characteristics of excluded studies")."""
    return excluded_in(load_review_state(session))


def excluded_in(state: ReviewState) -> dict[int, str]:
    """:func:`excluded_at_full_text` from a loaded read model."""
    ta, ft = state.stage(TITLE_ABSTRACT), state.stage(FULL_TEXT)
    sought = [i for i in state.active if ta.status(i).moves_on]
    return {i: exclusion_reason(st) for i in sought
            if (st := ft.status(i)).outcome == "exclude"}


def _flow(state: ReviewState, ids: list[int]) -> Flow:
    ta, ft = state.stage(TITLE_ABSTRACT), state.stage(FULL_TEXT)
    ta_status = [ta.status(i) for i in ids]
    sought = [s.record_id for s in ta_status if s.moves_on]
    # A report marked unobtainable is not retrieved unless the reviewers decided on it
    # anyway (then they had it): "reports not retrieved" follows the full-text records.
    not_retrieved_ids = {s.record_id for s in (ft.status(i) for i in sought)
                         if s.outcome == "not_retrieved"
                         or (s.record_id in state.unobtainable and s.outcome in WAITING)}
    ft_status = [ft.status(i) for i in sought if i not in not_retrieved_ids]
    reasons: Counter[str] = Counter()
    for status in ft_status:
        if status.outcome == "exclude":
            reasons[exclusion_reason(status)] += 1
    not_retrieved = len(not_retrieved_ids)
    return Flow(
        screened=len(ids), excluded=sum(1 for s in ta_status if s.outcome == "exclude"),
        wait_screening=sum(1 for s in ta_status if s.outcome in WAITING),
        sought=len(sought), not_retrieved=not_retrieved, assessed=len(sought) - not_retrieved,
        reasons=dict(reasons), included=frozenset(s.record_id for s in ft_status if s.moves_on),
        wait_eligibility=sum(1 for s in ft_status if s.outcome in WAITING),
    )


def prisma_counts(session: Session) -> PrismaCounts:
    """The PRISMA 2020 counts for the review in ``session``'s store."""
    return counts_from_state(load_review_state(session, with_sources=True))


def counts_from_state(state: ReviewState) -> PrismaCounts:
    """The PRISMA 2020 counts from a loaded read model (``with_sources=True``)."""
    per_origin: dict[str, Counter[str]] = {"database": Counter(), "register": Counter()}
    in_main: set[int] = set()
    for rid, found in state.sources.items():
        for database, origin in found:
            per_origin.setdefault(origin, Counter())[database] += 1
        if any(origin != "other" for _, origin in found):
            in_main.add(rid)
    # A record's column is its own origin (one provenance row per imported entry), so every
    # record identified in the main column is either merged away or screened there.
    main_ids = [i for i in state.active if i in in_main or i not in state.sources]
    other_ids = [i for i in state.active if i in state.sources and i not in in_main]
    methods = [m for rid, m in state.merges.method.items() if rid in in_main]
    auto = sum(1 for m in methods if m == "auto")
    main = _flow(state, main_ids)
    included = set(main.included)
    other = None
    if "other" in per_origin:
        o = _flow(state, other_ids)
        included |= o.included
        other = OtherMethods(
            identified=dict(per_origin["other"]), sought=o.sought, not_retrieved=o.not_retrieved,
            assessed=o.assessed, excluded_reports=o.reasons, included_reports=len(o.included),
        )
    return PrismaCounts(
        identified=dict(per_origin["database"]),
        registers=dict(per_origin["register"]),
        removed_duplicates=len(methods),
        removed_duplicates_auto=auto,
        removed_duplicates_manual=len(methods) - auto,
        removed_automation=0,
        removed_other=0,
        screened=main.screened,
        excluded_screening=main.excluded,
        sought=main.sought,
        not_retrieved=main.not_retrieved,
        assessed=main.assessed,
        excluded_reports=main.reasons,
        included_studies=state.included_study_count(),
        included_reports=len(included),
        other_methods=other,
        awaiting={"screening": main.wait_screening, "eligibility": main.wait_eligibility},
    )
