"""From a review's analysis to what the GRADE rules read about it.

The analysis is pooled exactly as ``reviewflow analyse`` pools it (the same
run), study weights come from that result, risk of bias from the reconciled
judgements (RoB 2's overall judgement for the analysis's outcome when there is
one, else RoB 1 summarised across domains), small-study tests from 10 studies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reviewflow.grade.rules import OutcomeEvidence, Rob, StudyEvidence, Suggestion, suggest
from reviewflow.grade.settings import GradeSettings, load_settings
from reviewflow.pooling.forest_rob import trial_of
from reviewflow.store.reader import Reader

MIN_STUDIES_FOR_TESTS = 10
_ROB = {"low": Rob.LOW, "unclear": Rob.CONCERNS, "some_concerns": Rob.CONCERNS,
        "high": Rob.HIGH}


@dataclass(frozen=True)
class OutcomeReview:
    """One analysis as GRADE sees it: the run, the evidence, the suggestions."""

    name: str
    title: str
    run: Any  # extraction.run_analysis.AnalysisRun
    evidence: OutcomeEvidence
    settings: GradeSettings
    suggestions: tuple[Suggestion, ...]


def study_rob(reader: Reader, outcome: str, *,
              whole_study: Sequence[Any] | None = None) -> dict[str, Rob]:
    """Each study's risk of bias for ``outcome``: RoB 1, then RoB 2 for the whole study,
    then RoB 2 for this outcome, a later judgement overriding an earlier one.
    ``whole_study``: :func:`whole_study_rob`'s tables, read once for every outcome."""
    from reviewflow.extraction.rob import ROB2, read_rob_table

    found: dict[str, Rob] = {}
    tables = whole_study if whole_study is not None else whole_study_rob(reader)
    for table in (*tables, read_rob_table(reader, ROB2, outcome)):
        for study in table.judgements:
            key = table.overall(study)
            if key != "none":
                found[study] = _ROB[key]
    return found


def whole_study_rob(reader: Reader) -> tuple[Any, ...]:
    """The RoB 1 and whole-study RoB 2 tables (``extraction.rob.RobTable``): the same
    for every outcome, so GRADE reconciles them once per review, not once per outcome."""
    from reviewflow.extraction.rob import ROB1, ROB2, read_rob_table

    return read_rob_table(reader, ROB1, None), read_rob_table(reader, ROB2, None)


def participants(data) -> int:
    cols = [c for c in ("n_treat", "n_ctrl") if c in data.columns]
    return int(sum(float(x) for c in cols for x in data[c]))


def control_risks(data) -> list[float]:
    if "events_ctrl" not in data.columns:
        return []
    return [float(e) / float(n) for e, n in zip(data["events_ctrl"], data["n_ctrl"], strict=True)
            if float(n) > 0]


def small_study_tests(run) -> tuple[float | None, int | None]:
    """Egger's P and trim-and-fill's k0, only from 10 estimable studies on."""
    if run.estimable < MIN_STUDIES_FOR_TESTS:
        return None, None
    from reviewflow.extraction.run_analysis import table_and_options
    from reviewflow.pooling import egger_for
    from reviewflow.pooling.beyond_pooling import trim_fill

    table, opts = table_and_options(run)  # the table the analysis's Egger line reads
    return egger_for(table, opts).p, trim_fill(table, opts).k0


def _control_risk(data, risks: list[float], how: str) -> float | None:
    if not risks:
        return None
    if how == "pooled":
        return float(sum(float(e) for e in data["events_ctrl"])
                     / sum(float(n) for n in data["n_ctrl"]))
    return float(np.median(risks))


def outcome_evidence(run, rob: dict[str, Rob], settings: GradeSettings) -> OutcomeEvidence:
    result = run.result
    o = result.overall
    studies = tuple(StudyEvidence(s.study, float(s.weight),
                                  rob.get(s.study) or rob.get(trial_of(s.study), Rob.UNKNOWN),
                                  s.ci_low, s.ci_high)
                    for s in result.studies if s.estimable)
    risks = control_risks(run.data)
    egger_p, k0 = small_study_tests(run)
    i2 = o.heterogeneity.i2
    return OutcomeEvidence(
        outcome=run.analysis.name, ratio=result.ratio,
        continuous=result.data_type.value == "continuous", k=o.k,
        participants=participants(run.data), estimate=o.estimate, ci_low=o.ci_low,
        ci_high=o.ci_high, i2=None if not math.isfinite(i2) else i2,
        prediction_interval=o.prediction_interval, studies=studies, design=settings.design,
        egger_p=egger_p, trim_fill_k0=k0,
        control_risk=settings.assumed_risk or _control_risk(run.data, risks,
                                                           settings.assumed_from),
        thresholds=settings.thresholds, ois=settings.ois)


def review_outcomes(reader: Reader, folder: Path, names: list[str] | None = None, *,
                    runs: Sequence[Any] | None = None) -> list[OutcomeReview]:
    """Every declared analysis (or those named), read for GRADE.

    ``runs`` are the analyses already pooled (the report's Analyses section): GRADE and
    the summary of findings then read the very results the forest plots show instead
    of pooling again; without them (the ``grade`` commands) each analysis is pooled
    here, once, exactly as ``reviewflow analyse`` pools it.
    """
    settings = load_settings(folder)
    out = []
    whole_study = None
    for run in runs if runs is not None else _pooled(reader, folder, names):
        a = run.analysis
        if names and a.name not in names:
            continue
        s = settings.get(a.name, GradeSettings())
        whole_study = whole_study or whole_study_rob(reader)
        ev = outcome_evidence(run, study_rob(reader, a.outcome, whole_study=whole_study), s)
        out.append(OutcomeReview(a.name, s.label or a.title or a.name, run, ev, s, suggest(ev)))
    return out


def _pooled(reader: Reader, folder: Path, names: list[str] | None):  # -> list[AnalysisRun]
    from reviewflow.extraction.analyses import load_analyses
    from reviewflow.extraction.form_versions import read_form_in_force
    from reviewflow.extraction.run_analysis import pool_declared

    form = read_form_in_force(reader, folder).form
    analyses = [a for a in load_analyses(folder, form) if not names or a.name in names]
    return pool_declared(reader, form, analyses)
