"""The spreadsheet layout for teams that extract outside reviewflow (CSV or XLSX).

One row per study and outcome ("wide" for the numbers, so a row reads like a
line of a RevMan data table)::

    study, outcome, <study fields...>, <arm>_<arm field>..., <outcome fields...>,
    mean_treat, sd_treat, events_treat, n_treat, mean_ctrl, sd_ctrl, events_ctrl, n_ctrl

with one group of statistic columns per arm of the form (``_<arm id>``), and the
reported statistics (``median_treat``, ``q1_treat`` ...) of outcomes that list them.

``outcome`` holds the outcome's id or its label. An ``outcome_type`` column, if
present, is checked against the form (continuous / dichotomous) and not stored.

Study-level columns repeat on every row of a study (they must agree); a study
with no outcome data has one row with ``outcome`` empty. Empty cells mean "not
extracted". The statistic columns are named as the ``reviewflow pool`` CSV
names them, so an exported sheet filtered to one outcome is a pooling input.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from reviewflow.errors import ReviewflowError, refuse_nul
from reviewflow.extraction.form import (
    EFFECT,
    REPORTED_ALL,
    Form,
    arm_field_path,
    effect_path,
    normalise_value,
    outcome_field_path,
    stat_path,
    study_path,
)
from reviewflow.extraction.validation import column, outcome_problems
from reviewflow.formula_guard import neutralise_row, restore, xlsx_append
from reviewflow.paths import whole_file
from reviewflow.wording import plural

STAT_ORDER = ("mean", "sd", "events", "n")
MAX_SHOWN = 12


@dataclass(frozen=True)
class Entry:
    """One value to store, traced to its row for messages."""

    study: str
    path: str
    value: str
    row: int


def header(form: Form) -> list[str]:
    cols = ["study", "outcome", *(f.name for f in form.study_fields)]
    cols += [f"{a.id}_{f.name}" for a in form.arms for f in form.arm_fields]
    cols += [f.name for f in form.outcome_fields]
    cols += [column(s, a.id) for a in form.arms for s in stat_order(form)]
    if any(o.effect_stats for o in form.outcomes):
        cols += [f"effect_{s}" for s in EFFECT]
    return cols


def stat_order(form: Form) -> tuple[str, ...]:
    """The core statistics, then the reported ones (median, q1 ...) some outcome lists."""
    used = {s for o in form.outcomes for s in o.reported}
    extra = [s for s in REPORTED_ALL if s in used]
    return (*STAT_ORDER, *extra)


def _cell_paths(form: Form, outcome_id: str) -> dict[str, str]:
    """Column -> field path for one row (outcome '' = study-level columns only)."""
    paths = {f.name: study_path(f.name) for f in form.study_fields}
    paths |= {f"{a.id}_{f.name}": arm_field_path(a.id, f.name) for a in form.arms
              for f in form.arm_fields}
    if outcome_id:
        out = form.find_outcome(outcome_id)
        paths |= {f.name: outcome_field_path(out.id, f.name) for f in form.outcome_fields}
        paths |= {column(s, a.id): stat_path(out.id, a.id, s)
                  for a in form.arms for s in out.stats}
        paths |= {f"effect_{s}": effect_path(out.id, s) for s in out.effect_stats}
    return paths


def to_rows(form: Form, values: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Dataset (study label -> path -> value) to spreadsheet rows."""
    rows = []
    for study in sorted(values):
        data = values[study]
        reported = [o.id for o in form.outcomes
                    if any(p.startswith(f"outcome/{o.id}/") for p in data)]
        for outcome_id in reported or [""]:
            row = {c: "" for c in header(form)} | {"study": study, "outcome": outcome_id}
            for col_name, path in _cell_paths(form, outcome_id).items():
                row[col_name] = data.get(path, "")
            rows.append(row)
    return rows


def write_sheet(path: Path, fmt: str, form: Form, values: dict[str, dict[str, str]]) -> int:
    rows = to_rows(form, values)
    cols = header(form)
    try:
        with whole_file(path) as tmp:  # a full disk leaves no empty or partial sheet
            _write(tmp, fmt, cols, rows)
    except OSError as exc:
        raise ReviewflowError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return len(rows)


def _write(path: Path, fmt: str, cols: list[str], rows: list[dict[str, str]]) -> None:
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=cols)
            writer.writeheader()
            writer.writerows(neutralise_row(r) for r in rows)  # see reviewflow.formula_guard
        return
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "extraction"
    ws.append(cols)
    for row in rows:
        xlsx_append(ws, [_typed(row[c]) for c in cols])  # text cells never formulas
    wb.save(path)


def _typed(text: str) -> object:
    """Numbers as numbers in XLSX so spreadsheet formulas work on them."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number == int(number) and "." not in text else number


def read_sheet(path: Path) -> list[dict[str, str]]:
    """Rows as text dicts (header row excluded); row i is spreadsheet row i + 2."""
    if not path.is_file():
        raise ReviewflowError(f"{path}: no such file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
            ws = wb["extraction"] if "extraction" in wb.sheetnames else wb.worksheets[0]
            table = [[_text(c) for c in r] for r in ws.iter_rows(values_only=True)]
            wb.close()
        except Exception as exc:  # openpyxl raises many types for a damaged zip/xml
            raise ReviewflowError(f"{path}: not a readable Excel workbook ({exc})") from None
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReviewflowError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        refuse_nul(text, str(path))
        table = list(csv.reader(io.StringIO(text, newline="")))
    if not table:
        raise ReviewflowError(f"{path}: empty file")
    head = [h.strip() for h in table[0]]
    return [dict(zip(head, [restore(c) for c in r] + [""] * (len(head) - len(r)), strict=False))
            for r in table[1:] if any(str(c).strip() for c in r)]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def validate_rows(form: Form, rows: list[dict[str, str]], source: str) -> list[Entry]:
    """Every problem at once (row and field named); nothing is returned if any."""
    problems: list[str] = []
    known = set(header(form)) | {"outcome_type"}
    if rows:
        extra = [c for c in rows[0] if c not in known]
        if extra or "study" not in rows[0]:
            problem = (f"{plural(len(extra), 'unknown column')}: {', '.join(extra)}" if extra
                       else "no study column")
            raise ReviewflowError(f"{source}, row 1: {problem}; "
                                  f"expected: {', '.join(header(form))}")
    entries: list[Entry] = []
    study_level: dict[tuple[str, str], tuple[str, int]] = {}
    for i, row in enumerate(rows, start=2):
        entries += _row_entries(form, row, i, problems, study_level)
    if problems:
        shown = "; ".join(problems[:MAX_SHOWN])
        more = f"; and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
        raise ReviewflowError(f"{source}: {plural(len(problems), 'problem')}, nothing imported: "
                              f"{shown}{more}")
    return entries


def _row_entries(form: Form, row: dict[str, str], i: int, problems: list[str],
                 study_level: dict[tuple[str, str], tuple[str, int]]) -> list[Entry]:
    study, outcome_id = row.get("study", "").strip(), row.get("outcome", "").strip()
    if not study:
        problems.append(f"row {i}, field study: empty")
        return []
    try:
        paths = _cell_paths(form, outcome_id)
    except ReviewflowError as exc:
        problems.append(f"row {i}, field outcome: {exc}")
        return []
    out: list[Entry] = []
    cells: dict[str, str | None] = {}
    for col_name, raw in row.items():
        if col_name in ("study", "outcome", "outcome_type") or not str(raw).strip():
            continue
        if col_name not in paths:
            problems.append(f"row {i}, field {col_name}: outcome {outcome_id or '(none)'!r} "
                            f"has no such value")
            continue
        try:
            value = normalise_value(form, paths[col_name], raw)
        except ReviewflowError as exc:
            problems.append(f"row {i}, field {col_name}: {exc}")
            continue
        cells[col_name] = value
        if value is not None:
            out.append(Entry(study, paths[col_name], value, i))
            _check_repeat(study_level, study, paths[col_name], value, i, col_name, problems)
    if outcome_id:
        outcome = form.find_outcome(outcome_id)
        given_type = row.get("outcome_type", "").strip().lower()
        if given_type and given_type != outcome.type:
            problems.append(f"row {i}, field outcome_type: {given_type!r} but the form says "
                            f"{outcome.id!r} is {outcome.type}")
        for col_name, problem in outcome_problems(outcome, form.arms, cells):
            problems.append(f"row {i}, field {col_name}: {problem}")
    return out


def _check_repeat(seen: dict[tuple[str, str], tuple[str, int]], study: str, path: str,
                  value: str, i: int, col_name: str, problems: list[str]) -> None:
    key = (study.lower(), path)
    if key in seen and seen[key][0] != value:
        problems.append(f"row {i}, field {col_name}: {value!r} differs from row {seen[key][1]} "
                        f"({seen[key][0]!r}) for the same study")
    seen.setdefault(key, (value, i))
