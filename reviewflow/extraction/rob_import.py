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

from sqlmodel import Session

from reviewflow.errors import ReviewflowError, refuse_nul
from reviewflow.extraction.rob import TOOLS, Tool, in_use_in, record_judgements, tool
from reviewflow.review_state.load import study_links
from reviewflow.screening.decisions import require_reviewer
from reviewflow.wording import plural


def import_rob_csv(*, session: Session, path: Path, reviewer: str | int,
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
    studies = {label.lower(): sid for sid, label, _rids, _ in study_links(session)}
    # The review's own items count: "random_sequence" is its "Adequate sequence generation?"
    tools = {t.id: in_use_in(session, t) for t in TOOLS.values()}
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
                   else int(require_reviewer(session, reviewer).id or 0))
    return sum(record_judgements(session=session, rob_tool=tools[t], reviewer_id=reviewer_id,
                                 entries=e, outcome=o or None)
               for (t, o), e in entries.items())


def _field(name: str, parse, text: str | None):
    try:
        return parse(text or "")
    except ReviewflowError as exc:
        raise ReviewflowError(f"field {name}: {exc}") from None
