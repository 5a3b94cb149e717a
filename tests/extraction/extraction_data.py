"""Made-up trial data shared by the extraction tests (six OA trials, three cell sources).

The numbers are invented (not from any paper); they give both outcomes three
cell-source subgroups.
"""

from __future__ import annotations

# study: (cell source, n, VAS mean/sd/n treat, VAS mean/sd/n ctrl, AE events treat, ctrl)
TRIALS = {
    "Alda 2018": ("bone marrow", 40, (32.0, 14.0, 20), (48.0, 16.0, 20), (4, 3)),
    "Brun 2019": ("bone marrow", 60, (28.5, 12.5, 30), (41.0, 15.0, 30), (6, 5)),
    "Chen 2020": ("umbilical cord", 50, (25.0, 10.0, 25), (44.0, 13.0, 25), (5, 2)),
    "Dias 2021": ("umbilical cord", 36, (30.0, 11.0, 18), (39.5, 12.0, 18), (3, 3)),
    "Eto 2021": ("adipose tissue", 44, (27.0, 9.5, 22), (42.0, 14.5, 22), (7, 4)),
    "Fox 2022": ("adipose tissue", 64, (35.0, 15.0, 32), (45.0, 17.0, 32), (8, 7)),
}


def trial_entries(study_id: int, trial: tuple) -> list[tuple[int, str, str]]:
    source, n, vt, vc, (et, ec) = trial
    out = [(study_id, "study/cell_source", source), (study_id, "study/sample_size", str(n)),
           (study_id, "study/disease", "osteoarthritis"), (study_id, "study/country", "Spain")]
    for arm, (m, sd, k) in (("treat", vt), ("ctrl", vc)):
        out += [(study_id, f"outcome/pain_vas/arm/{arm}/mean", str(m)),
                (study_id, f"outcome/pain_vas/arm/{arm}/sd", str(sd)),
                (study_id, f"outcome/pain_vas/arm/{arm}/n", str(k))]
    for arm, ev, k in (("treat", et, vt[2]), ("ctrl", ec, vc[2])):
        out += [(study_id, f"outcome/adverse_events/arm/{arm}/events", str(ev)),
                (study_id, f"outcome/adverse_events/arm/{arm}/n", str(k))]
    return out
