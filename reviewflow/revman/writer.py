"""RevManFile -> RevMan 5 XML, with RevMan's computed results (CALCULATED_DATA).

The results written are reviewflow's own (the pooling engine run with the
outcome's RevMan settings), in RevMan's attribute layout: effects on the
ratio scale with their log10 companions for RR/OR, study weights as RevMan
shows them for the outcome's totals setting, the test for subgroup
differences as Q/P_Q/I2_Q. ``revman check`` on the written file therefore
compares the engine with itself through the file format, which is what
catches a layout mistake.

Element and attribute names follow the RevMan 5 schema as RevMan 5.4 writes
them (``rm5`` files in ``../shared/corpus/revman``); the document has no DTD.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from reviewflow.pooling.analysis import analyse
from reviewflow.pooling.estimators import z_crit
from reviewflow.pooling.types import MetaAnalysisResult, Pooled
from reviewflow.revman.engine_input import EngineInput, engine_input, has_data
from reviewflow.revman.model import (
    DataRow,
    Outcome,
    OutcomeKind,
    Reference,
    RevManFile,
    Study,
    StudyStatus,
    Totals,
)

SECTIONS = {
    StudyStatus.INCLUDED: "INCLUDED_STUDIES", StudyStatus.EXCLUDED: "EXCLUDED_STUDIES",
    StudyStatus.AWAITING: "AWAITING_STUDIES", StudyStatus.ONGOING: "ONGOING_STUDIES",
}
CHAR_SECTIONS = {
    StudyStatus.INCLUDED: ("CHARACTERISTICS_OF_INCLUDED_STUDIES", "INCLUDED_CHAR"),
    StudyStatus.EXCLUDED: ("CHARACTERISTICS_OF_EXCLUDED_STUDIES", "EXCLUDED_CHAR"),
    StudyStatus.AWAITING: ("CHARACTERISTICS_OF_AWAITING_STUDIES", "AWAITING_CHAR"),
    StudyStatus.ONGOING: ("CHARACTERISTICS_OF_ONGOING_STUDIES", "ONGOING_CHAR"),
}


def _num(x: float | None) -> str:
    """Java's Double.toString look-alike: RevMan reads repr() of a float fine."""
    if x is None:
        return ""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x) and abs(x) < 1e15:
        return f"{x:.1f}"
    return repr(float(x))


def _count(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if x == int(x) else repr(x))


def _attrs(pairs: dict[str, str]) -> str:
    return "".join(f" {k}={quoteattr(v)}" for k, v in sorted(pairs.items()))


def _el(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else f"<{tag}/>"


def _paragraphs(tag: str, text: str) -> str:
    if not text:
        return f"<{tag}/>"
    body = "".join(f"<P>{escape(line)}</P>" for line in text.split("\n"))
    return f"<{tag}>{body}</{tag}>"


def _reference(ref: Reference) -> Iterator[str]:
    yield f"<REFERENCE{_attrs({'PRIMARY': 'YES' if ref.primary else 'NO', 'TYPE': ref.type})}>"
    for tag, value in (("AU", ref.authors), ("TI", ref.title), ("SO", ref.source),
                       ("YR", ref.year), ("VL", ref.volume), ("NO", ref.issue),
                       ("PG", ref.pages)):
        if value:
            yield _el(tag, value)
    if ref.identifiers:
        yield "<IDENTIFIERS>"
        for kind, value in ref.identifiers:
            yield f"<IDENTIFIER{_attrs({'TYPE': kind, 'VALUE': value})}/>"
        yield "</IDENTIFIERS>"
    else:
        yield "<IDENTIFIERS/>"
    yield "</REFERENCE>"


def _study(s: Study) -> Iterator[str]:
    attrs = {"DATA_SOURCE": s.data_source or "PUB", "ID": s.id, "NAME": s.name, "YEAR": s.year}
    yield f"<STUDY{_attrs(attrs)}>"
    for ref in s.references:
        yield from _reference(ref)
    yield "<IDENTIFIERS/>"
    yield "</STUDY>"


def _studies(review: RevManFile) -> Iterator[str]:
    yield "<STUDIES_AND_REFERENCES><STUDIES>"
    for status, section in SECTIONS.items():
        chosen = [s for s in review.studies if s.status is status]
        if not chosen:
            yield f"<{section}/>"
            continue
        yield f"<{section}>"
        for s in chosen:
            yield from _study(s)
        yield f"</{section}>"
    yield "</STUDIES></STUDIES_AND_REFERENCES>"
    yield "<CHARACTERISTICS_OF_STUDIES>"
    for status, (section, tag) in CHAR_SECTIONS.items():
        yield f"<{section}>"
        for s in review.studies:
            if s.status is status and s.characteristics:
                yield f"<{tag}{_attrs({'STUDY_ID': s.id})}>"
                yield "".join(_paragraphs(name, text) for name, text in s.characteristics)
                yield f"</{tag}>"
        yield f"</{section}>"
    yield "</CHARACTERISTICS_OF_STUDIES>"


def _risk_of_bias(review: RevManFile) -> Iterator[str]:
    if not review.risk_of_bias:
        yield "<QUALITY_ITEMS/>"
        return
    yield "<QUALITY_ITEMS>"
    for item in review.risk_of_bias:
        attrs = {"CORE_ITEM": "YES", "ID": item.id, "LEVEL": item.level, "NO": str(item.no)}
        yield f"<QUALITY_ITEM{_attrs(attrs)}>"
        yield _el("NAME", item.name)
        yield _paragraphs("DESCRIPTION", item.description)
        for no, (gid, name) in enumerate(item.groups, start=1):
            yield f"<QUALITY_ITEM_DATA_ENTRY_GROUP{_attrs({'ID': gid, 'NO': str(no)})}>" \
                  f"{_el('NAME', name)}</QUALITY_ITEM_DATA_ENTRY_GROUP>"
        yield "<QUALITY_ITEM_DATA>"
        for e in item.entries:
            attrs = {"RESULT": e.result, "STUDY_ID": e.study_id}
            if e.group_id:
                attrs["GROUP_ID"] = e.group_id
            yield f"<QUALITY_ITEM_DATA_ENTRY{_attrs(attrs)}>"
            yield _paragraphs("DESCRIPTION", e.support)
            yield "</QUALITY_ITEM_DATA_ENTRY>"
        yield "</QUALITY_ITEM_DATA>"
        yield "</QUALITY_ITEM>"
    yield "</QUALITY_ITEMS>"


class _Results:
    """The engine's results for one outcome, in RevMan's attributes."""

    def __init__(self, outcome: Outcome, inp: EngineInput | None) -> None:
        self.outcome = outcome
        self.inp = inp
        self.result: MetaAnalysisResult | None = None
        self.weights: dict[int, float] = {}
        if inp is not None:
            from reviewflow.revman.check import shown_weights

            self.result = analyse(inp.table, inp.options)
            weights = shown_weights(inp, self.result, outcome.settings.totals)
            self.weights = {id(r): w for r, w in zip(inp.rows, weights, strict=True)}
            self.studies = {id(r): s for r, s in zip(inp.rows, self.result.studies,
                                                     strict=True)}
        self.ratio = outcome.kind is not OutcomeKind.GENERIC and outcome.settings.measure in (
            "RR", "OR", "PETO_OR") or (outcome.kind is OutcomeKind.GENERIC
                                        and outcome.settings.log_data)

    def scale(self, x: float) -> float:
        return math.exp(x) if self.ratio else x

    def effect_attrs(self, est: float, low: float, high: float, ok: bool) -> dict[str, str]:
        if not ok:
            a = {"EFFECT_SIZE": "0.0", "CI_START": "0.0", "CI_END": "0.0", "ESTIMABLE": "NO"}
            if self.ratio:
                a |= {"LOG_EFFECT_SIZE": "0.0", "LOG_CI_START": "0.0", "LOG_CI_END": "0.0"}
            return a
        a = {"EFFECT_SIZE": _num(self.scale(est)), "CI_START": _num(self.scale(low)),
             "CI_END": _num(self.scale(high)), "ESTIMABLE": "YES"}
        if self.ratio:
            a |= {"LOG_EFFECT_SIZE": _num(est / math.log(10)),
                  "LOG_CI_START": _num(low / math.log(10)),
                  "LOG_CI_END": _num(high / math.log(10))}
        return a

    def row(self, r: DataRow) -> dict[str, str]:
        study = self.studies.get(id(r)) if self.inp is not None else None
        if study is None:
            return {}
        crit = z_crit(self.outcome.settings.ci_study / 100)
        ok = study.estimable
        a = self.effect_attrs(study.estimate, study.estimate - crit * study.se,
                              study.estimate + crit * study.se, ok)
        a["WEIGHT"] = _num(self.weights.get(id(r), 0.0) if ok else 0.0)
        if self.outcome.kind is not OutcomeKind.GENERIC:
            a["SE"] = _num(study.se if ok else 0.0)
        if self.outcome.kind is OutcomeKind.DICHOTOMOUS:
            a["VAR"] = _num(study.se**2 if ok else 0.0)
        return a

    def pooled(self, p: Pooled | None, shown: bool) -> dict[str, str]:
        if p is None or not shown or not p.estimable:
            a = self.effect_attrs(0, 0, 0, False)
            return a | {"CHI2": "0.0", "DF": "0", "I2": "0.0", "P_CHI2": "0.0", "P_Z": "0.0",
                        "TAU2": "0.0", "Z": "0.0"}
        h = p.heterogeneity
        df0 = h.df <= 0
        return self.effect_attrs(p.estimate, p.ci_low, p.ci_high, True) | {
            "CHI2": _num(h.q), "DF": str(h.df), "I2": _num(0.0 if df0 else h.i2),
            "P_CHI2": _num(1.0 if df0 else h.p), "P_Z": _num(p.p), "TAU2": _num(h.tau2),
            "Z": _num(abs(p.z)),
        }


def _data_row(kind: OutcomeKind, r: DataRow, results: _Results) -> str:
    attrs = {"STUDY_ID": r.study_id}
    if r.order is not None:
        attrs["ORDER"] = str(r.order)
    if kind is OutcomeKind.DICHOTOMOUS:
        attrs |= {"EVENTS_1": _count(r.events_1), "TOTAL_1": _count(r.total_1),
                  "EVENTS_2": _count(r.events_2), "TOTAL_2": _count(r.total_2)}
    elif kind is OutcomeKind.CONTINUOUS:
        attrs |= {"MEAN_1": _num(r.mean_1), "SD_1": _num(r.sd_1), "TOTAL_1": _count(r.total_1),
                  "MEAN_2": _num(r.mean_2), "SD_2": _num(r.sd_2), "TOTAL_2": _count(r.total_2)}
    else:
        attrs |= {"ESTIMATE": _num(r.estimate), "SE": _num(r.se),
                  "TOTAL_1": _count(r.total_1), "TOTAL_2": _count(r.total_2)}
    if has_data(r, kind):
        attrs |= results.row(r)
    return f"<{kind.value}_DATA{_attrs(attrs)}/>"


def _settings_attrs(o: Outcome) -> dict[str, str]:
    s = o.settings
    yes = {True: "YES", False: "NO"}
    a = {"ID": o.id, "NO": str(o.no), "CI_STUDY": str(s.ci_study), "CI_TOTAL": str(s.ci_total),
         "RANDOM": yes[s.random], "TOTALS": s.totals.value, "SUBGROUPS": yes[o.has_subgroups],
         "SUBGROUP_TEST": yes[s.subgroup_test], "STUDIES": str(len(o.all_rows()))}
    if s.measure:
        a["EFFECT_MEASURE"] = s.measure
    if o.kind is OutcomeKind.DICHOTOMOUS:
        a |= {"METHOD": s.method, "SWAP_EVENTS": yes[s.swap_events]}
    elif o.kind is OutcomeKind.GENERIC:
        a |= {"LOG_DATA": yes[s.log_data]}
    if o.kind is not OutcomeKind.DICHOTOMOUS:
        a["UNITS"] = s.units
    return a


def _outcome(o: Outcome, names: dict[str, str]) -> Iterator[str]:
    inp = engine_input(o, names)
    res = _Results(o, inp)
    result = res.result
    attrs = _settings_attrs(o)
    if result is None:  # no study has data: RevMan's "not estimable" total
        attrs |= res.pooled(None, False) | {"WEIGHT": "0.0"}
    else:
        attrs |= res.pooled(result.overall, o.settings.totals is Totals.YES)
        attrs["WEIGHT"] = _num(100.0 if o.settings.totals is Totals.YES
                               and result.overall.estimable else 0.0)
        if o.has_subgroups:
            d = result.subgroup_difference
            attrs |= {"Q": _num(d.q if d else 0.0), "P_Q": _num(d.p if d else 0.0),
                      "I2_Q": _num(d.i2 if d else 0.0)}
    prefix = o.kind.value
    yield f"<{prefix}_OUTCOME{_attrs(attrs)}>"
    yield _el("NAME", o.name)
    yield _el("GROUP_LABEL_1", o.group_labels[0])
    yield _el("GROUP_LABEL_2", o.group_labels[1])
    yield _el("GRAPH_LABEL_1", o.graph_labels[0])
    yield _el("GRAPH_LABEL_2", o.graph_labels[1])
    if o.has_subgroups:
        mine = {s.name: s for s in result.subgroups} if result is not None else {}
        for sub in o.subgroups:
            sa = {"ID": sub.id, "NO": str(sub.no), "STUDIES": str(len(sub.rows))}
            if result is not None:
                got = mine.get(sub.id)
                sa |= res.pooled(got.pooled if got else None, o.settings.totals is not Totals.NO)
                sa["WEIGHT"] = _num(got.weight if got and o.settings.totals is Totals.YES
                                    else (100.0 if got else 0.0))
            yield f"<{prefix}_SUBGROUP{_attrs(sa)}>"
            yield _el("NAME", sub.name)
            yield from (_data_row(o.kind, r, res) for r in sub.rows)
            yield f"</{prefix}_SUBGROUP>"
    else:
        yield from (_data_row(o.kind, r, res) for r in o.rows)
    yield f"</{prefix}_OUTCOME>"


def write_rm5(review: RevManFile) -> bytes:
    """The whole file as UTF-8 bytes."""
    names = review.study_names()
    # The top-level sequence RevMan 5.4 writes (its "download statistical data"
    # files have the same), sections reviewflow does not hold left empty.
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
             '<COCHRANE_REVIEW ID="000000000000000000" REVMAN_SUB_VERSION="5.4.1" '
             'REVMAN_VERSION="5" STAGE="R" STATUS="A" TYPE="INTERVENTION" VERSION_NO="1.0">',
             f"<COVER_SHEET>{_el('TITLE', review.title)}</COVER_SHEET>", "<MAIN_TEXT/>"]
    parts += _studies(review)
    parts += _risk_of_bias(review)
    parts += ["<SOF_TABLES/>", "<ADDITIONAL_TABLES/>"]
    parts.append('<ANALYSES_AND_DATA CALCULATED_DATA="YES">')
    for c in review.comparisons:
        parts.append(f"<COMPARISON{_attrs({'ID': c.id, 'NO': str(c.no)})}>")
        parts.append(_el("NAME", c.name))
        for o in c.outcomes:
            parts += _outcome(o, names)
        parts.append("</COMPARISON>")
    parts += ["</ANALYSES_AND_DATA>", "<FIGURES/>", "<FEEDBACK/>", "<APPENDICES/>",
              "<EXTENSIONS/>", "</COCHRANE_REVIEW>"]
    return ("\n".join(parts) + "\n").encode("utf-8")

