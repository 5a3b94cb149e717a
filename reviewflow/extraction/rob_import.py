"""Risk-of-bias judgements from a CSV (one row per study and domain).

Columns: ``study, domain, judgement`` and optionally ``support``, ``tool``
(else the tool given on the command line) and ``outcome`` (RoB 2 judges a
result). Domains may be written as ids, full labels (with or without the bias
type in brackets) or robvis's D1..D7. Validated whole before anything is written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError, refuse_nul
from reviewflow.extraction.rob import TOOLS, Tool, read_in_use, tool, write_judgements
from reviewflow.review_state.load import read_study_links
from reviewflow.screening.decisions import require_person
from reviewflow.store.writer import Writer, session_writer
from reviewflow.wording import plural

if TYPE_CHECKING:  # the session wrapper (the demo, PostgreSQL); the seam never loads it
    from sqlmodel import Session


def import_rob_csv(*, session: Session, path: Path, reviewer: str | int,
                   default_tool: Tool) -> int:
    """:func:`write_rob_csv` in a session."""
    return write_rob_csv(writer=session_writer(session), path=path, reviewer=reviewer,
                         default_tool=default_tool)


def write_rob_csv(*, writer: Writer, path: Path, reviewer: str | int,
                  default_tool: Tool) -> int:
    """Store a reviewer's judgements (name, or reviewer id) in the caller's transaction;
    nothing when a row is bad."""
    if not path.is_file():
        raise ReviewflowError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReviewflowError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    refuse_nul(text, str(path))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if rows and not {"study", "domain", "judgement"} <= set(rows[0]):
        raise ReviewflowError(f"{path}, row 1: needs columns study, domain, judgement "
                              "(and optionally support, tool)")
    reader = writer.reader
    studies = {label.lower(): sid for sid, label, _rids, _ in read_study_links(reader)}
    # The review's own items count: "random_sequence" is its "Adequate sequence generation?"
    tools = {t.id: read_in_use(reader, t) for t in TOOLS.values()}
    problems: list[str] = []
    entries: dict[tuple[str, str], list[tuple[int, str, str, str | None]]] = {}
    for i, row in enumerate(rows, start=2):
        try:
            t = tools[(tool(row["tool"]) if (row.get("tool") or "").strip()
                       else default_tool).id]
            sid = studies.get((row.get("study") or "").strip().lower())
            if sid is None:
                raise ReviewflowError(f"field study: unknown study {row.get('study')!r}")
            dom = _field("domain", t.domain, row["domain"])
            judgement = _field("judgement", t.judgement, row["judgement"])
        except ReviewflowError as exc:
            problems.append(f"row {i}, {exc}")
            continue
        key = (t.id, (row.get("outcome") or "").strip())
        entries.setdefault(key, []).append((sid, dom.id, judgement, row.get("support")))
    if problems:
        raise ReviewflowError(f"{path}: {plural(len(problems), 'problem')}, nothing imported: "
                              + "; ".join(problems[:12]))
    reviewer_id = (reviewer if isinstance(reviewer, int)
                   else require_person(reader, reviewer).id)
    return sum(write_judgements(writer=writer, rob_tool=tools[t], reviewer_id=reviewer_id,
                                entries=e, outcome=o or None)
               for (t, o), e in entries.items())


def _field(name: str, parse, text: str | None):
    try:
        return parse(text or "")
    except ReviewflowError as exc:
        raise ReviewflowError(f"field {name}: {exc}") from None
