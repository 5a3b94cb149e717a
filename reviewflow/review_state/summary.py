"""``reviewflow status`` as data: counts per stage and screener, read from the one read model.

The per-screener counts are the same ones the dashboard shows and PRISMA adds
up (current votes on the records eligible at each stage: a record merged away
no longer counts), so the views cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.model import ReviewState
from reviewflow.review_state.plan_state import PlanSummary, SampleAgreement, plan_summary
from reviewflow.stages import STAGES
from reviewflow.store.reader import Reader, session_reader

if TYPE_CHECKING:
    from sqlmodel import Session


def _agreement_json(a: SampleAgreement | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"records": a.records, "rated": a.rated, "screeners": a.screeners,
            "fleiss_kappa": a.fleiss, "fleiss_records": a.fleiss_records,
            "pairs": [{"reviewer_a": p.reviewer_a, "reviewer_b": p.reviewer_b, "records": p.n,
                       "percent_agreement": p.percent, "kappa": p.kappa} for p in a.pairs]}


def plan_json(plan: PlanSummary) -> dict[str, Any]:
    """The plan part of a stage in ``status --json`` (nothing when the stage has none)."""
    out: dict[str, Any] = {}
    if plan.has_pilot:
        out["pilot"] = {"records": plan.pilot_records, "open": plan.pilot_open,
                        "closed_by": plan.pilot_closed_by,
                        "done": {x.name: x.done for x in plan.pilot_done},
                        "agreement": _agreement_json(plan.pilot_agreement)}
    if plan.allocation:
        out["allocation"] = {x.name: {"allocated": x.allocated, "done": x.done}
                             for x in plan.allocation}
        out["unallocated"] = plan.unallocated
    if plan.verification is not None:
        out["verification"] = _agreement_json(plan.verification)
    return out


def status_summary(session: Session, viewer_id: int | None = None) -> dict[str, Any]:
    """Counts per stage and reviewer, read in the session's transaction."""
    return read_status_summary(session_reader(session), viewer_id)


def read_status_summary(reader: Reader, viewer_id: int | None = None,
                        state: ReviewState | None = None) -> dict[str, Any]:
    """Counts per stage and reviewer, as ``reviewflow status`` shows them (JSON-ready).

    ``state`` is the read model the caller already loaded from the same reader
    (``with_plan=True``). With ``viewer_id``, each stage also names (``covered``)
    the screeners whose counts that viewer may see while blind
    (:meth:`StageState.covered_by`)."""
    state = state or read_review_state(reader, with_plan=True)
    return {
        "review": {"title": reader.scalar("SELECT title FROM review ORDER BY id LIMIT 1")},
        "imports": int(reader.scalar("SELECT COUNT(*) FROM search_import")),
        "records": {
            "imported": int(reader.scalar("SELECT COUNT(*) FROM record_provenance")),
            "stored": len(state.record_ids),
            "active": len(state.active),
        },
        "policy": {"blind": state.policy.blind,
                   "screeners_per_record": {st: state.policy.required(st) for st in STAGES},
                   "verification": {st: {"fraction": v[0], "seed": v[1]} for st in STAGES
                                    if (v := state.policy.verify(st)) is not None}},
        "reviewers": [{"name": p.name, "role": p.role}
                      for p in sorted(state.people.values(), key=lambda p: p.id)],
        "stages": {
            stage: {
                "eligible": len(state.stage(stage).eligible),
                "outcomes": dict(sorted(state.stage(stage).outcomes().items())),
                "reviewers": {
                    name: {**dict(sorted(c.items())), "decided": sum(c.values())}
                    for name, c in state.stage(stage).counts_by_reviewer().items()
                },
                **({"covered": sorted(state.stage(stage).covered_by(viewer_id))}
                   if viewer_id is not None else {}),
                **plan_json(plan_summary(state.stage(stage))),
            }
            for stage in STAGES
        },
        "studies": {
            "total": len(state.studies),
            "included": len(state.included_studies),
            "without_included_report": [s.label for s in state.studies_without_report],
        },
    }
