"""The 32 included trials and their outcome data.

Each row of ``SPECS`` is one trial: its disease, cell source, country, where its
main report appeared and in which year. ``build_trials`` draws the arm-level
numbers with :mod:`samplegen.effects` so the pooled analyses resemble the model
case.
"""

from __future__ import annotations

import random

from samplegen.effects import ContinuousSpec, continuous_arms, dichotomous_arms
from samplegen.model import Arm, Trial

# key, disease, cell source, country, chinese-language main report, journal, year, comparator
SPECS: list[tuple[str, str, str, str, bool, str, int, str]] = [
    ("OA-BM-1", "OA", "bone marrow", "Spain", False, "ajsm", 2016, "hyaluronic acid"),
    ("OA-BM-2", "OA", "bone marrow", "Iran", False, "scrt", 2019, "saline placebo"),
    ("OA-BM-3", "OA", "bone marrow", "India", False, "arth", 2018, "saline placebo"),
    ("OA-BM-4", "OA", "bone marrow", "China", True, "zgzz", 2020, "hyaluronic acid"),
    ("OA-UC-1", "OA", "umbilical cord", "Korea", False, "sctm", 2021, "hyaluronic acid"),
    ("OA-UC-2", "OA", "umbilical cord", "China", True, "zhyx", 2019, "hyaluronic acid"),
    ("OA-UC-3", "OA", "umbilical cord", "China", False, "scrt", 2022, "saline placebo"),
    ("OA-UC-4", "OA", "umbilical cord", "Turkey", False, "joca", 2022, "hyaluronic acid"),
    ("OA-AD-1", "OA", "adipose tissue", "Korea", False, "ajsm", 2019, "saline placebo"),
    ("OA-AD-2", "OA", "adipose tissue", "USA", False, "sctm", 2020, "saline placebo"),
    ("OA-AD-3", "OA", "adipose tissue", "China", True, "zgxf", 2021, "conventional therapy"),
    ("OA-AD-4", "OA", "adipose tissue", "Australia", False, "joca", 2018, "saline placebo"),
    ("SLE-1", "SLE", "umbilical cord", "China", False, "ard", 2017, "standard therapy"),
    ("SLE-2", "SLE", "umbilical cord", "China", False, "fimm", 2021, "standard therapy"),
    ("SLE-3", "SLE", "bone marrow", "China", True, "zhfs", 2018, "standard therapy"),
    ("SLE-4", "SLE", "umbilical cord", "USA", False, "lup", 2020, "placebo"),
    ("SLE-5", "SLE", "bone marrow", "India", False, "ijrd", 2022, "standard therapy"),
    ("IBD-1", "CD", "adipose tissue", "Italy", False, "gast", 2018, "placebo"),
    ("IBD-2", "CD", "bone marrow", "Spain", False, "jcc", 2019, "placebo"),
    ("IBD-3", "CD", "umbilical cord", "China", True, "zhyc", 2020, "conventional therapy"),
    ("IBD-4", "CD", "adipose tissue", "Brazil", False, "scrt", 2021, "placebo"),
    ("IBD-5", "UC", "umbilical cord", "China", False, "scrt", 2019, "mesalazine"),
    ("IBD-6", "UC", "bone marrow", "Iran", False, "jcyt", 2022, "placebo"),
    ("MS-1", "MS", "bone marrow", "Spain", False, "msj", 2018, "placebo"),
    ("MS-2", "MS", "bone marrow", "Iran", False, "jcyt", 2019, "placebo"),
    ("MS-3", "MS", "umbilical cord", "USA", False, "sctm", 2021, "placebo"),
    ("MS-4", "MS", "adipose tissue", "Italy", False, "fimm", 2022, "placebo"),
    ("RA-1", "RA", "umbilical cord", "China", False, "arth", 2017, "DMARDs alone"),
    ("RA-2", "RA", "adipose tissue", "Korea", False, "rheum", 2020, "placebo"),
    ("SSC-1", "SSC", "umbilical cord", "China", False, "rheum", 2021, "cyclophosphamide"),
    ("PSS-1", "PSS", "umbilical cord", "China", True, "zhnk", 2019, "hydroxychloroquine"),
    ("SPA-1", "SPA", "umbilical cord", "China", False, "ijrd", 2018, "NSAIDs"),
]

DISEASE_LABEL = {
    "OA": "osteoarthritis", "SLE": "systemic lupus erythematosus",
    "CD": "inflammatory bowel disease", "UC": "inflammatory bowel disease",
    "MS": "multiple sclerosis", "RA": "rheumatoid arthritis", "SSC": "systemic sclerosis",
    "PSS": "primary Sjogren's syndrome", "SPA": "spondyloarthritis",
}

VAS_CM = ContinuousSpec("Pain VAS", "VAS 0-10 cm", (3.6, 5.6), (1.2, 2.1), 2, "6 months")
VAS_MM = ContinuousSpec("Pain VAS", "VAS 0-100 mm", (36, 56), (12, 21), 1, "6 months")
SINGLE = {
    "SLEDAI": ContinuousSpec("SLEDAI", "SLEDAI-2K", (6.5, 9.5), (2.0, 3.2), 2, "12 months"),
    "EDSS": ContinuousSpec("EDSS", "EDSS 0-10", (4.5, 6.0), (0.9, 1.4), 2, "12 months"),
    "DAS28": ContinuousSpec("DAS28", "DAS28-ESR", (4.2, 5.0), (0.8, 1.2), 2, "6 months"),
    "mRSS": ContinuousSpec("mRSS", "mRSS 0-51", (18, 24), (6, 9), 1, "12 months"),
    "ESSDAI": ContinuousSpec("ESSDAI", "ESSDAI", (6.0, 8.0), (2.5, 3.5), 2, "6 months"),
    "BASDAI": ContinuousSpec("BASDAI", "BASDAI 0-10", (4.5, 5.5), (1.1, 1.6), 2, "6 months"),
}
DOSES = {
    "OA": ["1 x 10^7 cells, single intra-articular injection",
           "5 x 10^7 cells, single intra-articular injection",
           "1 x 10^8 cells, single intra-articular injection",
           "2 x 10^7 cells, two intra-articular injections 4 weeks apart"],
    "other": ["1 x 10^6 cells/kg, single intravenous infusion",
              "2 x 10^6 cells/kg, two intravenous infusions 1 week apart",
              "1 x 10^8 cells, single intravenous infusion"],
}


def _sizes(rng: random.Random, specs: list[tuple], low: int, high: int) -> list[tuple[int, int]]:
    out = []
    for s in specs:
        n_t = rng.randint(low, high) + (6 if not s[4] else 0)
        out.append((n_t, max(8, n_t + rng.randint(-4, 2))))
    return out


def _trial(rng: random.Random, spec: tuple) -> Trial:
    key, dis, src, country, zh, _j, _y, comp = spec
    dose = rng.choice(DOSES["OA" if dis == "OA" else "other"])
    fu = rng.choice([6, 12] if dis in ("OA", "RA", "PSS", "SPA") else [12, 24])
    return Trial(key, dis, src, country, dose, fu, comp, chinese=zh)


def build_trials(rng: random.Random) -> list[Trial]:
    """All included trials with their efficacy and safety arms filled in."""
    trials = {s[0]: _trial(rng, s) for s in SPECS}
    sizes: dict[str, tuple[int, int]] = {}
    for group in (["OA"], ["SLE"], ["CD", "UC"], ["MS"], ["RA"], ["SSC"], ["PSS"], ["SPA"]):
        specs = [s for s in SPECS if s[1] in group]
        for s, n in zip(specs, _sizes(rng, specs, 14, 42), strict=True):
            sizes[s[0]] = n
    _add_oa(rng, trials, sizes)
    _add_continuous(rng, trials, sizes, ["SLE"], "SLEDAI", -2.32, 1.7, (-3.59, -1.06))
    _add_continuous(rng, trials, sizes, ["MS"], "EDSS", -0.08, 0.15)
    _add_continuous(rng, trials, sizes, ["RA"], "DAS28", -0.7, 0.2)
    singles = (("SSC", "mRSS", -0.25), ("PSS", "ESSDAI", -0.8), ("SPA", "BASDAI", -0.9))
    for dis, outcome, eff in singles:
        _add_continuous(rng, trials, sizes, [dis], outcome, eff, 0.0)
    _add_dichotomous(rng, trials, sizes, ["CD", "UC"], "Clinical response", 2.02, (0.22, 0.38), 0.2)
    for group, rr, risk in ((["OA"], 1.23, (0.18, 0.32)), (["SLE"], 0.83, (0.08, 0.2)),
                            (["CD", "UC"], 0.99, (0.3, 0.5)), (["MS"], 1.12, (0.35, 0.55))):
        _add_dichotomous(rng, trials, sizes, group, "Adverse events", rr, risk, 0.15)
    return list(trials.values())


def _add_oa(rng: random.Random, trials: dict[str, Trial], sizes: dict) -> None:
    """Pain VAS per cell-source subgroup; every second trial reports millimetres."""
    # Zeng 2025: SMD (95% CI) per cell source; the CIs set the trials' spread.
    for src, target, spread, ci in (
        ("bone marrow", -0.95, 0.85, (-1.55, -0.36)),
        ("umbilical cord", -1.25, 0.95, (-2.04, -0.46)),
        ("adipose tissue", -1.26, 0.8, (-1.99, -0.52)),
    ):
        keys = [s[0] for s in SPECS if s[1] == "OA" and s[2] == src]
        arms = continuous_arms(rng, VAS_CM, [sizes[k] for k in keys], target, spread, ci)
        for i, (k, a) in enumerate(zip(keys, arms, strict=True)):
            trials[k].arms.append(_rescale(a, VAS_MM if i % 2 else VAS_CM))


def _rescale(a: Arm, spec: ContinuousSpec) -> Arm:
    """Express a 0-10 cm VAS arm on the 0-100 mm scale when the trial used millimetres."""
    if spec is VAS_CM:
        return a
    def mm(v: float | None) -> float:
        return round((v or 0) * 10, 1)

    return Arm(a.outcome, a.kind, a.n_treat, a.n_ctrl,
               mean_treat=mm(a.mean_treat), sd_treat=mm(a.sd_treat),
               mean_ctrl=mm(a.mean_ctrl), sd_ctrl=mm(a.sd_ctrl),
               scale=spec.scale, timepoint=spec.timepoint)


def _add_continuous(rng: random.Random, trials: dict[str, Trial], sizes: dict, group: list[str],
                    outcome: str, target: float, spread: float,
                    ci: tuple[float, float] | None = None) -> None:
    keys = [s[0] for s in SPECS if s[1] in group]
    for k, a in zip(keys, continuous_arms(rng, SINGLE[outcome], [sizes[k] for k in keys],
                                          target, spread, ci), strict=True):
        trials[k].arms.append(a)


def _add_dichotomous(rng: random.Random, trials: dict[str, Trial], sizes: dict, group: list[str],
                     outcome: str, rr: float, risk: tuple[float, float], spread: float) -> None:
    keys = [s[0] for s in SPECS if s[1] in group]
    tp = "end of follow-up"
    for k, a in zip(keys, dichotomous_arms(rng, outcome, [sizes[k] for k in keys], risk, rr,
                                           spread, tp), strict=True):
        trials[k].arms.append(a)
