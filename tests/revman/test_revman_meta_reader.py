"""R's ``meta::read.rm5`` reads reviewflow's RevMan export as it reads RevMan's own file.

``fixtures/read_rm5_meta.R`` was run once with meta's reader (R, not in CI): for every
corpus ``.rm5`` it imported the file, exported the review, read both with
``read.rm5`` and recorded in ``fixtures/meta_read_rm5.json`` whether each read
succeeded, how the two data frames compare column by column, and one digest per row
of what meta read from the export. The first test holds those facts; the second
derives the same rows from today's export, without R, so a change to the exporter
that meta would read differently fails here. meta's reader is line based (it greps
the file for tags and parses the lines between them), so the second test also holds
the line layout it relies on. No review data are in the fixture, only digests.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from revman_support import invoke

FIXTURE = Path(__file__).parent / "fixtures" / "meta_read_rm5.json"
FACTS = json.loads(FIXTURE.read_text(encoding="utf-8"))

# Columns of meta's data frame our export leaves empty although RevMan's own file
# fills them, each with the reason. Anything else missing from what meta reads of our
# export fails the first test.
NOT_WRITTEN = {
    "order": "RevMan's ORDER (its user-defined study order) is not kept by the import",
    "O.E": "RevMan writes O_E=0.0 on every dichotomous row, a placeholder",
    "Q": "RevMan writes the subgroup test (Q, P_Q) as 0 on outcomes without subgroups",
    "pval.Q": "RevMan writes the subgroup test (Q, P_Q) as 0 on outcomes without subgroups",
}
# (file, column): one file's known difference, with the reason.
_ZEROS = ("RevMan stores zeros (not estimable) as the unshown total and subgroup test of some "
          "subtotals-only outcomes (CD008625 7.4 and 15.5, 13 single-study outcomes of "
          "CD013210); CD007868 stores the pooled values there, as we do")
KNOWN = {
    ("CD003188StatsDataOnly.rm5", "n.e"): "2 generic rows: RevMan's TOTAL_1=0 is exported empty",
    ("CD003188StatsDataOnly.rm5", "n.c"): "2 generic rows: RevMan's TOTAL_2=0 is exported empty",
    ("CD007868StatsDataOnly.rm5", "k"): "17.1, subtotals only, no subgroups: RevMan's unshown "
    "total has DF 0, ours 1",
    **{(f, col): _ZEROS for f in ("CD008625StatsDataOnly.rm5", "CD013210StatsDataOnly.rm5")
       for col in ("TE.pooled", "lower.pooled", "upper.pooled", "Z.pooled", "Q")},
}
# Columns whose values may legitimately differ from RevMan's file.
MAY_DIFFER = {
    "pval.TE.pooled": "the engine's exact P; RevMan's is up to 5e-7 larger (docs/revman.md)",
    "pval.Q": "the engine's exact P; RevMan's is up to 5e-7 larger",
    "pval.Q.w": "the engine's exact P; RevMan's is up to 5e-7 larger",
    "I2": "undefined with df = 0, where RevMan stores 0 or 100",
    "I2.w": "undefined with df = 0, where RevMan stores 0 or 100",
}
# Outcome attributes meta reads, in the R script's digest order after level, level.ma.
POOLED_ATTRS = ("EVENTS_1", "TOTAL_1", "EVENTS_2", "TOTAL_2", "EFFECT_SIZE", "CI_START",
                "CI_END", "WEIGHT", "Z", "P_Z", "Q", "P_Q", "I2", "TAU2")
# How meta abbreviates the measure RevMan names in a generic outcome's element.
SM_NAMES = {"odds ratio": "OR", "peto odds ratio": "OR", "peto_or": "OR",
            "odds ratio (non-event)": "OR", "risk ratio": "RR", "risk difference": "RD",
            "mean difference": "MD", "standardized mean difference": "SMD",
            "std. mean difference": "SMD", "hazard ratio": "HR"}
KIND_TYPE = {"DICH": "D", "CONT": "C", "IV": "I"}
NUMBER_ATTRS = {
    "event.e": "EVENTS_1", "n.e": "TOTAL_1", "event.c": "EVENTS_2", "n.c": "TOTAL_2",
    "mean.e": "MEAN_1", "sd.e": "SD_1", "mean.c": "MEAN_2", "sd.c": "SD_2",
    "O.E": "O_E", "V": "VAR", "TE": "EFFECT_SIZE", "seTE": "SE",
    "lower.TE": "CI_START", "upper.TE": "CI_END", "weight": "WEIGHT", "order": "ORDER",
}


def _number(value: str | float | None) -> str:
    """R's ``sprintf("%.10g")`` of ``as.numeric(value)``; NA as "NA"."""
    if value is None or value == "":  # as.numeric("") is NA
        return "NA"
    x = float(value)
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return f"{x:.10g}"


def _digest(values: list[str]) -> str:
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:16]


def _flag(value: bool | None) -> str:
    return "NA" if value is None else str(value).upper()


def _per_100(value: str | None) -> str:
    return "NA" if not value else _number(float(value) / 100)


@dataclass(frozen=True)
class MetaRow:
    """One row of meta's data frame, as the two digests the R script recorded."""

    numbers: str
    text: str
    ascii_text: bool  # meta transliterates non-ASCII bytes; such text is not compared


def _method(outcome: ET.Element) -> str:
    method = outcome.get("METHOD")
    return "Inverse" if method in (None, "IV") else method


def meta_rows(path: Path) -> dict[str, MetaRow]:
    """The rows ``read.rm5`` gives for an export, keyed as the R script keys them.

    Only for files whose layout ``check_line_layout`` accepts: then meta's line
    windows hold exactly the elements parsed here.
    """
    root = ET.parse(path).getroot()
    studies = {s.get("ID"): s for s in root.iterfind("./STUDIES_AND_REFERENCES/STUDIES/"
                                                     "INCLUDED_STUDIES/STUDY")}
    found: dict[str, list[tuple[tuple[tuple[bool, float], ...], MetaRow]]] = {}
    for comp in root.iterfind("./ANALYSES_AND_DATA/COMPARISON"):
        c = comp.get("NO")
        complab = f"{_number(c)} {comp.findtext('NAME')}"
        for outcome in comp:
            kind = outcome.tag.removesuffix("_OUTCOME")
            if kind not in KIND_TYPE:
                continue
            o = outcome.get("NO")
            outclab = f"{_number(c)}.{_number(o)} {outcome.findtext('NAME')}"
            sm = outcome.get("EFFECT_MEASURE")
            if sm is None:  # a generic outcome names it in an element, by its full name
                named = outcome.findtext("EFFECT_MEASURE")
                sm = None if named is None else SM_NAMES.get(named.lower(), named)
            random = outcome.get("RANDOM")
            model = None if random is None else ("Fixed" if random == "NO" else "Random")
            k = float(outcome.get("DF", "nan")) + 1
            pooled = [_per_100(outcome.get("CI_STUDY")), _per_100(outcome.get("CI_TOTAL"))]
            pooled += [_number(outcome.get(a)) for a in POOLED_ATTRS]
            totals, test = outcome.get("TOTALS"), outcome.get("SUBGROUP_TEST")
            swap, log = outcome.get("SWAP_EVENTS"), outcome.get("LOG_DATA")
            flags = [None if totals is None else totals == "YES",
                     None if test is None else test == "YES",
                     None if swap is None else swap != "NO",
                     None if log is None else log == "NO"]
            groups = outcome.findall(f"{kind}_SUBGROUP") or [None]
            for group in groups:
                g = None if group is None else group.get("NO")
                grplab = ("" if group is None
                          else f"{_number(c)}.{_number(o)}.{_number(g)} {group.findtext('NAME')}")
                holder = outcome if group is None else group
                for data in holder.iterfind(f"{kind}_DATA"):
                    sid = data.get("STUDY_ID")
                    key = f"{_number(c)}/{_number(o)}/{_number(g)}/{sid}"
                    study = studies.get(sid)
                    numbers = [_number(c), _number(o), _number(g)]
                    numbers += [_number(data.get(a)) for a in NUMBER_ATTRS.values()]
                    numbers.append(_number(k))
                    numbers += pooled
                    numbers += ["NA"] * 3 if group is None else [
                        _number(group.get("NO")), _number(group.get("P_CHI2")),
                        _number(group.get("I2"))]  # meta reads Q.w from NO, as written
                    text = [sid, study.get("NAME") if study is not None else None,
                            study.get("YEAR") if study is not None else None,
                            KIND_TYPE[kind], _method(outcome), sm, model,
                            complab, outclab, grplab]
                    shown = ["NA" if t is None else t for t in text]
                    ascii_text = all(t.isascii() for t in shown)
                    # test.subgroup is NA on rows outside subgroups (read.rm5.rm5)
                    shown += [_flag(flags[0]), _flag(flags[1] if group is not None else None),
                              _flag(flags[2]), _flag(flags[3])]
                    found.setdefault(key, []).append((_entry_order(data), MetaRow(
                        _digest(numbers), _digest(shown), ascii_text)))
    # A study entered more than once is numbered in the order of its values, as the
    # R script numbers it (meta does not keep the file's order of such rows).
    return {f"{key}#{k}": row
            for key, entries in found.items()
            for k, (_, row) in enumerate(sorted(entries, key=lambda e: e[0]), start=1)}


ENTRY_ORDER = ("EVENTS_1", "TOTAL_1", "EVENTS_2", "TOTAL_2", "MEAN_1", "SD_1", "MEAN_2",
               "SD_2", "EFFECT_SIZE", "SE")


def _entry_order(data: ET.Element) -> tuple[tuple[bool, float], ...]:
    """R's order() on these columns: ascending, NA last."""
    values = (data.get(a) for a in ENTRY_ORDER)
    return tuple((True, 0.0) if not v or math.isnan(float(v)) else (False, float(v))
                 for v in values)


# The R script digests meta's columns in this order; the derivation above follows it.
assert FACTS["digest_numbers"] == [
    "comp.no", "outcome.no", "group.no", *NUMBER_ATTRS, "k", "level", "level.ma",
    "event.e.pooled", "n.e.pooled", "event.c.pooled", "n.c.pooled", "TE.pooled",
    "lower.pooled", "upper.pooled", "weight.pooled", "Z.pooled", "pval.TE.pooled", "Q",
    "pval.Q", "I2", "tau2", "Q.w", "pval.Q.w", "I2.w"]
assert FACTS["digest_text"] == ["id", "studlab", "year", "type", "method", "sm", "model",
                                "complab", "outclab", "grplab", "overall", "test.subgroup",
                                "swap.events", "logscale"]

_START = re.compile(r"^<(COMPARISON|(DICH|CONT|IV|IPD)_(OUTCOME|SUBGROUP))[ >]")
_DATA_TAG = re.compile(r"<(DICH|CONT|IV|IPD)_DATA\b")
_DATA = re.compile(r"^<(DICH|CONT|IV|IPD)_DATA [^<>]*/>$")


def check_line_layout(path: Path) -> None:
    """The line layout ``read.rm5`` needs (it greps lines, then parses line windows).

    Read from meta's source (R/read.rm5-internal.R, docs/revman.md): the analyses sit
    between lines holding ``<ANALYSES_AND_DATA`` and ``</ANALYSES_AND_DATA``; every
    comparison, outcome and subgroup start tag is on a line of its own, followed by
    its ``<NAME>`` line (an outcome's by the group and graph labels); every data row
    is one self-closed element on one line; and each included study starts on a line
    with ``<STUDY`` and ends on a line with ``</STUDY``.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    starts = [i for i, s in enumerate(lines) if "<ANALYSES_AND_DATA" in s]
    ends = [i for i, s in enumerate(lines) if "</ANALYSES_AND_DATA" in s]
    assert len(starts) == len(ends) == 1 and lines[starts[0]].startswith("<ANALYSES_AND_DATA")
    for n, line in enumerate(lines[starts[0] + 1:ends[0]], start=starts[0] + 2):
        where = f"{path.name}, line {n}"
        if _DATA_TAG.search(line):
            assert _DATA.match(line), f"{where}: a data row must be one element on one line"
        m = _START.match(line)
        if m:
            assert line.endswith(">") and line.count("<") == 1, f"{where}: start tag not alone"
            assert lines[n].startswith("<NAME>"), f"{where}: <NAME> must follow on its own line"
            if m.group(3) == "OUTCOME":
                labels = [lines[n + i][:15] for i in range(1, 5)]
                assert labels == ["<GROUP_LABEL_1>", "<GROUP_LABEL_2>", "<GRAPH_LABEL_1>",
                                  "<GRAPH_LABEL_2>"], f"{where}: labels must follow NAME"
    text = "\n".join(lines)
    block = text[text.index("<INCLUDED_STUDIES>"):text.index("</INCLUDED_STUDIES>")]
    opened = [s for s in block.split("\n") if "<STUDY" in s]
    closed = [s for s in block.split("\n") if "</STUDY" in s]
    assert len(opened) == len(closed) == block.count("<STUDY ")
    assert all(s.startswith("<STUDY ") for s in opened)


def test_meta_read_every_export_as_it_read_revmans_own_file() -> None:
    """Facts recorded once by R: no error, the same rows, the same numbers."""
    files = FACTS["files"]
    assert len(files) >= 17
    for name, f in files.items():
        assert f["revman"]["error"] is None, name
        assert f["export"]["error"] is None, (name, f["export"]["error"])
        assert f["export"]["warnings"] == f["revman"]["warnings"], name
        assert f["export"]["columns"] == f["revman"]["columns"], name
        comp = f["comparison"]
        assert comp["only_in_revman"] == [] and comp["only_in_export"] == [], name
        assert comp["rows_matched"] == f["revman"]["rows"] == f["export"]["rows"], name
        for col, c in comp["columns"].items():
            if (name, col) in KNOWN:
                continue
            if col not in NOT_WRITTEN:
                assert c["missing_in_export"] == 0, (name, col, c)
            if col in MAY_DIFFER:
                continue
            assert c.get("over_1e_9", 0) == 0, (name, col, c)
            # Text may differ in blanks only: meta joins the pieces of RevMan's one-line
            # files (CD013437, CD013656) with a space, and RevMan pads some names.
            assert c.get("unequal_beyond_blanks", 0) == 0, (name, col, c)


def test_fixture_records_differences_it_would_catch() -> None:
    """The comparison in the fixture is not vacuous: it saw every row and column."""
    total = sum(f["comparison"]["rows_matched"] for f in FACTS["files"].values())
    assert total > 1000
    some = next(iter(FACTS["files"].values()))["comparison"]["columns"]
    assert {"event.e", "n.e", "mean.e", "TE", "seTE", "weight", "studlab"} <= set(some)


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(FACTS["files"]))
def test_todays_export_reads_as_meta_read_it(name: str, corpus: Path, tmp_path: Path) -> None:
    source = corpus / "revman" / "rm5" / name
    if not source.is_file():
        pytest.skip(f"{name} not in the corpus")
    review, exported = tmp_path / "review", tmp_path / "export.rm5"
    invoke("revman", "import", str(source), str(review))
    invoke("--review", str(review), "revman", "export", "--out", str(exported))
    check_line_layout(exported)
    recorded = FACTS["files"][name]["export_rows"]
    derived = meta_rows(exported)
    assert sorted(derived) == sorted(recorded), name
    for key, row in derived.items():
        assert row.numbers == recorded[key]["numbers"], (name, key, "numbers")
        if row.ascii_text:
            assert row.text == recorded[key]["text"], (name, key, "text")
    assert any(r.ascii_text for r in derived.values())  # text compared somewhere
