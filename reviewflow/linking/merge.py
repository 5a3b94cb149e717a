"""Merging two studies that turn out to be one trial, and taking them apart again.

Two reports of one trial (often a Chinese and an English one) may each have
become a study, each with extraction values and risk-of-bias judgements, before
anyone saw they were one trial. Merging appends a ``study_merge`` event; no row
moves. Readers map the absorbed study to the one it joined, so the study is
counted and analysed once, and ``unmerge`` gives each study back exactly what it
held.

Nothing a reviewer entered may be hidden by the merge. Two rules refuse it,
naming the fields, until a person makes the two studies agree (or clears one
side):

* one reviewer holds different values for one field in the two studies (the
  later would silently hide the earlier);
* a consensus value in one study differs from a value in the other (the
  consensus would silently overrule it).

Values of one field from different reviewers that differ, with no consensus,
do not block: after the merge they are a discrepancy in ``extraction compare``
(a conflict for a person), as any dual-extraction disagreement is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.values import consensus_values, reviewer_values, same_value
from reviewflow.store import models
from reviewflow.store.study_merges import (
    MERGE,
    UNMERGE,
    final_study,
    lock_study_merges,
    members,
    study_merge_map,
)
from reviewflow.wording import plural

Cells = tuple[dict[tuple[int, str], str | None], dict[str, str | None]]
"""One study's own current cells: (reviewer, field) -> value, and field -> consensus."""


@dataclass(frozen=True)
class Clash:
    """A field the merge would hide a value of."""

    field: str
    shown: str  # e.g. "ann: 30 / 32" or "consensus 30 / bob: 32"


def _value_cells(session: Session, study_id: int) -> Cells:
    """The study's values as readers see them (with any study already merged into it)."""
    mine = {(rid, path): value
            for (_s, rid, path), value in reviewer_values(session, study_id).items()}
    agreed = {path: value for (_s, path), value in consensus_values(session, study_id).items()}
    return mine, agreed


def _rob_cells(session: Session, study_ids: frozenset[int]) -> Cells:
    """Risk of bias as fields ``rob/<tool>/<outcome>/<domain>`` (latest row wins)."""
    r = models.RobJudgement
    mine: dict[tuple[int, str], str | None] = {}
    agreed: dict[str, str | None] = {}
    for tool, outcome, domain, judgement, rid, consensus in session.exec(
            select(r.tool, r.outcome, r.domain, r.judgement, r.reviewer_id, r.is_consensus)
            .where(col(r.study_id).in_(study_ids)).order_by(col(r.id))).all():
        path = f"rob/{tool}/{outcome or '-'}/{domain}"
        if consensus:
            agreed[path] = judgement
        else:
            mine[(rid, path)] = judgement
    return mine, agreed


def _show(value: str | None) -> str:
    return value if value is not None else "(empty)"


def clashes(a: Cells, b: Cells, names: Mapping[int, str]) -> list[Clash]:
    """Fields whose values in study ``a`` and study ``b`` a merge would hide (pure)."""
    (mine_a, agreed_a), (mine_b, agreed_b) = a, b
    out: dict[str, Clash] = {}
    for rid, path in sorted(mine_a.keys() & mine_b.keys(), key=lambda k: k[1]):
        x, y = mine_a[(rid, path)], mine_b[(rid, path)]
        if not same_value([x, y])[0]:
            who = names.get(rid, f"#{rid}")
            out.setdefault(path, Clash(path, f"{who}: {_show(x)} / {_show(y)}"))
    for agreed, other, mine_other in ((agreed_a, agreed_b, mine_b), (agreed_b, agreed_a, mine_a)):
        for path, value in sorted(agreed.items()):
            if value is None or path in out:
                continue
            theirs = ([("consensus", other[path])] if path in other else []) + [
                (names.get(rid, f"#{rid}"), v) for (rid, p), v in mine_other.items()
                if p == path and v is not None]
            for who, v in theirs:
                if not same_value([value, v])[0]:
                    out[path] = Clash(path, f"consensus {value} / {who}: {_show(v)}")
                    break
    return [out[p] for p in sorted(out)]


def _study(session: Session, study_id: int) -> models.Study:
    row = session.get(models.Study, study_id)
    if row is None:
        raise ReviewflowError(f"study {study_id}: no such study")
    return row


def merge_studies(keep: int, absorb: int, *, session: Session, by: str,
                  note: str | None = None) -> int:
    """Make study ``absorb`` part of study ``keep`` (in the caller's transaction); the id
    of the study both now are. Refuses, naming the fields, when a value would be hidden."""
    lock_study_merges(session)
    merges = study_merge_map(session)
    keep, absorb = final_study(merges, keep), final_study(merges, absorb)
    kept, gone = _study(session, keep), _study(session, absorb)
    if keep == absorb:
        raise ReviewflowError(f"study {kept.label!r}: already one study")
    names = dict(session.exec(select(models.Reviewer.id, models.Reviewer.name)).all())
    side_a, side_b = members(merges, keep), members(merges, absorb)
    found = (clashes(_value_cells(session, keep), _value_cells(session, absorb), names)
             + clashes(_rob_cells(session, side_a), _rob_cells(session, side_b), names))
    if found:
        listed = "; ".join(f"{c.field} ({c.shown})" for c in found[:8])
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        raise ReviewflowError(
            f"cannot merge study {gone.label!r} into {kept.label!r}: "
            f"{plural(len(found), 'field')} holding values the merge would hide "
            f"({kept.label!r} / {gone.label!r}): "
            f"{listed}{more}; make them agree or clear "
            "one side ('reviewflow extraction set'), then merge again")
    session.add(models.StudyMerge(study_id=absorb, into_id=keep, action=MERGE, note=note,
                                  by=by))
    return keep


def unmerge_study(study_id: int, *, session: Session, by: str) -> int:
    """Take study ``study_id`` out of the study it was merged into; that study's id."""
    m = models.StudyMerge
    lock_study_merges(session)
    last = session.exec(select(m).where(m.study_id == study_id)
                        .order_by(col(m.id).desc())).first()
    label = _study(session, study_id).label
    if last is None or last.action != MERGE:
        raise ReviewflowError(f"study {label!r} is not merged into another study")
    session.add(models.StudyMerge(study_id=study_id, into_id=last.into_id, action=UNMERGE,
                                  by=by))
    return last.into_id
