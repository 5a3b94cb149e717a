"""A review -> :class:`~reviewflow.revman.model.RevManFile` (then ``writer`` makes XML).

Reads only the derived, reconciled views (studies with their reports, the
reconciled extraction, reconciled RoB 1 judgements, the analyses declared in
``analyses.toml``), so an export shows what the review's own analyses use.
Each analysis becomes one RevMan outcome; RevMan presentation settings kept
by an import (``revman = {...}`` in the analysis) put it back in its
comparison, with its number, labels, totals and subgroup order.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import Analysis, analysis_input, load_analyses, subgroup_path
from reviewflow.extraction.form import Form, stat_path
from reviewflow.extraction.form_versions import form_in_force
from reviewflow.extraction.rob import ROB1, reconcile_rob
from reviewflow.extraction.rob_items import item_descriptions
from reviewflow.extraction.studies import list_studies
from reviewflow.extraction.values import Reconciled, reconcile
from reviewflow.pooling.formatting import MEASURE_NAMES
from reviewflow.pooling.trial_data import Comparison as PooledComparison
from reviewflow.pooling.trial_data import Handling
from reviewflow.pooling.types import Measure
from reviewflow.revman.model import (
    Comparison,
    DataRow,
    Outcome,
    OutcomeKind,
    Reference,
    RevManFile,
    RiskOfBiasEntry,
    RiskOfBiasItem,
    Settings,
    Study,
    StudyStatus,
    Subgroup,
    Totals,
)
from reviewflow.store import models
from reviewflow.store.db import Store

ROB_RESULTS = {"low": "YES", "high": "NO", "unclear": "UNKNOWN"}
NO_REFERENCE = "RevMan study without reference"


def study_id(label: str, values: dict[str, str]) -> str:
    return values.get("study/revman_id") or "STD-" + re.sub(r"[^A-Za-z0-9]+", "-", label)


def _references(store: Store, record_ids: tuple[int, ...]) -> tuple[Reference, ...]:
    out = []
    with store.session() as s:
        for rid in record_ids:
            r = s.get(models.RecordRow, rid)
            if r is None or r.publication_type == NO_REFERENCE:
                continue
            raw = json.loads(r.raw_json or "{}")
            ids = [("DOI", r.doi)] if r.doi else []
            ids += [("PUBMED", r.pmid)] if r.pmid else []
            out.append(Reference(
                type=(raw.get("revman_reference_type") or [r.publication_type or
                                                           "JOURNAL_ARTICLE"])[0],
                primary=(raw.get("revman_primary") or ["NO"])[0] == "YES",
                authors=", ".join(json.loads(r.authors_json or "[]")), title=r.title or "",
                source=r.journal or "", year=str(r.year or ""), volume=r.volume or "",
                issue=r.issue or "", pages=r.pages or "", identifiers=tuple(ids),
            ))
    return tuple(out)


def _studies(store: Store, form: Form, values: dict[str, dict[str, str]]) -> tuple[Study, ...]:
    chars = [f.name for f in form.study_fields if f.name.startswith("char_")]
    out = []
    for info in list_studies(store):
        v = values.get(info.label, {})
        status = v.get("study/status", "included")
        out.append(Study(
            id=study_id(info.label, v), name=info.label, year=v.get("study/year", ""),
            status=StudyStatus(status) if status in StudyStatus._value2member_map_
            else StudyStatus.INCLUDED,
            data_source=v.get("study/data_source", ""),
            references=_references(store, info.record_ids),
            characteristics=_characteristics(chars, v, status),
        ))
    return tuple(out)


def _characteristics(chars: list[str], v: dict[str, str], status: str):
    """All the form's characteristics, empty ones too (RevMan keeps them, and the
    form of a re-import is built from them); the reason for exclusion only for
    excluded studies."""
    reason = "char_reason_for_exclusion"
    chosen = [c for c in chars if (c == reason) == (status == "excluded")]
    return tuple((c.upper(), v.get(f"study/{c}", "")) for c in chosen)


def _risk_of_bias(store: Store, ids: dict[str, str]) -> tuple[RiskOfBiasItem, ...]:
    table = reconcile_rob(store, ROB1)
    with store.session() as s:
        descriptions = item_descriptions(ROB1.id, session=s)
    items = []
    for no, domain in enumerate(table.tool.domains, start=1):  # with the author's items
        entries = tuple(
            RiskOfBiasEntry(study_id=ids[label], result=ROB_RESULTS[j[domain.id].judgement],
                            support=j[domain.id].support or "")
            for label, j in table.judgements.items() if domain.id in j and label in ids)
        if entries or descriptions.get(domain.id):
            items.append(RiskOfBiasItem(id=f"QIT-{no:02d}", no=no, name=domain.label,
                                        description=descriptions.get(domain.id, ""),
                                        level="STUDY", entries=entries))
    # An item the review asks but judged no study in (RevMan lists it all the same): an
    # author's own item is not among the tool's domains until something is judged in it.
    shown = {d.id for d in table.tool.domains}
    standard = {d.id: d.label for d in ROB1.domains}
    for no, (domain_id, text) in enumerate(
            ((d, t) for d, t in descriptions.items() if d not in shown),
            start=len(table.tool.domains) + 1):
        items.append(RiskOfBiasItem(id=f"QIT-{no:02d}", no=no,
                                    name=standard.get(domain_id, domain_id), description=text,
                                    level="STUDY", entries=()))
    return tuple(items)


def _has_data(form: Form, a: Analysis, values: dict[str, dict[str, str]]) -> bool:
    prefix = f"outcome/{a.outcome}/"
    sub = subgroup_path(form, a)
    return any(k.startswith(prefix) and k != sub for v in values.values() for k in v)


def _rows(store: Store, form: Form, a: Analysis, rec: Reconciled, ids: dict[str, str],
          kind: OutcomeKind) -> list[tuple[str | None, DataRow]]:
    """(subgroup, row) per comparison the analysis pools: the typed input, so split or
    combined multi-arm trials, conversions and filters are exported as analysed (a
    split trial appears once per comparison, as RevMan stores multi-arm trials)."""
    if not _has_data(form, a, rec.values):
        return []
    from reviewflow.store.reader import store_reader

    with store_reader(store) as reader:  # form and values given: nothing more is read
        inp = analysis_input(reader, a, form=form, reconciled=rec)
    frame = inp.frame().to_dict("records")
    out = []
    for c, r in zip(inp.comparisons, frame, strict=True):
        sid = ids[c.study]
        if kind is OutcomeKind.GENERIC:
            t1, t2 = _group_totals(form, a, c, rec.values.get(c.study, {}))
            row = DataRow(study_id=sid, estimate=float(r["estimate"]), se=float(r["se"]),
                          total_1=t1, total_2=t2)
        elif kind is OutcomeKind.DICHOTOMOUS:
            e1, n1, e2, n2 = (float(r[k]) for k in ("events_treat", "n_treat", "events_ctrl",
                                                     "n_ctrl"))
            if a.swap_events:  # the input holds non-events; RevMan stores events
                e1, e2 = n1 - e1, n2 - e2
            row = DataRow(study_id=sid, events_1=e1, total_1=n1, events_2=e2, total_2=n2)
        else:
            row = DataRow(study_id=sid, mean_1=float(r["mean_treat"]), sd_1=float(r["sd_treat"]),
                          total_1=float(r["n_treat"]), mean_2=float(r["mean_ctrl"]),
                          sd_2=float(r["sd_ctrl"]), total_2=float(r["n_ctrl"]))
        out.append((c.subgroup, row))
    return out


def _group_totals(form: Form, a: Analysis, c: PooledComparison,
                  values: dict[str, str]) -> tuple[float | None, float | None]:
    """A generic row's participants per group (RevMan's N columns), where the form keeps
    them: the first intervention and comparator arms of the outcome the entry came from."""
    entry = a.outcomes()[c.share[0] - 1] if c.handling is Handling.AS_ENTERED else a.outcome
    treat, ctrl = a.arms(form)
    found = (values.get(stat_path(entry, arm[0], "n")) for arm in (treat, ctrl))
    return tuple(float(x) if x is not None else None for x in found)  # type: ignore[return-value]


def _outcome(store: Store, a: Analysis, form: Form, rec: Reconciled, ids: dict[str, str],
             number: int) -> Outcome:
    od = form.outcome(a.outcome)
    kind = {"dichotomous": OutcomeKind.DICHOTOMOUS, "continuous": OutcomeKind.CONTINUOUS,
            "generic": OutcomeKind.GENERIC}[od.type]
    rm = a.revman
    grouped: dict[str, list[DataRow]] = {}
    pairs = _rows(store, form, a, rec, ids, kind)
    rows = [r for _, r in pairs]
    sub_path = a.subgroup
    for group, row in pairs:
        if sub_path:
            grouped.setdefault(group or "not reported", []).append(row)
    listed = [str(g) for g in rm.get("subgroups", [])] if isinstance(rm.get("subgroups"),
                                                                       list) else []
    # Every subgroup the analysis lists, even one left without data (RevMan keeps them).
    order = listed + [g for g in grouped if g not in listed]
    no = int(rm.get("outcome", number))  # type: ignore[call-overload]
    cmp_no = int(rm.get("comparison", 1))  # type: ignore[call-overload]
    oid = f"CMP-{cmp_no:03d}.{no:02d}"
    measure = "PETO_OR" if a.method.lower() == "peto" else a.measure
    if kind is OutcomeKind.GENERIC:  # RevMan names it: as imported, or as the author does
        # (the label first: an author who renames the measure after an import is heard)
        measure = a.measure_label or str(rm["effect_measure"] if "effect_measure" in rm
                                         else MEASURE_NAMES[Measure(a.measure)])
    settings = Settings(
        measure=measure, method={"mh": "MH", "iv": "IV", "peto": "PETO"}[a.method.lower()],
        random=a.model == "random", totals=Totals(str(rm.get("totals", "YES"))),
        subgroup_test=bool(rm.get("subgroup_test", True)),
        ci_study=int(rm.get("ci_study", round(a.level * 100))),  # type: ignore[call-overload]
        ci_total=round(a.level * 100), swap_events=a.swap_events, units=od.unit,
        log_data=kind is OutcomeKind.GENERIC and od.ratio,
    )
    labels = rm.get("group_labels") or [arm.label for arm in form.arms[:2]]
    graphs = rm.get("graph_labels") or ["", ""]
    return Outcome(
        id=oid, no=no, name=a.title or od.label, kind=kind, settings=settings,
        rows=() if sub_path else tuple(rows),
        subgroups=tuple(Subgroup(id=f"{oid}.{i:02d}", no=i, name=g,
                                 rows=tuple(grouped.get(g, ())))
                        for i, g in zip(_subgroup_numbers(rm, listed, len(order)), order,
                                        strict=True)),
        has_subgroups=bool(sub_path), group_labels=(str(labels[0]), str(labels[1])),
        graph_labels=(str(graphs[0]), str(graphs[1])),
    )


def _subgroup_numbers(rm: dict[str, object], listed: list[str], count: int) -> list[int]:
    """RevMan's own subgroup numbers (an import keeps them), new ones after the last."""
    kept = rm.get("subgroup_numbers")
    numbers = ([int(n) for n in kept] if isinstance(kept, list) and len(kept) == len(listed)
               else list(range(1, len(listed) + 1)))
    start = max(numbers, default=0)
    return numbers + list(range(start + 1, start + 1 + count - len(numbers)))


def review_to_revman(store: Store, folder: Path, title: str) -> RevManFile:
    form = form_in_force(store, folder).form  # an export reads: no form version stored
    reconciled = reconcile(store)
    if reconciled.discrepancies:
        first = reconciled.discrepancies[0].describe()
        raise ReviewflowError(f"{len(reconciled.discrepancies)} unresolved extraction "
                              f"discrepancies (first: {first}); resolve them before exporting")
    values = reconciled.values
    studies = _studies(store, form, values)
    ids = {s.name: s.id for s in studies}
    analyses = load_analyses(folder, form) if (folder / "analyses.toml").is_file() else []
    comparisons: dict[int, tuple[str, list[Outcome]]] = {}
    for number, a in enumerate(analyses, start=1):
        outcome = _outcome(store, a, form, reconciled, ids, number)
        cmp_no = int(a.revman.get("comparison", 1))  # type: ignore[call-overload]
        name = str(a.revman.get("comparison_name", "Main comparison"))
        comparisons.setdefault(cmp_no, (name, []))[1].append(outcome)
    return RevManFile(
        source=str(folder), title=title, revman_version="5.4.1", calculated=True,
        studies=studies, risk_of_bias=_risk_of_bias(store, ids),
        comparisons=tuple(Comparison(id=f"CMP-{no:03d}", no=no, name=name,
                                     outcomes=tuple(sorted(outs, key=lambda o: o.no)))
                          for no, (name, outs) in sorted(comparisons.items())),
    )

