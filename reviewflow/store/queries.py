"""Small read queries shared by commands (counts, reviewer lookup).

Current decisions are derived from the append-only decision rows: for each
(record, stage, reviewer) the latest row wins, and a ``retracted`` row means
"no decision".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from reviewflow.store import models


def current_decisions(session: Session, stage: str | None = None) -> list[models.ScreeningDecision]:
    """The latest non-retracted decision per (record, stage, reviewer)."""
    d = models.ScreeningDecision
    latest = select(func.max(d.id)).group_by(d.record_id, d.stage, d.reviewer_id)
    if stage is not None:
        latest = latest.where(d.stage == stage)
    rows = session.exec(select(d).where(d.id.in_(latest))).all()  # type: ignore[union-attr]
    return [r for r in rows if r.decision != "retracted"]


def count(session: Session, model: type[Any]) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def status_summary(session: Session) -> dict[str, Any]:
    """Counts per stage and reviewer, as ``reviewflow status`` shows them."""
    review = session.exec(select(models.Review)).first()
    reviewers = {r.id: r for r in session.exec(select(models.Reviewer)).all()}
    stages: list[str] = []
    if review is not None:
        import json

        stages = json.loads(review.stages_json)
    per_stage: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for dec in current_decisions(session):
        name = reviewers[dec.reviewer_id].name
        per_stage[dec.stage][name][dec.decision] += 1
    return {
        "review": {"title": review.title if review else None},
        "imports": count(session, models.SearchImport),
        "records": {
            "imported": count(session, models.RecordProvenance),
            "stored": count(session, models.RecordRow),
        },
        "reviewers": [{"name": r.name, "role": r.role} for r in reviewers.values()],
        "stages": {
            stage: {
                "reviewers": {
                    name: {**dict(sorted(c.items())), "decided": sum(c.values())}
                    for name, c in sorted(per_stage.get(stage, {}).items())
                }
            }
            for stage in stages
        },
    }
