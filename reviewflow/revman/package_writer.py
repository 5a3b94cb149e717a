"""A review's analyses as a RevMan Web data package (the ZIP ``meta::read.cdir`` reads).

The layout is Cochrane's "Data package specification" (version 2 by default:
``CI/PI level``, ``Heterogeneity estimator``, ``CI method``; version 1 names the
levels ``Study CI``/``Estimate CI``), with the result columns taken from the
:class:`Stored` numbers: ``revman export`` fills them with the engine's results
(:func:`reviewflow.revman.results.with_results`); the tests write RevMan's own stored
results from the corpus files, so that the reader is checked against RevMan's numbers.
Plain dicts and ``csv``: nothing shared with the reader but the model.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile

from reviewflow.pooling.formatting import MEASURE_NAMES
from reviewflow.pooling.types import Measure
from reviewflow.revman.model import OutcomeKind, RevManFile, Stored

KIND = {OutcomeKind.DICHOTOMOUS: "Dichotomous", OutcomeKind.CONTINUOUS: "Continuous",
        OutcomeKind.GENERIC: "Contrast level"}
METHOD = {"MH": "MH", "IV": "IV", "PETO": "Peto"}
ROB = {"YES": "Low risk", "NO": "High risk", "UNKNOWN": "Unclear risk"}


def _measure(measure: str) -> str:
    """The package's name for a measure: the engine's own names (one table with every
    output), Peto's odds ratio as RevMan calls it, and a generic outcome's own name
    ("Ratio of means") as the author gave it, as RevMan writes it."""
    if measure == "PETO_OR":  # a method of RevMan's odds ratio, not a measure of the engine
        return f"Peto {MEASURE_NAMES[Measure.OR]}"
    try:
        return MEASURE_NAMES[Measure(measure)]
    except ValueError:  # no code of the engine: the author's own name, as given
        return measure


def _n(x: float | None) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else repr(float(x))


def _tf(x: bool) -> str:
    return "TRUE" if x else "FALSE"


def _csv(rows: list[dict[str, str]], header: list[str]) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header)
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _results(s: Stored) -> dict[str, str]:
    ok = s.estimable is not False
    return {"Mean": _n(s.effect) if ok else "", "CI start": _n(s.ci_start) if ok else "",
            "CI end": _n(s.ci_end) if ok else "", "Heterogeneity Tau²": _n(s.tau2),
            "Heterogeneity Chi²": _n(s.chi2), "Heterogeneity df": _n(s.df),
            "Heterogeneity P": _n(s.p_chi2), "Heterogeneity I²": _n(s.i2),
            "Effect Z": _n(s.z), "Effect P": _n(s.p_z)}


SETTINGS_V1 = ["Analysis group", "Analysis number", "Analysis name", "Analysis group name",
               "Data source", "Data source eligibility", "Data type", "Log-scale data",
               "Experimental group label", "Control group label", "Statistical method",
               "Effect measure", "Unit of effect measure", "Analysis model",
               "Subgroup estimates", "Overall estimates", "Test for subgroup differences",
               "Swap event and non-event", "Study CI", "Estimate CI", "Mean", "CI start",
               "CI end", "Heterogeneity Tau²", "Heterogeneity Chi²", "Heterogeneity df",
               "Heterogeneity P", "Heterogeneity I²", "Effect Z", "Effect P", "Subgroup Chi²",
               "Subgroup df", "Subgroup P", "Subgroup I²", "Analysis ID"]
SETTINGS_V2 = [c for c in SETTINGS_V1 if c not in ("Study CI", "Estimate CI")] + [
    "Heterogeneity estimator", "CI method", "CI/PI level", "Graph label (left)",
    "Graph label (right)"]
DATA_ROWS = ["Analysis group", "Analysis number", "Analysis name", "Subgroup", "Study",
             "Study year", "GIV Mean", "GIV SE", "Experimental mean", "Experimental SD",
             "Experimental cases", "Experimental N", "Control mean", "Control SD",
             "Control cases", "Control N", "O-E", "Variance", "Weight", "Mean", "CI start",
             "CI end", "Footnotes"]
SUBGROUPS = ["Analysis group", "Analysis number", "Subgroup", "Subgroup number", "Weight",
             "Mean", "CI start", "CI end", "Heterogeneity Tau²", "Heterogeneity Chi²",
             "Heterogeneity df", "Heterogeneity P", "Heterogeneity I²", "Effect Z", "Effect P",
             "ID"]


TAU2 = {"DL": "DerSimonian and Laird", "REML": "Restricted maximum-likelihood",
        "PM": "Paule-Mandel"}


def write_data_package(review: RevManFile, ident: str = "CD000000", version: int = 2,
                       nested: bool = False) -> bytes:
    """The package's bytes; ``nested``: wrapped as the Cochrane Library serves it."""
    names = review.study_names()
    years = {s.id: s.year for s in review.studies}
    settings, rows, subgroups = [], [], []
    for c, o in review.outcomes():
        s = o.settings
        row = {"Analysis group": str(c.no), "Analysis number": str(o.no),
               "Analysis name": o.name, "Analysis group name": c.name,
               "Data source": "Study data", "Data type": KIND[o.kind],
               "Log-scale data": _tf(o.kind is OutcomeKind.GENERIC and s.log_data),
               "Experimental group label": o.group_labels[0],
               "Control group label": o.group_labels[1],
               "Statistical method": METHOD[s.method],
               "Effect measure": _measure(s.measure),
               "Unit of effect measure": s.units,
               "Analysis model": "Random effects" if s.random else "Fixed effect",
               "Subgroup estimates": _tf(s.totals.value in ("YES", "SUB")),
               "Overall estimates": _tf(s.totals.value == "YES"),
               "Test for subgroup differences": _tf(s.subgroup_test),
               "Swap event and non-event": _tf(s.swap_events), "Analysis ID": o.id}
        if version == 1:
            row |= {"Study CI": f"{s.ci_study}%", "Estimate CI": f"{s.ci_total}%"}
        else:
            row |= {"CI/PI level": f"{s.ci_total}%",
                    "CI method": "Hartung-Knapp-Sidik-Jonkman" if s.hksj else "Wald-type",
                    "Heterogeneity estimator": TAU2.get(s.tau2, s.tau2),
                    "Graph label (left)": o.graph_labels[0],
                    "Graph label (right)": o.graph_labels[1]}
        row |= _results(o.stored)
        if o.subgroup_test is not None:
            row |= {"Subgroup Chi²": _n(o.subgroup_test.q), "Subgroup P": _n(o.subgroup_test.p),
                    "Subgroup I²": _n(o.subgroup_test.i2)}
        settings.append(row)
        groups = [(g.name, g.rows) for g in o.subgroups] if o.has_subgroups else [("", o.rows)]
        for g_no, g in enumerate(o.subgroups, start=1):
            subgroups.append({"Analysis group": str(c.no), "Analysis number": str(o.no),
                              "Subgroup": g.name, "Subgroup number": str(g_no),
                              "Weight": _n(g.stored.weight), "ID": g.id} | _results(g.stored))
        for group, data in groups:
            for r in data:
                st = r.stored
                rows.append({
                    "Analysis group": str(c.no), "Analysis number": str(o.no),
                    "Analysis name": o.name, "Subgroup": group,
                    "Study": names.get(r.study_id, r.study_id),
                    "Study year": years.get(r.study_id, ""),
                    "GIV Mean": _n(r.estimate), "GIV SE": _n(r.se),
                    "Experimental mean": _n(r.mean_1), "Experimental SD": _n(r.sd_1),
                    "Experimental cases": _n(r.events_1), "Experimental N": _n(r.total_1),
                    "Control mean": _n(r.mean_2), "Control SD": _n(r.sd_2),
                    "Control cases": _n(r.events_2), "Control N": _n(r.total_2),
                    "Weight": _n(st.weight),
                    "Mean": _n(st.effect) if st.estimable is not False else "",
                    "CI start": _n(st.ci_start) if st.estimable is not False else "",
                    "CI end": _n(st.ci_end) if st.estimable is not False else ""})
    header = SETTINGS_V1 if version == 1 else SETTINGS_V2
    files = {f"{ident}-analysis-data/{ident}-overall-estimates-and-settings.csv":
             _csv(settings, header),
             f"{ident}-analysis-data/{ident}-data-rows.csv": _csv(rows, DATA_ROWS),
             f"{ident}-analysis-data/{ident}-subgroup-estimates.csv": _csv(subgroups,
                                                                              SUBGROUPS)}
    rob_items = [i for i in review.risk_of_bias if i.entries]
    if rob_items:
        studies = sorted({e.study_id for i in rob_items for e in i.entries})
        header = ["Study"]
        for i in rob_items:
            header += [f"Domain (judgement): {i.name}", f"Domain (support): {i.name}"]
        table = []
        for sid in studies:
            line = {"Study": names.get(sid, sid)}
            for i in rob_items:
                e = next((e for e in i.entries if e.study_id == sid), None)
                if e is not None:
                    line[f"Domain (judgement): {i.name}"] = ROB[e.result.upper()]
                    line[f"Domain (support): {i.name}"] = e.support
            table.append(line)
        files[f"{ident}-study-data/{ident}-risk-of-bias.csv"] = _csv(table, header)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if nested:
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as zi:
                for name, data in files.items():
                    zi.writestr(name, data)
            z.writestr(f"{ident}-files/{ident}-data.zip", inner.getvalue())
        else:
            for name, data in files.items():
                z.writestr(name, data)
    return out.getvalue()
