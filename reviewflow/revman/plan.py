"""A RevMan review -> what a reviewflow review will hold (pure; nothing is written).

The whole file is turned into a plan first (records, studies, extraction form,
values, risk-of-bias judgements, analyses) and every value is checked against
the generated form, so a file that cannot be imported fails before a review
folder exists. What the extraction model cannot hold yet is never dropped
silently: it is listed in ``ImportPlan.not_imported`` with the reason, and
the CLI prints it.

Mapping (RevMan -> reviewflow):

* each RevMan study -> a study labelled with its name; each reference -> a
  record (provenance "RevMan import"); a study without references gets one
  record carrying its name, so that every study has a report;
* included / excluded / awaiting / ongoing -> the study field ``status`` and
  screening resolutions (title/abstract include for all; full text include for
  included, exclude with the reason for exclusion for excluded; awaiting and
  ongoing stay undecided at full text);
* characteristics -> study fields ``char_methods``, ``char_participants``...;
* RoB 1 items whose name is one of RevMan 5.4's seven domains -> RoB 1
  judgements (YES low, NO high, UNKNOWN unclear) with their support text; items
  the author added (e.g. "Blinding (performance bias and detection bias)") -> RoB 1
  judgements of a domain with the item's name (``rob.with_custom_domains``; RevMan
  5.0's question-style items, "Adequate sequence generation?", keep their words and
  stand for their RoB 1 domain there); an item
  judged per outcome group, differently for some study -> one such domain per group,
  "<item>: <group>"; an item's description (its question) -> kept per domain in the
  review (``extraction.rob_items``) for the export;
* each dichotomous or continuous outcome -> a form outcome ``c<comparison>_o<outcome>``
  with the two groups as arms ``treat``/``ctrl``, the study's subgroup in the
  outcome field ``subgroup``, and an analysis in ``analyses.toml`` with the
  outcome's settings.

A study entered more than once in one outcome (a multi-arm trial as RevMan stores
it: independent pairs, each in its subgroup, the shared control split by hand or
counted twice) is imported as entered: entry k (k >= 2, in file order) goes to
the form outcome ``c<comparison>_o<outcome>_e<k>`` with its own subgroup, and the
analysis is marked ``repeated_study_entries = "as entered in RevMan"`` with those
``entry_outcomes``, so it pools every entry as RevMan did and says that a shared
control may be counted twice (Handbook 23.3.4); the import summary lists them.
An outcome without any study data is left out. Generic inverse variance outcomes
become generic outcomes (a ratio on its natural scale with the SE of its log);
their per-group participant totals (RevMan's N columns, shown in its forest plot)
are kept as the arms' ``n`` (``group_totals = true``), never pooled.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import tomli_w

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import AS_ENTERED_IN_REVMAN
from reviewflow.extraction.form import Form, normalise_value, parse_form
from reviewflow.extraction.rob import CUSTOM_DOMAIN_MAX, ROB1
from reviewflow.records import Record
from reviewflow.revman.model import (
    MEASURE_NAMES,
    DataRow,
    Outcome,
    OutcomeKind,
    Reference,
    RevManFile,
    Study,
)
from reviewflow.revman.reader import has_data
from reviewflow.wording import plural

ROB_RESULTS = {"YES": "low", "NO": "high", "UNKNOWN": "unclear"}
BASE_FIELDS = ("revman_id", "year", "status", "data_source")
MEASURES = {"RR": ("RR", "MH"), "OR": ("OR", "MH"), "RD": ("RD", "MH"), "PETO_OR": ("OR", "Peto"),
            "MD": ("MD", "IV"), "SMD": ("SMD", "IV")}
PROVENANCE = "RevMan import"
OUTCOME_TYPES = {OutcomeKind.DICHOTOMOUS: "dichotomous", OutcomeKind.CONTINUOUS: "continuous",
                 OutcomeKind.GENERIC: "generic"}
GENERIC_MEASURES = ("MD", "SMD", "RR", "OR", "HR")
# A generic ratio is kept on its natural scale (as trials report it) with the SE of
# its log; 12 significant digits keep RevMan's 9-decimal log estimates exactly enough
# (1e-12) and make exp/log round trips land on the same text.
RATIO_DIGITS = 12


@dataclass(frozen=True)
class StudyPlan:
    label: str
    study: Study
    records: tuple[Record, ...]


@dataclass(frozen=True)
class ImportPlan:
    source: str
    title: str
    studies: tuple[StudyPlan, ...]
    form_text: str
    form: Form
    values: tuple[tuple[str, str, str], ...]  # (study label, path, canonical value)
    rob: tuple[tuple[str, str, str, str], ...]  # (study label, domain id, judgement, support)
    analyses_text: str
    analyses: tuple[dict[str, object], ...]
    not_imported: tuple[str, ...]
    repeated: tuple[str, ...] = ()  # outcomes with a study entered more than once
    rob_descriptions: tuple[tuple[str, str], ...] = ()  # (domain id, the item's description)


def outcome_id(comparison_no: int, outcome_no: int) -> str:
    return f"c{comparison_no}_o{outcome_no}"


def entry_outcome_id(oid: str, entry: int) -> str:
    """The form outcome holding the ``entry``-th entry of studies entered repeatedly."""
    return oid if entry == 1 else f"{oid}_e{entry}"


def char_field(tag: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", tag.lower())


def _labels(studies: tuple[Study, ...]) -> dict[str, str]:
    seen: dict[str, int] = {}
    out = {}
    for s in studies:
        label = (s.name or s.id).strip() or s.id
        if label.lower() in seen:
            label = f"{label} ({s.id})"
        seen[label.lower()] = 1
        out[s.id] = label
    return out


def _record(study: Study, ref: Reference | None, position: int) -> Record:
    raw = {"revman_study_id": [study.id], "revman_study_name": [study.name]}
    if ref is None:
        return Record(title=study.name, year=_year(study.year), raw=raw, position=position,
                      publication_type="RevMan study without reference")
    raw["revman_reference_type"] = [ref.type]
    raw["revman_primary"] = ["YES" if ref.primary else "NO"]
    authors = [a.strip() for a in ref.authors.split(",") if a.strip()]
    return Record(
        title=ref.title or study.name, authors=authors, year=_year(ref.year or study.year),
        journal=ref.source or None, volume=ref.volume or None, issue=ref.issue or None,
        pages=ref.pages or None, doi=ref.identifier("DOI") or None,
        pmid=ref.identifier("PUBMED") or None, publication_type=ref.type or None,
        raw=raw, position=position,
    )


def _year(text: str) -> int | None:
    m = re.search(r"\d{4}", text or "")
    return int(m.group()) if m else None


def _form_text(review: RevManFile, outcomes: list[tuple[str, Outcome, int]],
               char_fields: list[str]) -> str:
    data = {
        "form": {"name": f"RevMan import: {review.title or review.source}"[:190]},
        "study_fields": [{"name": n, "label": n.replace("_", " ").capitalize()}
                         for n in (*BASE_FIELDS, *char_fields)],
        "arms": [{"id": "treat", "label": "Experimental"}, {"id": "ctrl", "label": "Control"}],
        "outcome_fields": [{"name": "subgroup", "label": "RevMan subgroup"}],
        "outcomes": [
            {"id": entry_outcome_id(oid, k),
             "label": f"{oid.replace('c', '').replace('_o', '.')} {o.name}".strip()
             + (f" (entry {k})" if k > 1 else ""),
             "type": OUTCOME_TYPES[o.kind],
             **({"ratio": True} if o.kind is OutcomeKind.GENERIC and o.settings.log_data
                else {}),
             **({"group_totals": True} if _has_group_totals(o) else {}),
             **({"unit": o.settings.units} if o.settings.units else {})}
            for oid, o, entries in outcomes for k in range(1, entries + 1)
        ],
    }
    return tomli_w.dumps(data)


def _analysis(comparison, outcome: Outcome, oid: str, entries: int) -> dict[str, object]:
    s = outcome.settings
    if outcome.kind is OutcomeKind.GENERIC:
        named = MEASURE_NAMES.get(s.measure.strip().lower(), s.measure)
        # A name RevMan has no code for ("Ratio of means") is the author's own: a generic
        # ratio or difference (as the data's scale says) that keeps its name.
        measure = named if named in GENERIC_MEASURES else (
            "RATIO" if s.log_data else "DIFFERENCE")
        label = "" if named in GENERIC_MEASURES else s.measure.strip()
        method = "IV"
    else:
        measure, method = MEASURES[s.measure]
        label = ""
    if outcome.kind is OutcomeKind.DICHOTOMOUS and s.measure != "PETO_OR":
        method = {"MH": "MH", "IV": "IV", "PETO": "Peto"}.get(s.method, method)
    a: dict[str, object] = {
        "name": oid, "title": outcome.name, "outcome": oid, "measure": measure,
        **({"measure_label": label} if label else {}),
        "method": method, "model": "random" if s.random else "fixed",
    }
    if s.ci_total != 95:
        a["level"] = s.ci_total / 100
    if s.tau2 != "DL":
        a["tau2"] = s.tau2
    if s.hksj:
        a["hksj"] = True
    if s.swap_events:
        a["swap_events"] = True
    if outcome.has_subgroups:
        a["subgroup"] = "subgroup"
    if entries > 1:
        a["repeated_study_entries"] = AS_ENTERED_IN_REVMAN
        a["entry_outcomes"] = [entry_outcome_id(oid, k) for k in range(2, entries + 1)]
    revman: dict[str, object] = {
        "comparison": comparison.no, "comparison_name": comparison.name,
        "outcome": outcome.no, "totals": s.totals.value, "subgroup_test": s.subgroup_test,
        "ci_study": s.ci_study, "effect_measure": s.measure,
        "group_labels": list(outcome.group_labels),
        "graph_labels": list(outcome.graph_labels),
    }
    if outcome.has_subgroups:
        revman["subgroups"] = [g.name for g in outcome.subgroups]
        numbers = [g.no for g in outcome.subgroups]
        if numbers != list(range(1, len(numbers) + 1)):  # RevMan keeps a deleted one's gap
            revman["subgroup_numbers"] = numbers
    a["revman"] = revman
    return a


def _has_group_totals(o: Outcome) -> bool:
    return o.kind is OutcomeKind.GENERIC and any(
        r.total_1 or r.total_2 for r in o.all_rows())


def _generic_values(row: DataRow, log_data: bool) -> dict[str, str | None]:
    """The effect and SE, and the group totals RevMan keeps (0 there means not given)."""
    if row.estimate is None or row.se is None:
        return {}
    est = f"{math.exp(row.estimate):.{RATIO_DIGITS}g}" if log_data else _text(row.estimate)
    out = {"effect/estimate": est, "effect/se": _text(row.se)}
    out |= {f"arm/{arm}/n": _text(n) for arm, n in (("treat", row.total_1),
                                                     ("ctrl", row.total_2)) if n}
    return out


def _row_values(row: DataRow, kind: OutcomeKind) -> dict[str, float | None]:
    if kind is OutcomeKind.DICHOTOMOUS:
        return {"treat/events": row.events_1, "treat/n": row.total_1,
                "ctrl/events": row.events_2, "ctrl/n": row.total_2}
    return {"treat/mean": row.mean_1, "treat/sd": row.sd_1, "treat/n": row.total_1,
            "ctrl/mean": row.mean_2, "ctrl/sd": row.sd_2, "ctrl/n": row.total_2}


def _text(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


class _Planner:
    def __init__(self, review: RevManFile) -> None:
        self.review = review
        self.labels = _labels(review.studies)
        self.not_imported: list[str] = []
        self.repeated: list[str] = []
        self.values: list[tuple[str, str, str | None]] = []
        self.rob_descriptions: dict[str, str] = {}

    def outcome_values(self, oid: str, label: str, o: Outcome) -> int:
        """Plan the outcome's values; returns how many entries the most repeated study
        has (0: no study has data). Entry k of a study (its k-th row with data, in file
        order) goes to the form outcome ``entry_outcome_id(oid, k)``."""
        count: dict[str, int] = {}
        pairs = ([(g.name, r) for g in o.subgroups for r in g.rows] if o.has_subgroups
                 else [(None, r) for r in o.rows])
        for group, row in pairs:
            study = self.labels.get(row.study_id)
            if study is None:
                self.not_imported.append(f"outcome {label}: data for unknown study "
                                         f"{row.study_id!r}")
                continue
            if not has_data(row, o.kind):
                self.not_imported.append(f"outcome {label}: {study!r} has empty data")
                continue
            count[study] = k = count.get(study, 0) + 1
            eid = entry_outcome_id(oid, k)
            if o.kind is OutcomeKind.GENERIC:
                values = [(study, f"outcome/{eid}/{k}", v) for k, v in
                          _generic_values(row, o.settings.log_data).items()]
            else:
                values = [(study, f"outcome/{eid}/arm/{k}", _text(v))
                          for k, v in _row_values(row, o.kind).items() if v is not None]
            if group is not None:
                values.append((study, f"outcome/{eid}/subgroup", group))
            self.values += values
        repeated = {s: n for s, n in count.items() if n > 1}
        if repeated:
            listed = ", ".join(f"{s} ({n} entries)" for s, n in repeated.items())
            self.repeated.append(
                f"outcome {label}: {listed} - imported as entered in RevMan, each entry "
                "pooled as its own comparison; a shared control may be counted twice "
                "(Cochrane Handbook 23.3.4)")
        return max(count.values(), default=0)

    def rob(self) -> list[tuple[str, str, str, str]]:
        out = []
        for item in self.review.risk_of_bias:
            try:
                domain_id = ROB1.domain(item.name).id
            except ReviewflowError:  # an item the author added: kept under its own name
                domain_id = item.name.strip()[:CUSTOM_DOMAIN_MAX]
                if not domain_id:
                    if item.entries:
                        self.not_imported.append(f"risk of bias item {item.no}: no name "
                                                 f"({plural(len(item.entries), 'judgement')})")
                    continue
            by_study: dict[str, list] = {}
            for e in item.entries:
                by_study.setdefault(e.study_id, []).append(e)
            per_group = any(len({e.result.upper() for e in es}) > 1 for es in by_study.values())
            if per_group:
                judged = self._group_judgements(item, by_study)
                self._describe(item, {domain for _, domain, _, _ in judged})
                out += judged
                continue
            self._describe(item, {domain_id})
            for sid, entries in by_study.items():
                study = self.labels.get(sid)
                if study is None:
                    continue
                support = "\n".join(e.support for e in entries if e.support)
                out.append((study, domain_id, ROB_RESULTS.get(entries[0].result.upper(),
                                                              "unclear"), support))
        return out

    def _describe(self, item, domains: set[str]) -> None:
        """Keep the item's description for each domain it became (an export writes it
        back); an empty one is nothing to keep."""
        if item.description.strip():
            for domain in sorted(domains):
                self.rob_descriptions.setdefault(domain, item.description)

    def _group_judgements(self, item, by_study) -> list[tuple[str, str, str, str]]:
        """An item judged per outcome group, differently for some study: one domain per
        group, named "<item>: <group>" as RevMan's risk-of-bias figures name them."""
        names = dict(item.groups)
        out = []
        for sid, entries in by_study.items():
            study = self.labels.get(sid)
            if study is None:
                continue
            for e in entries:
                group = names.get(e.group_id) or e.group_id or "all outcomes"
                domain = f"{item.name.strip()}: {group}"[:CUSTOM_DOMAIN_MAX]
                out.append((study, domain, ROB_RESULTS.get(e.result.upper(), "unclear"),
                            e.support))
        return out


def plan_import(review: RevManFile) -> ImportPlan:
    """Everything an import will write; raises ReviewflowError if it cannot be planned."""
    p = _Planner(review)
    char_fields = list(dict.fromkeys(char_field(k) for s in review.studies
                                     for k, _ in s.characteristics))
    outcomes: list[tuple[str, Outcome, int]] = []
    analyses = []
    for comparison, o in review.outcomes():
        oid = outcome_id(comparison.no, o.no)
        label = f"{comparison.no}.{o.no} ({o.name})"
        entries = p.outcome_values(oid, label, o)
        if entries:
            outcomes.append((oid, o, entries))
            analyses.append(_analysis(comparison, o, oid, entries))
        else:
            p.not_imported.append(f"outcome {label}: no study has data (nothing to import)")
    p.not_imported += review.unsupported
    form_text = _form_text(review, outcomes, char_fields)
    form = parse_form(form_text, "generated extraction form")
    for s in review.studies:
        label = p.labels[s.id]
        p.values += [(label, "study/revman_id", s.id), (label, "study/year", s.year or None),
                     (label, "study/status", s.status.value),
                     (label, "study/data_source", s.data_source or None)]
        p.values += [(label, f"study/{char_field(k)}", text or None)
                     for k, text in s.characteristics]
    values = []
    for study, path, raw in p.values:
        try:
            value = normalise_value(form, path, raw)
        except ReviewflowError as exc:
            p.not_imported.append(f"{study!r} {path}: {exc}")
            continue
        if value is not None:
            values.append((study, path, value))
    position = 0
    studies = []
    for s in review.studies:
        records = []
        for ref in s.references or (None,):
            position += 1
            records.append(_record(s, ref, position))
        studies.append(StudyPlan(p.labels[s.id], s, tuple(records)))
    rob = p.rob()
    return ImportPlan(
        source=review.source, title=review.title or "RevMan review", studies=tuple(studies),
        form_text=form_text, form=form, values=tuple(values), rob=tuple(rob),
        analyses_text=tomli_w.dumps({"analysis": analyses}), analyses=tuple(analyses),
        not_imported=tuple(p.not_imported), repeated=tuple(p.repeated),
        rob_descriptions=tuple(p.rob_descriptions.items()),
    )

