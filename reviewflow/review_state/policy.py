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
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.review_state.plan import ALLOCATION_PREFIX, in_verification, iso_time
from reviewflow.review_state.votes import Person
from reviewflow.stages import FULL_TEXT, LABELS, STAGES, TITLE_ABSTRACT
from reviewflow.store.reader import Reader, session_reader
from reviewflow.store.writer import Writer, session_writer
from reviewflow.wording import plural

if TYPE_CHECKING:  # the writers below load the ORM when they run, not on import
    from sqlmodel import Session

    from reviewflow.store import models

DEFAULT_REQUIRED = 2
MAX_REQUIRED = 10
BLIND_KEY = "blind"


def required_key(stage: str) -> str:
    return f"required:{stage}"


def verify_key(stage: str) -> str:
    return f"verify:{stage}"


@dataclass(frozen=True)
class ScreeningPolicy:
    """How a review is screened: blinding and how many screeners each record needs."""

    blind: bool = True
    required_title_abstract: int = DEFAULT_REQUIRED
    required_full_text: int = DEFAULT_REQUIRED
    verification: tuple[tuple[str, float, int], ...] = ()
    """(stage, fraction, seed): single screening's verification sample, per stage."""

    def required(self, stage: str) -> int:
        return self.required_title_abstract if stage == TITLE_ABSTRACT else self.required_full_text

    def verify(self, stage: str) -> tuple[float, int] | None:
        """(fraction, seed) of the verification sample at ``stage``; None without one."""
        return next(((f, seed) for st, f, seed in self.verification
                     if st == stage and f > 0 and self.required(stage) == 1), None)

    def in_verification(self, stage: str, record_id: int) -> bool:
        sample = self.verify(stage)
        return sample is not None and in_verification(sample[1], record_id, sample[0])

    def required_for(self, stage: str, record_id: int) -> int:
        """Screeners this record needs: a verification-sample record gets a second one."""
        return 2 if self.in_verification(stage, record_id) else self.required(stage)

    def describe(self) -> str:
        parts = []
        for s in STAGES:
            sample = self.verify(s)
            extra = f" (+ {sample[0]:.0%} verified by a second)" if sample else ""
            parts.append(f"{LABELS[s].lower()}: {plural(self.required(s), 'screener')}{extra}")
        return f"blind {'on' if self.blind else 'off'}; " + ", ".join(parts)


@dataclass(frozen=True)
class PolicyChange:
    """One audited change of a rule."""

    key: str
    value: object
    changed_by: str | None
    at: str


def _legacy_blind(reader: Reader) -> bool:
    found = reader.rows("SELECT settings_json, blind FROM review ORDER BY id LIMIT 1")
    if not found:
        return True
    settings_json, blind = found[0]
    stored = json.loads(settings_json or "{}").get("screening", {})
    return bool(stored.get("blind", blind))


# Rule rows only: the screening plan's rows (pilot, allocation) are read by
# :mod:`reviewflow.review_state.plan` and an allocation holds every record id.
_RULE_ROWS = '"key" NOT LIKE ? AND "key" NOT LIKE ?'
_RULE_PARAMS = ("pilot%", f"{ALLOCATION_PREFIX}%")


def load_policy(session: Session) -> ScreeningPolicy:
    """The rules in force, read in the session's transaction."""
    return read_policy(session_reader(session))


def read_policy(reader: Reader) -> ScreeningPolicy:
    """The rules in force (latest change per key; defaults for anything never set)."""
    latest: dict[str, object] = {}
    for key, value in reader.rows(
            f'SELECT "key", value FROM setting_change WHERE'
            f" {_RULE_ROWS} ORDER BY id",
            _RULE_PARAMS):
        latest[key] = json.loads(value)
    blind = latest.get(BLIND_KEY)
    if blind is None:
        blind = _legacy_blind(reader)
    return ScreeningPolicy(
        blind=bool(blind),
        required_title_abstract=int(latest.get(required_key(TITLE_ABSTRACT),  # type: ignore[arg-type]
                                               DEFAULT_REQUIRED)),
        required_full_text=int(latest.get(required_key(FULL_TEXT), DEFAULT_REQUIRED)),  # type: ignore[arg-type]
        verification=tuple((st, float(v["fraction"]), int(v["seed"]))  # type: ignore[index]
                           for st in STAGES if (v := latest.get(verify_key(st)))),
    )


def read_policy_history(reader: Reader) -> list[PolicyChange]:
    """Every change of the rules, oldest first, with who made it."""
    names = dict(reader.rows("SELECT id, name FROM reviewer"))
    rows = reader.rows('SELECT "key", value, changed_by_id, at FROM setting_change '
                       f"WHERE {_RULE_ROWS} ORDER BY id", _RULE_PARAMS)
    return [PolicyChange(k, json.loads(v), names.get(by) if by else None, iso_time(at))
            for k, v, by, at in rows]


def check_rule_maker(reader: Reader, person: Person, what: str) -> None:
    """Refuse anyone but an arbiter (or the review's only reviewer) a rule-making step."""
    if person.role != "arbiter" and reader.scalar("SELECT COUNT(*) FROM reviewer") > 1:
        raise ReviewflowError(f"{person.name} is not an arbiter: only an arbiter {what}")


def require_rule_maker(session: Session, person: models.Reviewer | Person, what: str) -> None:
    """:func:`check_rule_maker` in a session."""
    check_rule_maker(session_reader(session), as_person(person), what)


def as_person(row: models.Reviewer | Person) -> Person:
    """A reviewer as the read model's frozen :class:`Person` (an ORM row from a session)."""
    assert row.id is not None
    return Person(row.id, row.name, row.role)


def write_policy_change(*, writer: Writer, changed_by: Person, blind: bool | None = None,
                        required: dict[str, int] | None = None,
                        verify: dict[str, tuple[float, int]] | None = None) -> ScreeningPolicy:
    """Record a change of the rules (only what differs), audited with who; returns the new rules.

    Only an arbiter (or the review's only reviewer) may change them: blinding off
    lets every screener see every vote.
    """
    reader = writer.reader
    check_rule_maker(reader, changed_by, "changes the review's screening rules")
    current = read_policy(reader)
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
    for stage, (fraction, seed) in (verify or {}).items():
        if stage not in STAGES:
            raise ReviewflowError(f"unknown stage {stage!r}")
        if not 0 <= fraction <= 1:
            raise ReviewflowError(f"the verification fraction must be 0 to 1, not {fraction}")
        if fraction > 0 and (required or {}).get(stage, current.required(stage)) != 1:
            raise ReviewflowError("a verification sample applies to single screening "
                                  "(--screeners 1): with two or more every record is checked")
        if current.verify(stage) != ((fraction, seed) if fraction > 0 else None):
            changes.append((verify_key(stage), {"fraction": fraction, "seed": seed}))
    for key, value in changes:
        writer.insert("setting_change", key=key, value=json.dumps(value),
                      changed_by_id=changed_by.id)
    if blind is not None and blind != current.blind:
        review_id, settings_json = reader.rows(
            "SELECT id, settings_json FROM review ORDER BY id LIMIT 1")[0]
        data = json.loads(settings_json or "{}")
        data.setdefault("screening", {})["blind"] = blind
        writer.execute("UPDATE review SET settings_json = ?, blind = ? WHERE id = ?",
                       (json.dumps(data, ensure_ascii=False), blind, review_id))
    return read_policy(reader)


def change_policy(*, session: Session, changed_by: models.Reviewer | Person,
                  blind: bool | None = None, required: dict[str, int] | None = None,
                  verify: dict[str, tuple[float, int]] | None = None) -> ScreeningPolicy:
    """:func:`write_policy_change` in a session."""
    return write_policy_change(writer=session_writer(session), changed_by=as_person(changed_by),
                               blind=blind, required=required, verify=verify)
