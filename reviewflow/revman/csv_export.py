"""RevMan 5's "export data" CSV -> :class:`~reviewflow.revman.model.RevManFile`.

RevMan writes two layouts:

* with ``Comparison Number``, ``Outcome Number`` and ``Subgroup Number``
  columns (comma-separated), where every row says where it belongs;
* without them (semicolon-separated in some locales), where the hierarchy is
  implied by the row order: a row with a name and nothing else is a
  comparison; a row with a data type is an outcome or a subgroup; a row
  without a data type is a study. An outcome row carries the test for
  subgroup differences (``Qint``, possibly 0) or no numbers at all (totals
  off); a subgroup row has numbers but an empty ``Qint``. That is how the two
  are told apart.

Numbers are rounded to 8 decimals in these files, so a check compares them
to 5e-9. RevMan writes NaN (e.g. tau² of an outcome without data) as a
replacement character; it is read as NaN.

``Effect Measure`` holds RevMan's name of the measure ("Risk Ratio"; older exports
its code, "RR"). A generic inverse variance outcome's measure is whatever the
author named it ("Hazard Ratio", "Ratio of means"): a name with no code is kept as
written, as the .rm5 reader and the data package reader keep it, so that an import
names the analysis as RevMan did. Whether its data are on the log scale is RevMan's
``Entered data are on log scale`` column when the export has it; without it, a
ratio by code (RR, OR, HR) or by name ("Ratio of means") is.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from reviewflow.errors import InputError
from reviewflow.revman.model import (
    MEASURE_NAMES,
    Comparison,
    DataRow,
    Outcome,
    OutcomeKind,
    RevManFile,
    Settings,
    Stored,
    Study,
    StudyStatus,
    Subgroup,
    SubgroupTest,
    Totals,
)
from reviewflow.revman.reader import METHODS, data_problem

KINDS = {"DIC": OutcomeKind.DICHOTOMOUS, "CON": OutcomeKind.CONTINUOUS,
         "IV": OutcomeKind.GENERIC, "GIV": OutcomeKind.GENERIC}
# RevMan's names (model.MEASURE_NAMES, the table every RevMan reader shares) and the
# codes older exports write
CODES = frozenset(MEASURE_NAMES.values())
RATIO_CODES = frozenset({"RR", "OR", "PETO_OR", "HR"})
KIND_MEASURES = {OutcomeKind.DICHOTOMOUS: ("RR", "OR", "RD", "PETO_OR"),
                 OutcomeKind.CONTINUOUS: ("MD", "SMD")}
LOG_SCALE_COLUMN = "Entered data are on log scale (Generic Inverse Variance only)"
NAN_TEXT = {"\ufffd", "nan", "NaN", "?"}
REQUIRED_COLUMNS = ("Name", "Data Type", "Effect Estimate", "Total 1", "Total 2")


@dataclass
class _Draft:
    """An outcome or subgroup being filled row by row."""

    name: str
    line: int
    values: dict[str, str]
    rows: list[DataRow] = field(default_factory=list)
    subgroups: list[_Draft] = field(default_factory=list)


class _Rows:
    def __init__(self, source: str) -> None:
        self.source = source

    def number(self, row: dict[str, str], col: str, line: int) -> float | None:
        raw = (row.get(col) or "").strip()
        if not raw:
            return None
        if raw in NAN_TEXT:
            return math.nan
        try:
            return float(raw.replace(",", ".")) if raw.count(",") == 1 and "." not in raw \
                else float(raw)
        except ValueError:
            raise InputError(self.source, line, f"column {col!r}: {raw!r} is not a number"
                             ) from None

    def stored(self, row: dict[str, str], line: int) -> Stored:
        n = self.number
        effect = n(row, "Effect Estimate", line)
        return Stored(
            estimable=None, effect=effect, ci_start=n(row, "CI Start", line),
            ci_end=n(row, "CI End", line), weight=n(row, "Weight", line), z=n(row, "Z", line),
            p_z=n(row, "P(Z)", line), chi2=n(row, "Q", line), df=n(row, "df", line),
            p_chi2=n(row, "P(Q)", line), i2=n(row, "I²(Q)", line), tau2=n(row, "Tau²", line),
            se=n(row, "SE", line),
        )

    def data_row(self, row: dict[str, str], line: int, kind: OutcomeKind) -> DataRow:
        n = self.number
        values = {"total_1": n(row, "Total 1", line), "total_2": n(row, "Total 2", line)}
        if kind is OutcomeKind.DICHOTOMOUS:
            values |= {"events_1": n(row, "Events 1", line), "events_2": n(row, "Events 2", line)}
        elif kind is OutcomeKind.CONTINUOUS:
            values |= {"mean_1": n(row, "Mean 1", line), "sd_1": n(row, "SD 1", line),
                       "mean_2": n(row, "Mean 2", line), "sd_2": n(row, "SD 2", line)}
        else:
            values |= {"estimate": n(row, "Effect Estimate", line), "se": n(row, "SE", line)}
        stored = self.stored(row, line)
        effect = stored.effect
        estimable = not (effect == 0 and not stored.weight and not stored.ci_end)
        stored = Stored(**{**stored.__dict__, "estimable": estimable})
        data = DataRow(study_id=row["Name"].strip(), stored=stored, line=line, **values)
        problem = data_problem(data, kind)
        if problem:
            raise InputError(self.source, line, f"study {data.study_id!r}: {problem}")
        return data


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(str(path), None, "neither UTF-8 nor Windows-1252 text")


def _has_numbers(row: dict[str, str]) -> bool:
    return bool((row.get("Total 1") or "").strip() or (row.get("Effect Estimate") or "").strip())


def read_revman_csv(path: Path | str) -> RevManFile:
    """Read either layout of RevMan 5's data export; one-line InputError on problems."""
    path = Path(path)
    source = str(path)
    text = _read_text(path)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_rows(reader, source)
    except csv.Error as exc:  # a stray quote or carriage return, an oversized field
        raise InputError(source, reader.line_num or 1, f"not readable as CSV ({exc})") from None


def _read_rows(reader: csv.DictReader, source: str) -> RevManFile:
    columns = [c.strip() for c in reader.fieldnames or ()]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(source, 1, f"not a RevMan data export: no column {missing[0]!r}")
    reader.fieldnames = columns
    numbered = "Outcome Number" in columns
    comparisons: list[tuple[str, list[_Draft]]] = []
    outcome: _Draft | None = None
    target: _Draft | None = None
    kind = OutcomeKind.DICHOTOMOUS
    rows = _Rows(source)
    for line, row in enumerate(reader, start=2):
        name = (row.get("Name") or "").strip()
        dtype = (row.get("Data Type") or "").strip().upper()
        if numbered:
            level = ("comparison" if row.get("Outcome Number", "").strip() in ("", "0")
                     else "outcome" if dtype and row.get("Subgroup Number", "").strip() in
                     ("", "0") else "subgroup" if dtype else "study")
        elif dtype:
            is_outcome = (row.get("Qint") or "").strip() != "" or not _has_numbers(row)
            level = "outcome" if is_outcome or outcome is None else "subgroup"
        else:
            level = "study" if _has_numbers(row) else "comparison"
        if level == "comparison":
            comparisons.append((name, []))
            outcome = target = None
        elif level == "outcome":
            if not comparisons:
                raise InputError(source, line, f"outcome {name!r} before any comparison")
            if dtype not in KINDS:
                raise InputError(source, line, f"column 'Data Type': {dtype!r} is not DIC, "
                                 "CON or IV")
            kind = KINDS[dtype]
            outcome = target = _Draft(name, line, row)
            comparisons[-1][1].append(outcome)
        elif level == "subgroup":
            assert outcome is not None
            target = _Draft(name, line, row)
            outcome.subgroups.append(target)
        else:
            if target is None:
                raise InputError(source, line, f"study {name!r} outside any outcome")
            target.rows.append(rows.data_row(row, line, kind))
    return _assemble(source, comparisons, rows)


def _measure(d: _Draft, kind: OutcomeKind, source: str) -> str:
    """The outcome's measure code; a generic outcome's measure as written (the .rm5
    reader keeps it so too: "Hazard Ratio", or a free "Ratio of means")."""
    text = (d.values.get("Effect Measure") or "").strip()
    if kind is OutcomeKind.GENERIC and text:
        return text
    measure = _code(text)
    if measure is None:
        raise InputError(source, d.line, f"column 'Effect Measure': unknown {text!r}")
    fitting = KIND_MEASURES.get(kind, (measure,))
    if measure not in fitting:
        dtype = (d.values.get("Data Type") or "").strip().upper()
        raise InputError(source, d.line, f"column 'Effect Measure': {text!r} does not fit "
                         f"data type {dtype} (use {' or '.join(fitting)})")
    return measure


def _code(text: str) -> str | None:
    return MEASURE_NAMES.get(text.lower()) or (text.upper() if text.upper() in CODES else None)


def _log_scale(d: _Draft, kind: OutcomeKind, measure: str, source: str) -> bool:
    """Whether a generic outcome's data are logs (ratios): RevMan's column when the
    export has it, else what the measure's code or name says."""
    if kind is not OutcomeKind.GENERIC:
        return False
    flag = (d.values.get(LOG_SCALE_COLUMN) or "").strip()
    if flag.lower() in ("yes", "true"):
        return True
    if flag.lower() in ("no", "false"):
        return False
    if flag:
        raise InputError(source, d.line, f"column {LOG_SCALE_COLUMN!r}: {flag!r} is not "
                         "Yes or No")
    return _code(measure) in RATIO_CODES or "ratio" in measure.lower().split()


def _settings(d: _Draft, source: str) -> Settings:
    kind = KINDS[(d.values.get("Data Type") or "").strip().upper()]
    measure = _measure(d, kind, source)
    method = (d.values.get("Statistical Method") or "IV").strip().upper().replace("-", "")
    if method not in METHODS.get(kind, (method,)):
        raise InputError(source, d.line, f"column 'Statistical Method': {method!r} is not "
                         f"{' or '.join(METHODS[kind])}")
    totals = Totals.YES if _has_numbers(d.values) else (
        Totals.SUB if d.subgroups else Totals.NO)
    return Settings(
        measure=measure,
        method=method,
        random=(d.values.get("Analysis Model") or "").strip().lower() == "random",
        totals=totals, subgroup_test=True,
        log_data=_log_scale(d, kind, measure, source),
    )


def _assemble(source: str, comparisons, rows: _Rows) -> RevManFile:
    names: dict[str, None] = {}
    out = []
    for c_no, (c_name, drafts) in enumerate(comparisons, start=1):
        outcomes = []
        for o_no, d in enumerate(drafts, start=1):
            for r in [*d.rows, *(r for s in d.subgroups for r in s.rows)]:
                names.setdefault(r.study_id)
            kind = KINDS[(d.values.get("Data Type") or "").strip().upper()]
            stored = rows.stored(d.values, d.line)
            settings = _settings(d, source)
            stored = Stored(**{**stored.__dict__, "estimable": settings.totals is Totals.YES
                               and bool(stored.weight)})
            test = None
            if d.subgroups:
                test = SubgroupTest(rows.number(d.values, "Qint", d.line),
                                    rows.number(d.values, "P(Qint)", d.line),
                                    rows.number(d.values, "I²(Qint)", d.line))
            subgroups = tuple(
                Subgroup(id=f"{c_no}.{o_no}.{s_no}", no=s_no, name=s.name, rows=tuple(s.rows),
                         stored=Stored(**{**rows.stored(s.values, s.line).__dict__,
                                          "estimable": bool(rows.stored(s.values, s.line)
                                                            .weight)}))
                for s_no, s in enumerate(d.subgroups, start=1)
            )
            outcomes.append(Outcome(
                id=f"CMP-{c_no:03d}.{o_no:02d}", no=o_no, name=d.name, kind=kind,
                settings=settings, rows=tuple(d.rows), subgroups=subgroups,
                has_subgroups=bool(subgroups), stored=stored, subgroup_test=test,
                group_labels=((d.values.get("Group Label 1") or "").strip(),
                              (d.values.get("Group Label 2") or "").strip()),
                graph_labels=((d.values.get("Left Graph Label") or "").strip(),
                              (d.values.get("Right Graph Label") or "").strip()),
                line=d.line,
            ))
        out.append(Comparison(id=f"CMP-{c_no:03d}", no=c_no, name=c_name,
                              outcomes=tuple(outcomes)))
    studies = tuple(Study(id=n, name=n, year="", status=StudyStatus.INCLUDED) for n in names)
    return RevManFile(source=source, title="", revman_version="5 (CSV export)",
                      calculated=True, studies=studies, risk_of_bias=(),
                      comparisons=tuple(out))
