"""English titles and abstracts for the trial reports.

Abstract numbers are taken from the trial's arms, so a screener reading the
abstract sees the same figures the extraction file holds.
"""

from __future__ import annotations

import math
import random

from samplegen.diseases import DISEASES, SOURCES
from samplegen.effects import hedges_g
from samplegen.model import Arm, Trial

PRIMARY = {"Pain VAS": "pain on a visual analogue scale (VAS)", "SLEDAI": "the SLEDAI-2K score",
           "Clinical response": "clinical response", "EDSS": "the Expanded Disability Status Scale",
           "DAS28": "the DAS28-ESR", "mRSS": "the modified Rodnan skin score",
           "ESSDAI": "the ESSDAI", "BASDAI": "the BASDAI"}

TITLES = [
    "{Src} mesenchymal stem cells for {disease}: a randomized, double-blind, placebo-controlled "
    "trial",
    "Efficacy and safety of {src} mesenchymal stem cell transplantation in {patients}: a "
    "randomised controlled trial",
    "Allogeneic {src} mesenchymal stromal cells versus {comp} in {disease}: {fu}-month results of "
    "a multicentre randomized trial",
    "{Src} mesenchymal stem cell infusion for {disease}: a phase II randomized controlled study",
    "Clinical outcomes of {src} mesenchymal stem cell therapy in {patients}: a randomized trial",
    "Mesenchymal stem cells from {tissue} in {disease}: a randomized controlled trial comparing "
    "MSCs with {comp}",
]
OA_TITLES = [
    "Intra-articular injection of {src} mesenchymal stem cells for {disease}: a randomized "
    "controlled trial",
    "Single intra-articular injection of {src} mesenchymal stromal cells compared with {comp} in "
    "{disease}: a randomised trial",
]
SIMILAR_TWIN = (  # two different trials whose titles differ by two words only
    "Intra-articular injection of umbilical cord-derived mesenchymal stem cells for knee "
    "osteoarthritis: a randomized controlled trial",
    "Intra-articular injection of umbilical cord-derived mesenchymal stromal cells for knee "
    "osteoarthritis: a randomised controlled trial",
)


def _fill(template: str, t: Trial) -> str:
    d = DISEASES[t.disease]
    src = SOURCES[t.cell_source][0]
    text = template.format(
        src=src, Src=src[0].upper() + src[1:], disease=d.name, patients=d.patients,
        comp=t.comparator, fu=t.follow_up_months, tissue=t.cell_source)
    return text[0].upper() + text[1:]


def trial_title(rng: random.Random, t: Trial) -> str:
    if t.study_key == "OA-UC-1":
        return SIMILAR_TWIN[0]
    if t.study_key == "OA-UC-4":
        return SIMILAR_TWIN[1]
    pool = TITLES + (OA_TITLES if t.disease == "OA" else [])
    if "placebo" not in t.comparator:
        pool = [p for p in pool if "placebo-controlled" not in p]
    return _fill(rng.choice(pool), t)


def p_text(a: Arm) -> str:
    g, var = hedges_g(a)
    p = math.erfc(abs(g) / math.sqrt(var) / math.sqrt(2))
    return "P < 0.001" if p < 0.001 else f"P = {p:.3f}" if p < 0.01 else f"P = {p:.2f}"


def result_sentence(a: Arm) -> str:
    if a.outcome == "Adverse events":
        return (f"Adverse events were reported in {a.events_treat} of {a.n_treat} patients in the "
                f"MSC group and {a.events_ctrl} of {a.n_ctrl} in the control group; no serious "
                "treatment-related adverse event occurred.")
    if a.kind == "dichotomous":
        return (f"{a.outcome} was achieved by {a.events_treat} of {a.n_treat} patients given MSCs "
                f"and {a.events_ctrl} of {a.n_ctrl} controls.")
    scale = f" ({a.scale})" if a.scale != a.outcome else ""
    name = "pain VAS" if a.outcome == "Pain VAS" else a.outcome
    return (f"At {a.timepoint}, mean {name}{scale} was {a.mean_treat} (SD {a.sd_treat}) "
            f"in the MSC group versus {a.mean_ctrl} (SD {a.sd_ctrl}) in the control group "
            f"({p_text(a)}).")


def trial_abstract(t: Trial, registry: str) -> str:
    d = DISEASES[t.disease]
    src = SOURCES[t.cell_source][0]
    main = t.arms[0]
    n = main.n_treat + main.n_ctrl
    primary = PRIMARY[main.outcome]
    results = " ".join(result_sentence(a) for a in t.arms)
    better = "improved" if main.kind == "dichotomous" or (main.mean_treat or 0) < (
        main.mean_ctrl or 0) else "did not improve"
    return (
        f"BACKGROUND: Mesenchymal stem cells (MSCs) are immunomodulatory and may benefit "
        f"{d.patients}. OBJECTIVE: To assess the efficacy and safety of {src} MSCs in {d.name}. "
        f"METHODS: In this randomized controlled trial conducted in {t.country}, {n} {d.patients} "
        f"were randomly assigned to {src} MSCs ({t.dose}; n = {main.n_treat}) or "
        f"{t.comparator} (n = {main.n_ctrl}) and followed for {t.follow_up_months} months. "
        f"The primary outcome was {primary} at {main.timepoint}. RESULTS: {results} "
        f"CONCLUSIONS: {src[0].upper() + src[1:]} MSCs {better} {primary} in {d.name} and were "
        f"well tolerated. TRIAL REGISTRATION: ClinicalTrials.gov {registry}."
    )


def conference_title(t: Trial) -> str:
    d = DISEASES[t.disease]
    src = SOURCES[t.cell_source][0]
    return (f"{src[0].upper() + src[1:]} mesenchymal stem cells in {d.name}: interim results of a "
            "randomized controlled trial")


def conference_abstract(t: Trial) -> str:
    d = DISEASES[t.disease]
    a = t.arms[0]
    n_t, n_c = max(6, a.n_treat * 2 // 3), max(6, a.n_ctrl * 2 // 3)
    return (
        f"Background: MSC therapy is a candidate treatment for {d.name}. Methods: Interim analysis "
        f"of an ongoing randomized controlled trial; {n_t + n_c} {d.patients} received MSCs "
        f"(n = {n_t}) or {t.comparator} (n = {n_c}). Results: {a.outcome} improved more in the MSC "
        "group at 3 months; no serious adverse events were seen. Conclusion: Interim data support "
        "continuing the trial. Disclosure of interest: none declared."
    )


def followup_title(t: Trial) -> str:
    d = DISEASES[t.disease]
    src = SOURCES[t.cell_source][0]
    return (f"Long-term follow-up of {src} mesenchymal stem cells for {d.name}: 2-year outcomes of "
            "a randomized controlled trial")


def followup_abstract(t: Trial) -> str:
    d = DISEASES[t.disease]
    a = t.arms[0]
    return (
        f"OBJECTIVE: To report 2-year outcomes of a randomized trial of MSCs in {d.name}. METHODS: "
        f"Patients from the original trial (MSC n = {a.n_treat}, control n = {a.n_ctrl}) were "
        f"followed for 24 months. RESULTS: The improvement in {a.outcome} seen at 6 months was "
        "largely maintained; no late adverse events were attributed to treatment. CONCLUSIONS: The "
        "benefit of a single MSC injection persisted for 2 years."
    )
