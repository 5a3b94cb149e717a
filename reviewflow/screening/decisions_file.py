"""Reading a decisions CSV (``record_id,decision[,reason,note]``) for ``reviewflow decide``.

The whole file is checked before anything is written: a bad row is reported by
line and column and nothing is stored, so a file is either loaded or not (each
row is then committed on its own). Every row gets a client key made from the
file's content, line, reviewer and stage: re-running the same file after an
interruption stores only the rows not stored yet.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from reviewflow.errors import InputError, refuse_nul
from reviewflow.formula_guard import restore
from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.plan import read_plan
from reviewflow.screening.decisions import locked_message, write_decision
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import FULL_TEXT, LABELS
from reviewflow.store.reader import Reader
from reviewflow.store.writer import Writer

ALIASES = {"include": "include", "included": "include", "exclude": "exclude",
           "excluded": "exclude", "maybe": "maybe", "not_retrieved": "not_retrieved",
           "not retrieved": "not_retrieved", "not-retrieved": "not_retrieved"}


@dataclass(frozen=True)
class FileDecision:
    line: int
    record_id: int
    decision: str
    reason: str | None
    note: str | None
    key_seed: str


def _read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), None, f"not UTF-8 text ({exc.reason})") from exc
    refuse_nul(text, str(path))
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    for needed in ("record_id", "decision"):
        if needed not in header:
            raise InputError(str(path), 1, f"missing column {needed!r} "
                             "(expected record_id,decision[,reason,note])")
    rows = []
    for row in reader:
        clean = {(k or "").strip().lower(): restore((v or "").strip()) for k, v in row.items()
                 if isinstance(v, str | None)}
        rows.append((reader.line_num, clean))
    return rows, hashlib.sha256(raw).hexdigest()


def load_decisions_file(settings: ScreeningSettings, path: Path, stage: str,
                        reviewer_id: int | None = None, *,
                        reader: Reader) -> list[FileDecision]:
    """Parse and check every row; raises :class:`InputError` naming the first bad one.

    With ``reviewer_id``, a row that would change that screener's vote after it was
    revealed (locked) is refused too; one repeating the locked vote is dropped.
    """
    rows, digest = _read_rows(path)
    state = read_review_state(reader, with_plan=reviewer_id is not None)
    plan = state.stage(stage).plan
    names = {p.id: p.name for p in state.people.values()}
    existing = state.record_ids
    gone = state.merges.kept_of
    at_stage = state.stage(stage)
    eligible = set(at_stage.eligible) if stage == FULL_TEXT else None
    out: list[FileDecision] = []
    first_line: dict[int, int] = {}
    for line, row in rows:
        if not any(row.values()):
            continue

        def bad(column: str, problem: str, line: int = line) -> InputError:
            return InputError(str(path), line, f"column {column}: {problem}")

        try:
            rid = int(row.get("record_id", ""))
        except ValueError:
            raise bad("record_id", f"{row.get('record_id')!r} is not a record id") from None
        if rid not in existing:
            raise bad("record_id", f"record {rid} does not exist")
        if rid in first_line:  # which row would win is a guess: refuse, never pick silently
            raise bad("record_id", f"record {rid} is also on line {first_line[rid]}; keep one "
                      "row per record")
        first_line[rid] = line
        if rid in gone:
            raise bad("record_id", f"record {rid} was merged into record {gone[rid]} by dedup")
        if eligible is not None and rid not in eligible:
            raise bad("record_id", f"record {rid} has not reached {LABELS[stage].lower()}")
        decision = ALIASES.get(row.get("decision", "").lower())
        if decision is None:
            raise bad("decision", f"{row.get('decision')!r}; use include, exclude or maybe")
        if decision == "not_retrieved" and stage != FULL_TEXT:
            raise bad("decision", "'not retrieved' applies to full-text reports only")
        reason = row.get("reason") or None
        if stage == FULL_TEXT and decision == "exclude":
            if not reason:
                raise bad("reason", "a full-text exclusion needs a reason")
            try:
                reason = settings.match_reason(reason)
            except Exception as exc:
                raise bad("reason", str(exc)) from None
        refused = plan.refusal(reviewer_id, rid, names) if plan and reviewer_id else None
        if refused is not None:
            raise bad("record_id", refused)
        if reviewer_id is not None and reviewer_id in at_stage.status(rid).locked:
            mine = next((v for v in at_stage.status(rid).votes if v.reviewer_id == reviewer_id),
                        None)
            if mine is not None and (mine.decision, mine.reason) == (decision, reason):
                continue
            raise bad("decision", locked_message(rid, stage))
        out.append(FileDecision(line, rid, decision, reason, row.get("note") or None,
                                f"{digest}:{line}"))
    return out


def _key(seed: str, stage: str, reviewer_id: int) -> str:
    return hashlib.sha256(f"{seed}:{stage}:{reviewer_id}".encode()).hexdigest()


def write_decisions(rows: list[FileDecision], stage: str, reviewer_id: int, *,
                    writer: Writer) -> tuple[int, int]:
    """Store the rows in the caller's transaction; returns (newly stored, already stored).

    One file is one transaction: a kill half-way stores none of it, and loading
    the file again stores each row once (keys from the file's digest and line).
    """
    keys = [_key(r.key_seed, stage, reviewer_id) for r in rows]
    reader = writer.reader
    done: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        done.update(key for (key,) in reader.rows(
            "SELECT client_key FROM screening_decision WHERE client_key IN "
            f"({', '.join('?' for _ in chunk)})", chunk))
    state = read_review_state(reader)
    plan = read_plan(reader, stage)
    new = 0
    for row, key in zip(rows, keys, strict=True):
        if key in done:
            continue
        write_decision(writer=writer, record_id=row.record_id, stage=stage,
                       reviewer_id=reviewer_id, decision=row.decision, reason=row.reason,
                       note=row.note, client_key=key, people=state.people, policy=state.policy,
                       plan=plan)
        new += 1
    return new, len(rows) - new
