"""RevMan Web's data package (a ZIP of CSV files) -> :class:`~reviewflow.revman.model.RevManFile`.

The layout is Cochrane's "Data package specification" (RevMan knowledge base,
versions 1 and 2) as R's ``meta::read.cdir`` reads it: a folder
``<ID>-analysis-data`` with ``<ID>-overall-estimates-and-settings.csv`` (one row
per analysis: its settings and RevMan's pooled result), ``<ID>-data-rows.csv``
(one row per study and analysis, in RevMan's order) and
``<ID>-subgroup-estimates.csv``; optionally ``<ID>-study-data`` with
``<ID>-risk-of-bias.csv`` (``Domain (judgement): <domain>`` and ``Domain
(support): <domain>`` columns per study). The Cochrane Library wraps it once
more (``<ID>-files/<ID>-data.zip``); both are read. Version 1 names the
confidence levels ``Study CI``/``Estimate CI``; version 2 has ``CI/PI level``,
``Heterogeneity estimator`` and ``CI method``. O-E and variance analyses are
listed as not analysable.

Generic inverse variance rows give ``GIV Mean``/``GIV SE`` on the analysis scale
(log for ratios, ``Log-scale data`` TRUE); ``Mean``/``CI start``/``CI end`` are
on the scale of the forest plot, as in a RevMan 5 file. Members are read in
memory (never extracted), with a size limit, so a hostile archive cannot write
files or fill the disk.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from reviewflow.errors import InputError
from reviewflow.revman.model import (
    MEASURE_NAMES,
    Comparison,
    DataRow,
    Outcome,
    OutcomeKind,
    RevManFile,
    RiskOfBiasEntry,
    RiskOfBiasItem,
    Settings,
    Stored,
    Study,
    StudyStatus,
    Subgroup,
    SubgroupTest,
    Totals,
)
from reviewflow.revman.reader import data_problem

MAX_BYTES = 200_000_000  # all members together, uncompressed
KINDS = {"dichotomous": OutcomeKind.DICHOTOMOUS, "continuous": OutcomeKind.CONTINUOUS,
         "contrast level": OutcomeKind.GENERIC, "generic inverse variance": OutcomeKind.GENERIC}
METHODS = {"mh": "MH", "mantel-haenszel": "MH", "iv": "IV", "inverse variance": "IV",
           "peto": "PETO", "exp_o_e_var": "PETO"}
TAU2 = (("dersimonian", "DL"), ("dl", "DL"), ("restricted", "REML"), ("reml", "REML"),
        ("paule", "PM"), ("pm", "PM"))
ROB_RESULTS = {"low": "YES", "low risk": "YES", "high": "NO", "high risk": "NO",
               "unclear": "UNKNOWN", "unclear risk": "UNKNOWN"}
FILES = ("overall-estimates-and-settings", "data-rows", "subgroup-estimates")


@dataclass
class _Table:
    name: str  # archive member, for messages
    rows: list[tuple[int, dict[str, str]]]  # (line, row)


@dataclass
class _Outcome:
    line: int
    values: dict[str, str]
    rows: list[tuple[str, DataRow]] = field(default_factory=list)  # (subgroup, row)
    subgroups: dict[str, tuple[int, int, dict[str, str]]] = field(default_factory=dict)


class _Cells:
    """Typed cells of one CSV member; every problem names member, line and column."""

    def __init__(self, source: str, table: _Table) -> None:
        self.where = f"{source}:{table.name}"

    def fail(self, line: int, problem: str) -> InputError:
        return InputError(self.where, line, problem)

    def text(self, row: dict[str, str], col: str) -> str:
        value = (row.get(col) or "").strip()
        return "" if value in ("NA", "#N/A") else value

    def number(self, row: dict[str, str], col: str, line: int) -> float | None:
        raw = self.text(row, col).rstrip("%")
        if not raw:
            return None
        try:
            x = float(raw)
        except ValueError:
            raise self.fail(line, f"column {col!r}: {raw!r} is not a number") from None
        if not math.isfinite(x):
            raise self.fail(line, f"column {col!r}: {raw!r} is not a finite number")
        return x

    def whole(self, row: dict[str, str], col: str, line: int) -> int:
        x = self.number(row, col, line)
        if x is None or x != int(x) or x < 0:
            raise self.fail(line, f"column {col!r}: {self.text(row, col)!r} is not a number "
                            "like 1, 2, 3")
        return int(x)

    def flag(self, row: dict[str, str], col: str, line: int, default: bool) -> bool:
        raw = self.text(row, col).lower()
        if not raw:
            return default
        if raw in ("true", "yes", "1"):
            return True
        if raw in ("false", "no", "0"):
            return False
        raise self.fail(line, f"column {col!r}: {raw!r} is not TRUE or FALSE")

    def choice(self, row: dict[str, str], col: str, line: int, choices: dict[str, str]) -> str:
        raw = self.text(row, col)
        if raw.lower() not in choices:
            raise self.fail(line, f"column {col!r}: unknown {raw!r} (expected one of "
                            f"{', '.join(sorted(set(choices)))})")
        return choices[raw.lower()]


def _members(path: Path) -> dict[str, bytes]:
    """The archive's CSV members (one nested ``-data.zip`` opened too), by name."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(str(path), None, f"not a readable ZIP archive ({exc})") from None
    out: dict[str, bytes] = {}
    with archive:
        try:
            _collect(archive, str(path), out, nested=True)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
                NotImplementedError, ValueError) as exc:  # damaged, or a method zipfile lacks
            raise InputError(str(path), None, f"a damaged ZIP archive ({exc})") from None
    return out


def _collect(archive: zipfile.ZipFile, source: str, out: dict[str, bytes],
             nested: bool) -> None:
    total = 0
    for info in archive.infolist():
        name = info.filename
        if info.is_dir() or not name.lower().endswith((".csv", ".zip")):
            continue
        total += info.file_size
        if total > MAX_BYTES:
            raise InputError(source, None, f"more than {MAX_BYTES // 1_000_000} MB of data "
                             "once unpacked; not a RevMan data package")
        data = archive.read(info)
        if name.lower().endswith(".zip"):
            if nested and name.lower().endswith("-data.zip"):
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    _collect(inner, f"{source}:{name}", out, nested=False)
            continue
        out[name] = data


def _find(members: dict[str, bytes], suffix: str) -> str | None:
    pattern = re.compile(rf"(^|/)([^/]+-)?{re.escape(suffix)}\.csv$", re.IGNORECASE)
    found = sorted(n for n in members if pattern.search(n))
    return found[0] if found else None


def _table(members: dict[str, bytes], name: str, source: str) -> _Table:
    raw = members[name]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}:{name}", None, f"not UTF-8 text (byte {exc.start})"
                         ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = [(reader.line_num, {(k or "").strip(): v for k, v in row.items()})
                for row in reader]
    except csv.Error as exc:
        raise InputError(f"{source}:{name}", reader.line_num or 1,
                         f"not readable as CSV ({exc})") from None
    return _Table(name, rows)


def read_data_package(path: Path | str) -> RevManFile:
    """Read a RevMan Web data package; raises InputError (one line) on any problem."""
    path = Path(path)
    source = str(path)
    members = _members(path)
    names = {suffix: _find(members, suffix) for suffix in FILES}
    if names["overall-estimates-and-settings"] is None or names["data-rows"] is None:
        missing = "overall-estimates-and-settings" if names[
            "overall-estimates-and-settings"] is None else "data-rows"
        raise InputError(source, None, f"not a RevMan data package: no "
                         f"'<ID>-analysis-data/<ID>-{missing}.csv' in the archive")
    if _find(members, "parameters") is not None:
        raise InputError(source, None, "a diagnostic test accuracy review's data package; "
                         "only intervention reviews can be imported")
    settings = _table(members, str(names["overall-estimates-and-settings"]), source)
    rows = _table(members, str(names["data-rows"]), source)
    subgroups = (_table(members, str(names["subgroup-estimates"]), source)
                 if names["subgroup-estimates"] else _Table("", []))
    rob_name = _find(members, "risk-of-bias")
    rob = _table(members, rob_name, source) if rob_name else _Table("", [])
    found = re.search(r"([^/]+)-overall-estimates-and-settings\.csv$",
                      str(names["overall-estimates-and-settings"]))
    title = f"{found.group(1)} (RevMan Web data package)" if found else ""
    return replace(_assemble(source, settings, rows, subgroups, rob), title=title)


def _key(cells: _Cells, row: dict[str, str], line: int) -> tuple[int, int]:
    return (cells.whole(row, "Analysis group", line), cells.whole(row, "Analysis number", line))


def _stored(cells: _Cells, row: dict[str, str], line: int) -> Stored:
    n = cells.number
    effect = n(row, "Mean", line)
    return Stored(
        estimable=effect is not None, effect=effect, ci_start=n(row, "CI start", line),
        ci_end=n(row, "CI end", line), weight=n(row, "Weight", line),
        z=n(row, "Effect Z", line), p_z=n(row, "Effect P", line),
        chi2=n(row, "Heterogeneity Chi²", line), df=n(row, "Heterogeneity df", line),
        p_chi2=n(row, "Heterogeneity P", line), i2=n(row, "Heterogeneity I²", line),
        tau2=n(row, "Heterogeneity Tau²", line),
    )


def _data_row(cells: _Cells, row: dict[str, str], line: int, kind: OutcomeKind) -> DataRow:
    n = cells.number
    study = cells.text(row, "Study")
    if not study:
        raise cells.fail(line, "column 'Study' is empty")
    values: dict[str, float | None] = {"total_1": n(row, "Experimental N", line),
                                       "total_2": n(row, "Control N", line)}
    if kind is OutcomeKind.DICHOTOMOUS:
        values |= {"events_1": n(row, "Experimental cases", line),
                   "events_2": n(row, "Control cases", line)}
    elif kind is OutcomeKind.CONTINUOUS:
        values |= {"mean_1": n(row, "Experimental mean", line),
                   "sd_1": n(row, "Experimental SD", line),
                   "mean_2": n(row, "Control mean", line), "sd_2": n(row, "Control SD", line)}
    else:
        values |= {"estimate": n(row, "GIV Mean", line), "se": n(row, "GIV SE", line)}
    stored = Stored(estimable=n(row, "Mean", line) is not None, effect=n(row, "Mean", line),
                    ci_start=n(row, "CI start", line), ci_end=n(row, "CI end", line),
                    weight=n(row, "Weight", line))
    data = DataRow(study_id=study, stored=stored, line=line, **values)
    problem = data_problem(data, kind)
    if problem:
        raise cells.fail(line, f"study {study!r}: {problem}")
    return data


def _settings(cells: _Cells, row: dict[str, str], line: int, kind: OutcomeKind,
              has_subgroups: bool) -> Settings:
    named = cells.text(row, "Effect measure")
    if kind is OutcomeKind.GENERIC and named and named.lower() not in MEASURE_NAMES:
        measure = named  # RevMan lets a generic outcome's measure be named freely
    else:
        measure = cells.choice(row, "Effect measure", line, MEASURE_NAMES)
    method = "IV" if kind is not OutcomeKind.DICHOTOMOUS else cells.choice(
        row, "Statistical method", line, METHODS)
    if measure == "PETO_OR":
        method = "PETO"
    overall = cells.flag(row, "Overall estimates", line, True)
    sub = cells.flag(row, "Subgroup estimates", line, has_subgroups)
    level = cells.number(row, "CI/PI level", line) or cells.number(row, "Estimate CI", line)
    study_level = cells.number(row, "Study CI", line) or level
    tau2 = "DL"
    random = cells.text(row, "Analysis model").lower().startswith("random")
    estimator = cells.text(row, "Heterogeneity estimator").lower()
    if estimator and random:  # a fixed-effect analysis has none, whatever the cell says
        found = [code for word, code in TAU2 if estimator.startswith(word)]
        if not found:
            raise cells.fail(line, f"column 'Heterogeneity estimator': unknown {estimator!r}")
        tau2 = found[0]
    return Settings(
        measure=measure, method=method,
        random=random,
        totals=Totals.YES if overall else (Totals.SUB if sub else Totals.NO),
        subgroup_test=cells.flag(row, "Test for subgroup differences", line, has_subgroups),
        ci_study=round(study_level or 95), ci_total=round(level or 95),
        swap_events=cells.flag(row, "Swap event and non-event", line, False)
        or cells.text(row, "Effect measure").lower().endswith("(non-event)"),
        log_data=kind is OutcomeKind.GENERIC and cells.flag(row, "Log-scale data", line,
                                                            measure in ("RR", "OR", "HR")),
        units=cells.text(row, "Unit of effect measure"),
        tau2=tau2, hksj="hartung" in cells.text(row, "CI method").lower(),
    )


def _assemble(source: str, settings: _Table, rows: _Table, subgroups: _Table,
              rob: _Table) -> RevManFile:
    s_cells, r_cells, g_cells = _Cells(source, settings), _Cells(source, rows), \
        _Cells(source, subgroups)
    drafts: dict[tuple[int, int], _Outcome] = {}
    kinds: dict[tuple[int, int], OutcomeKind] = {}
    unsupported: dict[tuple[int, int], str] = {}
    for line, row in settings.rows:
        key = _key(s_cells, row, line)
        if key in drafts or key in unsupported:
            raise s_cells.fail(line, f"analysis {key[0]}.{key[1]} listed twice")
        dtype = s_cells.text(row, "Data type").lower()
        if dtype == "o-e and variance":
            unsupported[key] = (f"outcome {key[0]}.{key[1]} ({s_cells.text(row, 'Analysis name')})"
                                ": O-E and variance data cannot be analysed here")
            continue
        kinds[key] = OutcomeKind(s_cells.choice(row, "Data type", line,
                                                {k: v.value for k, v in KINDS.items()}))
        drafts[key] = _Outcome(line, row)
    for line, row in subgroups.rows:
        key = _key(g_cells, row, line)
        if key in unsupported:
            continue
        if key not in drafts:
            raise g_cells.fail(line, f"subgroup of analysis {key[0]}.{key[1]}, which the "
                               "settings file does not list")
        name = g_cells.text(row, "Subgroup")
        drafts[key].subgroups[name] = (g_cells.whole(row, "Subgroup number", line), line, row)
    studies: dict[str, str] = {}
    for line, row in rows.rows:
        key = _key(r_cells, row, line)
        if key in unsupported:
            continue
        if key not in drafts:
            raise r_cells.fail(line, f"data row of analysis {key[0]}.{key[1]}, which the "
                               "settings file does not list")
        data = _data_row(r_cells, row, line, kinds[key])
        studies.setdefault(data.study_id, r_cells.text(row, "Study year"))
        drafts[key].rows.append((r_cells.text(row, "Subgroup"), data))
    comparisons: dict[int, tuple[str, list[Outcome]]] = {}
    for (c_no, o_no), d in sorted(drafts.items()):
        outcome = _outcome(s_cells, g_cells, c_no, o_no, d, kinds[(c_no, o_no)])
        name = s_cells.text(d.values, "Analysis group name")
        comparisons.setdefault(c_no, (name, []))[1].append(outcome)
    risk_of_bias = _risk_of_bias(_Cells(source, rob), rob)
    for item in risk_of_bias:  # a study judged but without data in any analysis
        for e in item.entries:
            studies.setdefault(e.study_id, "")
    return RevManFile(
        source=source, title="", revman_version="RevMan Web (data package)", calculated=True,
        studies=tuple(Study(id=s, name=s, year=y, status=StudyStatus.INCLUDED)
                      for s, y in studies.items()),
        risk_of_bias=risk_of_bias,
        comparisons=tuple(Comparison(id=f"CMP-{no:03d}", no=no, name=name, outcomes=tuple(os))
                          for no, (name, os) in sorted(comparisons.items())),
        unsupported=tuple(text for _, text in sorted(unsupported.items())),
    )


def _outcome(s_cells: _Cells, g_cells: _Cells, c_no: int, o_no: int, d: _Outcome,
             kind: OutcomeKind) -> Outcome:
    oid = f"CMP-{c_no:03d}.{o_no:02d}"
    named = [g for g, _ in d.rows if g] + list(d.subgroups)
    has_subgroups = bool(named)
    order = sorted(dict.fromkeys(named), key=lambda g: (d.subgroups.get(g, (1_000_000,))[0],
                                                        named.index(g)))
    subgroups = []
    for i, g in enumerate(order, start=1):
        _no, line, row = d.subgroups.get(g, (i, 0, {}))
        subgroups.append(Subgroup(id=f"{oid}.{i:02d}", no=i, name=g,
                                  rows=tuple(r for sg, r in d.rows if sg == g),
                                  stored=_stored(g_cells, row, line) if row else Stored()))
    v, line = d.values, d.line
    test = None
    if has_subgroups:
        test = SubgroupTest(s_cells.number(v, "Subgroup Chi²", line),
                            s_cells.number(v, "Subgroup P", line),
                            s_cells.number(v, "Subgroup I²", line))
    return Outcome(
        id=oid, no=o_no, name=s_cells.text(v, "Analysis name"), kind=kind,
        settings=_settings(s_cells, v, line, kind, has_subgroups),
        rows=() if has_subgroups else tuple(r for _, r in d.rows),
        subgroups=tuple(subgroups), has_subgroups=has_subgroups,
        group_labels=(s_cells.text(v, "Experimental group label") or "Experimental",
                      s_cells.text(v, "Control group label") or "Control"),
        graph_labels=(s_cells.text(v, "Graph label (left)"),
                      s_cells.text(v, "Graph label (right)")),
        stored=_stored(s_cells, v, line), subgroup_test=test, line=line,
    )


def _risk_of_bias(cells: _Cells, table: _Table) -> tuple[RiskOfBiasItem, ...]:
    """RoB 1 judgements (low/high/unclear) per study and domain; the domain's name
    without RevMan Web's ": All outcomes"."""
    if not table.rows:
        return ()
    columns = list(table.rows[0][1])
    prefix = "Domain (judgement):"
    domains = [c[len(prefix):].strip() for c in columns if c.startswith(prefix)]
    items = []
    for no, domain in enumerate(domains, start=1):
        entries = []
        for line, row in table.rows:
            study = cells.text(row, "Study")
            raw = cells.text(row, f"{prefix} {domain}")
            if not study or not raw:
                continue
            result = ROB_RESULTS.get(raw.lower())
            if result is None:
                raise cells.fail(line, f"column '{prefix} {domain}': {raw!r} is not a RoB 1 "
                                 "judgement (low, high or unclear risk)")
            entries.append(RiskOfBiasEntry(study, result, cells.text(
                row, f"Domain (support): {domain}")))
        name = re.sub(r":\s*All outcomes$", "", domain)
        items.append(RiskOfBiasItem(id=f"QIT-{no:02d}", no=no, name=name, description="",
                                    level="STUDY", entries=tuple(entries)))
    return tuple(items)
