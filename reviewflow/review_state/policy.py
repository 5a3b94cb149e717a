"""The review's screening rules as the store holds them: blind mode and screeners per stage.

They are shared by every terminal and machine on the store, so they live there:
the latest :class:`~reviewflow.store.models.SettingChange` row per key wins, and
each change names who made it. Stores from before issue 16 carry the blind flag
in ``Review.blind`` / ``settings_json``; that is the fallback until a change is
recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from reviewflow.errors import ReviewflowError
from reviewflow.stages import FULL_TEXT, LABELS, STAGES, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.wording import plural

DEFAULT_REQUIRED = 2
MAX_REQUIRED = 10
BLIND_KEY = "blind"


def required_key(stage: str) -> str:
    return f"required:{stage}"


@dataclass(frozen=True)
class ScreeningPolicy:
    """How a review is screened: blinding and how many screeners each record needs."""

    blind: bool = True
    required_title_abstract: int = DEFAULT_REQUIRED
    required_full_text: int = DEFAULT_REQUIRED

    def required(self, stage: str) -> int:
        return self.required_title_abstract if stage == TITLE_ABSTRACT else self.required_full_text

    def describe(self) -> str:
        parts = [f"{LABELS[s].lower()}: {plural(self.required(s), 'screener')}" for s in STAGES]
        return f"blind {'on' if self.blind else 'off'}; " + ", ".join(parts)


@dataclass(frozen=True)
class PolicyChange:
    """One audited change of a rule."""

    key: str
    value: object
    changed_by: str | None
    at: str


def _legacy_blind(review: models.Review | None) -> bool:
    if review is None:
        return True
    stored = json.loads(review.settings_json or "{}").get("screening", {})
    return bool(stored.get("blind", review.blind))


def load_policy(session: Session) -> ScreeningPolicy:
    """The rules in force (latest change per key; defaults for anything never set)."""
    c = models.SettingChange
    latest: dict[str, object] = {}
    for key, value in session.exec(select(c.key, c.value).order_by(c.id)).all():  # type: ignore[arg-type]
        latest[key] = json.loads(value)
    blind = latest.get(BLIND_KEY)
    if blind is None:
        blind = _legacy_blind(session.exec(select(models.Review)).first())
    return ScreeningPolicy(
        blind=bool(blind),
        required_title_abstract=int(latest.get(required_key(TITLE_ABSTRACT),  # type: ignore[arg-type]
                                               DEFAULT_REQUIRED)),
        required_full_text=int(latest.get(required_key(FULL_TEXT), DEFAULT_REQUIRED)),  # type: ignore[arg-type]
    )


def policy_history(session: Session) -> list[PolicyChange]:
    """Every change of the rules, oldest first, with who made it."""
    c, r = models.SettingChange, models.Reviewer
    names = dict(session.exec(select(r.id, r.name)).all())
    rows = session.exec(select(c.key, c.value, c.changed_by_id, c.at).order_by(c.id)).all()  # type: ignore[arg-type]
    return [PolicyChange(k, json.loads(v), names.get(by) if by else None, at.isoformat())
            for k, v, by, at in rows]


def change_policy(*, session: Session, changed_by: models.Reviewer, blind: bool | None = None,
                  required: dict[str, int] | None = None) -> ScreeningPolicy:
    """Record a change of the rules (only what differs), audited with who; returns the new rules.

    Only an arbiter (or the review's only reviewer) may change them: blinding off
    lets every screener see every vote.
    """
    if changed_by.role != "arbiter":
        others = session.exec(select(models.Reviewer.id)).all()
        if len(others) > 1:
            raise ReviewflowError(f"{changed_by.name} is not an arbiter: only an arbiter "
                                  "changes the review's screening rules")
    current = load_policy(session)
    changes: list[tuple[str, object]] = []
    if blind is not None and blind != current.blind:
        changes.append((BLIND_KEY, blind))
    for stage, n in (required or {}).items():
        if stage not in STAGES:
            raise ReviewflowError(f"unknown stage {stage!r}")
        if not 1 <= n <= MAX_REQUIRED:
            raise ReviewflowError(f"screeners per record must be 1 to {MAX_REQUIRED}, not {n}")
        if n != current.required(stage):
            changes.append((required_key(stage), n))
    for key, value in changes:
        session.add(models.SettingChange(key=key, value=json.dumps(value),
                                         changed_by_id=changed_by.id))
    if blind is not None and blind != current.blind:
        review = session.exec(select(models.Review)).one()
        data = json.loads(review.settings_json or "{}")
        data.setdefault("screening", {})["blind"] = blind
        review.settings_json = json.dumps(data, ensure_ascii=False)
        review.blind = blind
        session.add(review)
    session.flush()
    return load_policy(session)
