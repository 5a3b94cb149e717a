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
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.reconcile import (
    read_consensus_values,
    read_reviewer_values,
    same_value,
)
from reviewflow.store.reader import Reader
from reviewflow.store.study_merges import (
    MERGE,
    UNMERGE,
    final_study,
    lock_merges,
    members,
    read_study_merge_map,
)
from reviewflow.store.writer import Writer, session_writer
from reviewflow.wording import plural

if TYPE_CHECKING:  # the session wrappers (same-study, the TUI, PostgreSQL)
    from sqlmodel import Session

Cells = tuple[dict[tuple[int, str], str | None], dict[str, str | None]]
"""One study's own current cells: (reviewer, field) -> value, and field -> consensus."""


@dataclass(frozen=True)
class Clash:
    """A field the merge would hide a value of."""

    field: str
    shown: str  # e.g. "ann: 30 / 32" or "consensus 30 / bob: 32"


def _value_cells(reader: Reader, study_id: int) -> Cells:
    """The study's values as readers see them (with any study already merged into it)."""
    mine = {(rid, path): value
            for (_s, rid, path), value in read_reviewer_values(reader, study_id).items()}
    agreed = {path: value
              for (_s, path), value in read_consensus_values(reader, study_id).items()}
    return mine, agreed


def _rob_cells(reader: Reader, study_ids: frozenset[int]) -> Cells:
    """Risk of bias as fields ``rob/<tool>/<outcome>/<domain>`` (latest row wins)."""
    mine: dict[tuple[int, str], str | None] = {}
    agreed: dict[str, str | None] = {}
    ids = sorted(study_ids)
    for tool, outcome, domain, judgement, rid, consensus in reader.rows(
            "SELECT tool, outcome, domain, judgement, reviewer_id, is_consensus "
            f"FROM rob_judgement WHERE study_id IN ({', '.join('?' for _ in ids)}) "
            "ORDER BY id", ids):
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


def _label(reader: Reader, study_id: int) -> str:
    label = reader.scalar("SELECT label FROM study WHERE id = ?", (study_id,))
    if label is None:
        raise ReviewflowError(f"study {study_id}: no such study")
    return str(label)


def write_merge(keep: int, absorb: int, *, writer: Writer, by: str,
                note: str | None = None) -> int:
    """Make study ``absorb`` part of study ``keep`` (in the caller's transaction); the id
    of the study both now are. Refuses, naming the fields, when a value would be hidden."""
    lock_merges(writer)
    reader = writer.reader
    merges = read_study_merge_map(reader)
    keep, absorb = final_study(merges, keep), final_study(merges, absorb)
    kept, gone = _label(reader, keep), _label(reader, absorb)
    if keep == absorb:
        raise ReviewflowError(f"study {kept!r}: already one study")
    names: dict[int, str] = dict(reader.rows("SELECT id, name FROM reviewer"))  # type: ignore[arg-type]
    side_a, side_b = members(merges, keep), members(merges, absorb)
    found = (clashes(_value_cells(reader, keep), _value_cells(reader, absorb), names)
             + clashes(_rob_cells(reader, side_a), _rob_cells(reader, side_b), names))
    if found:
        listed = "; ".join(f"{c.field} ({c.shown})" for c in found[:8])
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        raise ReviewflowError(
            f"cannot merge study {gone!r} into {kept!r}: "
            f"{plural(len(found), 'field')} holding values the merge would hide "
            f"({kept!r} / {gone!r}): "
            f"{listed}{more}; make them agree or clear "
            "one side ('reviewflow extraction set'), then merge again")
    writer.insert("study_merge", study_id=absorb, into_id=keep, action=MERGE, note=note, by=by)
    return keep


def merge_studies(keep: int, absorb: int, *, session: Session, by: str,
                  note: str | None = None) -> int:
    """:func:`write_merge` in a session (same-study links, the TUI, PostgreSQL)."""
    return write_merge(keep, absorb, writer=session_writer(session), by=by, note=note)


def write_unmerge(study_id: int, *, writer: Writer, by: str) -> int:
    """Take study ``study_id`` out of the study it was merged into; that study's id."""
    lock_merges(writer)
    last = writer.reader.rows("SELECT action, into_id FROM study_merge WHERE study_id = ? "
                              "ORDER BY id DESC LIMIT 1", (study_id,))
    label = _label(writer.reader, study_id)
    if not last or last[0][0] != MERGE:
        raise ReviewflowError(f"study {label!r} is not merged into another study")
    into = int(last[0][1])
    writer.insert("study_merge", study_id=study_id, into_id=into, action=UNMERGE, by=by)
    return into


def unmerge_labelled(label: str, *, writer: Writer, by: str) -> tuple[str, str]:
    """:func:`write_unmerge` of the study labelled ``label`` exactly (a merged study is
    listed under the study it joined, so it is named by its own label here); (its
    label, the label of the study it leaves)."""
    found = writer.reader.rows("SELECT id, label FROM study WHERE label = ? ORDER BY id "
                               "LIMIT 1", (label.strip(),))
    if not found:
        raise ReviewflowError(f"no study labelled {label!r}; see "
                              "'reviewflow extraction study list'")
    study_id, name = int(found[0][0]), str(found[0][1])
    return name, _label(writer.reader, write_unmerge(study_id, writer=writer, by=by))


def unmerge_study(study_id: int, *, session: Session, by: str) -> int:
    """:func:`write_unmerge` in a session."""
    return write_unmerge(study_id, writer=session_writer(session), by=by)
