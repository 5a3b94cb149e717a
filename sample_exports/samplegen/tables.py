"""The ground truth and the scripted inputs the demo feeds to reviewflow.

``truth.csv`` has one row per record (file, 1-based position in the file), so
the demo can look up any imported record and answer as the reviewers would.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter

from samplegen.model import Pub, Trial
from samplegen.trials import DISEASE_LABEL

TRUTH_COLUMNS = ["file", "position", "study_key", "duplicate_group", "relevant_ta",
                 "relevant_ft", "ft_exclusion_reason", "ta_reviewer_a", "ta_reviewer_b",
                 "ft_reviewer_a", "ft_reviewer_b", "category", "accession"]
# reports whose title/abstract decision the two reviewers are seeded to disagree on
BORDERLINE = {"review", "protocol", "single-arm trial", "cohort study", "other disease",
              "conference abstract of an included trial", "case report", "erratum notice",
              "controlled, not randomised", "RCT, other cells", "qualitative study"}
FT_DISAGREE = {"RCT, imaging only", "controlled, not randomised"}


def _csv(rows: list[list[object]], header: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def reviewer_decisions(rng: random.Random, pubs: list[Pub]) -> dict[str, tuple[str, ...]]:
    """Per report: (ta_a, ta_b, ft_a, ft_b). About 8% of TA decisions disagree."""
    inc = {True: "include", False: "exclude"}
    out: dict[str, tuple[str, ...]] = {}
    candidates = sorted(p.key for p in pubs if p.category in BORDERLINE)
    flip = set(rng.sample(candidates, k=round(len(pubs) * 0.08)))
    for i, p in enumerate(sorted(pubs, key=lambda q: q.key)):
        a = b = inc[p.relevant_ta]
        if p.key in flip:
            if i % 2:
                a = inc[not p.relevant_ta]
            else:
                b = inc[not p.relevant_ta]
        fa = fb = inc[p.relevant_ft] if p.relevant_ta else ""
        if p.relevant_ta and p.category in FT_DISAGREE:
            fa = "include"
        out[p.key] = (a, b, fa, fb)
    return out


def truth_csv(placed: list[tuple[str, int, Pub, str]],
              decisions: dict[str, tuple[str, ...]]) -> str:
    rows = []
    for file, pos, p, accession in placed:
        ta_a, ta_b, ft_a, ft_b = decisions[p.key]
        rows.append([file, pos, p.study_key, p.key, int(p.relevant_ta),
                     int(p.relevant_ft) if p.relevant_ta else "", p.ft_reason, ta_a, ta_b, ft_a,
                     ft_b, p.category, accession])
    return _csv(rows, TRUTH_COLUMNS)


EXTRACTION_COLUMNS = ["study_key", "study", "main_report", "disease", "condition", "cell_source",
                      "country", "dose", "follow_up_months", "comparator", "outcome",
                      "outcome_type", "scale", "timepoint", "mean_treat", "sd_treat", "n_treat",
                      "mean_ctrl", "sd_ctrl", "n_ctrl", "events_treat", "events_ctrl",
                      "treat_cell_source", "treat2_cell_source", "mean_treat2", "sd_treat2",
                      "n_treat2", "median_treat", "q1_treat", "q3_treat", "median_ctrl",
                      "q1_ctrl", "q3_ctrl"]
# How two rheumatoid arthritis trials report DAS28, as real trials do (issue 17): Hu 2017
# ran a bone-marrow arm beside its umbilical-cord arm against one control; Choi 2020
# gives medians with interquartile ranges instead of means and SDs.
SECOND_ARM = {("RA-1", "DAS28"): ("umbilical cord", "bone marrow", 4.11, 1.08, 36)}
MEDIAN_IQR = {("RA-2", "DAS28")}
Z75 = 0.6745  # upper quartile of the standard normal


def _reported(key: tuple[str, str], mean_t, sd_t, mean_c, sd_c) -> tuple[list, list]:
    """(mean/SD cells to write, the extra columns) for one study and outcome."""
    extra: list[object] = [""] * 11
    if key in SECOND_ARM:
        first, second, mean2, sd2, n2 = SECOND_ARM[key]
        extra[0:5] = [first, second, mean2, sd2, n2]
    if key in MEDIAN_IQR:
        extra[5:11] = [mean_t, round(mean_t - Z75 * sd_t, 2), round(mean_t + Z75 * sd_t, 2),
                       mean_c, round(mean_c - Z75 * sd_c, 2), round(mean_c + Z75 * sd_c, 2)]
        return ["", "", "", ""], extra
    return [mean_t, sd_t, mean_c, sd_c], extra


def extraction_csv(trials: list[Trial], main: dict[str, Pub]) -> str:
    from samplegen.diseases import DISEASES

    rows = []
    for t in trials:
        for a in t.arms:
            def blank(v: object) -> object:
                return "" if v is None else v
            (mt, st, mc, sc), extra = _reported(
                (t.study_key, a.outcome), blank(a.mean_treat), blank(a.sd_treat),
                blank(a.mean_ctrl), blank(a.sd_ctrl))
            rows.append([t.study_key, t.label, main[t.study_key].key, DISEASE_LABEL[t.disease],
                         DISEASES[t.disease].name, t.cell_source, t.country, t.dose,
                         t.follow_up_months, t.comparator, a.outcome, a.kind, a.scale,
                         a.timepoint, mt, st, a.n_treat, mc, sc, a.n_ctrl,
                         blank(a.events_treat), blank(a.events_ctrl), *extra])
    return _csv(rows, EXTRACTION_COLUMNS)


ROB_DOMAINS = [
    ("random sequence generation", {
        "low": "Computer-generated random sequence.", "unclear": "Says 'randomly assigned'; "
        "method not described.", "high": "Allocated by admission date."}),
    ("allocation concealment", {
        "low": "Central web-based allocation.", "unclear": "Concealment not reported.",
        "high": "Open allocation list kept by the investigators."}),
    ("blinding of participants and personnel", {
        "low": "Identical-looking placebo injection.", "unclear": "Blinding not described.",
        "high": "Open label; comparator given differently."}),
    ("blinding of outcome assessment", {
        "low": "Assessor blinded to allocation.", "unclear": "Not stated who assessed outcomes.",
        "high": "Patient-reported outcome in an unblinded trial."}),
    ("incomplete outcome data", {
        "low": "No or balanced losses; ITT analysis.", "unclear": "Losses not reported by arm.",
        "high": "Over 20% lost in one arm, per-protocol analysis."}),
    ("selective reporting", {
        "low": "Registered outcomes all reported.", "unclear": "No protocol or registration found.",
        "high": "Registered primary outcome not reported."}),
    ("other bias", {
        "low": "No other source of bias identified.", "unclear": "Industry funded; role unclear.",
        "high": "Baseline imbalance in disease activity."}),
]


def rob_csv(rng: random.Random, trials: list[Trial]) -> str:
    rows = []
    for t in trials:
        weights = (0.25, 0.65, 0.1) if t.chinese else (0.6, 0.3, 0.1)
        for domain, support in ROB_DOMAINS:
            level = rng.choices(["low", "unclear", "high"], weights=weights)[0]
            if domain.startswith("blinding of participants") and "placebo" not in t.comparator:
                level = "high"
            rows.append([t.study_key, t.label, domain, level, support[level]])
    return _csv(rows, ["study_key", "study", "domain", "judgement", "support"])


def summary(placed: list[tuple[str, int, Pub, str]], decisions: dict[str, tuple[str, ...]],
            main_files: set[str]) -> list[str]:
    """The figures the README quotes, so they can be refreshed after a change."""
    per_file = Counter(file for file, *_ in placed)
    main = [(f, p) for f, _, p, _ in placed if f in main_files]
    reports = {p.key: p for _, p in main}
    in_many = sum(1 for k in reports if len({f for f, p in main if p.key == k}) > 1)
    ta_in = [p for p in reports.values() if p.relevant_ta]
    reasons = Counter(p.ft_reason for p in ta_in if not p.relevant_ft)
    agree = sum(decisions[k][0] == decisions[k][1] for k in reports)
    lines = [f"{name}: {n} records" for name, n in sorted(per_file.items())]
    lines += [f"main files: {len(main)} records, {len(reports)} reports, "
              f"{len({p.study_key for p in reports.values()})} studies, {in_many} in >1 database",
              f"PRISMA: {len(main)} identified, {len(main) - len(reports)} duplicates, "
              f"{len(reports)} screened, {len(reports) - len(ta_in)} excluded TA, "
              f"{len(ta_in)} sought, {reasons['not retrievable']} not retrieved, "
              f"{len(ta_in) - reasons['not retrievable']} assessed, "
              f"{sum(reasons.values()) - reasons['not retrievable']} excluded FT "
              f"{dict(sorted(reasons.items()))}, {sum(p.relevant_ft for p in ta_in)} included",
              f"TA agreement: {agree}/{len(reports)} ({agree / len(reports):.1%})"]
    return lines
