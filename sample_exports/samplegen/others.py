"""Reports that are not included trials: full-text exclusions and title/abstract noise.

Screening needs work to do, so most of the set is irrelevant: animal models, in
vitro work, reviews, MSC trials in other diseases and other treatments for the
same diseases. A smaller set looks relevant from the abstract but fails at full
text, one for each exclusion reason the review uses.
"""

from __future__ import annotations

import random

# (title, category, exclusion reason, country, journal code)
FT_EXCLUDED: list[tuple[str, str, str, str, str]] = [
    ("Bone marrow-derived mesenchymal stem cells for focal cartilage defects of the knee: a "
     "randomized controlled trial", "RCT, other population", "wrong population", "Spain", "ajsm"),
    ("Umbilical cord mesenchymal stem cells for osteonecrosis of the femoral head: a randomised "
     "trial", "RCT, other population", "wrong population", "China", "scrt"),
    ("Adipose-derived mesenchymal stem cells for chronic discogenic low back pain: a randomized "
     "controlled trial", "RCT, other population", "wrong population", "USA", "sctm"),
    ("Autologous haematopoietic stem cell transplantation versus alemtuzumab in relapsing multiple "
     "sclerosis: a randomized trial", "RCT, other cells", "wrong intervention", "Italy", "msj"),
    ("Stromal vascular fraction versus hyaluronic acid for knee osteoarthritis: a randomized "
     "controlled trial", "RCT, other cells", "wrong intervention", "Korea", "joca"),
    ("Mesenchymal stem cell-derived exosomes for ulcerative colitis: a randomized pilot trial",
     "RCT, cell-free product", "wrong intervention", "Iran", "jcyt"),
    ("Umbilical cord mesenchymal stem cell transplantation in refractory lupus nephritis: a "
     "multicentre single-arm phase II study", "single-arm trial", "not randomised", "China", "ard"),
    ("Adipose-derived mesenchymal stem cells for knee osteoarthritis: a prospective cohort study "
     "with 3-year follow-up", "cohort study", "not randomised", "Korea", "ajsm"),
    ("Mesenchymal stem cells in progressive multiple sclerosis: an open-label phase I/II trial",
     "single-arm trial", "not randomised", "USA", "msj"),
    ("Bone marrow mesenchymal stem cells for refractory rheumatoid arthritis: a non-randomized "
     "controlled study", "controlled, not randomised", "not randomised", "India", "ijrd"),
    ("Effect of umbilical cord mesenchymal stem cells on regulatory T cells in systemic lupus "
     "erythematosus: a randomized controlled trial", "RCT, biomarkers only", "wrong outcome",
     "China", "fimm"),
    ("Magnetic resonance imaging of cartilage after adipose-derived mesenchymal stem cell "
     "injection in knee osteoarthritis: a randomized controlled trial", "RCT, imaging only",
     "wrong outcome", "Australia", "joca"),
    ("Umbilical cord mesenchymal stem cells for primary Sjogren's syndrome: a randomized "
     "controlled trial", "conference abstract, no full text", "not retrievable", "China", "eular"),
    ("Allogeneic adipose-derived stromal cells for perianal fistulas in Crohn's disease: a "
     "randomised trial", "conference abstract, no full text", "not retrievable", "Spain", "ecco"),
]

ANIMAL_MODELS = [
    ("collagen-induced arthritis", "mice"), ("dextran sulfate sodium-induced colitis", "mice"),
    ("experimental autoimmune encephalomyelitis", "mice"), ("lupus nephritis", "MRL/lpr mice"),
    ("bleomycin-induced skin fibrosis", "mice"), ("monosodium iodoacetate-induced osteoarthritis",
                                                   "rats"),
    ("osteoarthritis after anterior cruciate ligament transection", "rabbits"),
    ("TNBS-induced colitis", "rats"),
]
MECHANISMS = ["by regulating the Th17/Treg balance", "by inhibiting the NLRP3 inflammasome",
              "by promoting M2 macrophage polarization", "through the PD-L1 pathway",
              "via exosomal miR-146a", "by suppressing NF-kappaB signalling"]
REVIEW_DISEASES = ["knee osteoarthritis", "rheumatoid arthritis", "systemic lupus erythematosus",
                   "inflammatory bowel disease", "multiple sclerosis", "systemic sclerosis",
                   "autoimmune diseases"]
REVIEW_TITLES = ["Mesenchymal stem cell therapy for {d}: a systematic review and meta-analysis",
                 "Mesenchymal stromal cells in {d}: current evidence and future perspectives"]
OTHER_DISEASE_RCTS = [
    "acute respiratory distress syndrome", "severe COVID-19", "steroid-refractory acute "
    "graft-versus-host disease", "chronic heart failure", "acute ischaemic stroke",
    "decompensated liver cirrhosis", "critical limb ischaemia", "chronic spinal cord injury",
    "type 2 diabetes mellitus", "bronchopulmonary dysplasia",
]
OTHER_TREATMENTS = [
    "Platelet-rich plasma versus hyaluronic acid for knee osteoarthritis: a randomized controlled "
    "trial",
    "Tocilizumab in patients with rheumatoid arthritis and inadequate response to methotrexate: "
    "a randomised trial",
    "Belimumab added to standard therapy in active lupus nephritis: a randomized controlled trial",
    "Vedolizumab maintenance therapy in moderate to severe ulcerative colitis: a randomised "
    "trial",
    "Ocrelizumab in primary progressive multiple sclerosis: a randomized placebo-controlled trial",
    "Hydroxychloroquine for primary Sjogren's syndrome: a randomized controlled trial",
    "Secukinumab in active axial spondyloarthritis: a randomised controlled trial",
    "Nintedanib in systemic sclerosis-associated interstitial lung disease: a randomized trial",
    "Supervised exercise therapy for knee osteoarthritis: a randomized controlled trial",
    "Upadacitinib induction therapy in Crohn's disease: a randomised controlled trial",
    "Genicular nerve radiofrequency ablation for chronic knee osteoarthritis pain: a randomized "
    "trial",
    "Anifrolumab in moderate to severe systemic lupus erythematosus: a randomized trial",
]
IN_VITRO = [
    "Umbilical cord mesenchymal stem cells suppress proliferation of rheumatoid arthritis "
    "fibroblast-like synoviocytes in vitro",
    "Transcriptomic profiling of adipose-derived mesenchymal stem cells from patients with "
    "systemic sclerosis",
    "Interferon-gamma licensing enhances the immunosuppressive capacity of mesenchymal stromal "
    "cells",
    "Donor age affects chondrogenic differentiation of bone marrow mesenchymal stem cells",
    "Potency assays for mesenchymal stromal cell products: a position paper",
    "Hypoxic preconditioning improves survival of umbilical cord mesenchymal stem cells in "
    "inflamed synovial fluid",
    "Mesenchymal stem cells from lupus patients show impaired immunosuppressive function",
    "Single-cell sequencing of bone marrow stromal cells in Crohn's disease",
]
CASE_REPORTS = [
    "Umbilical cord mesenchymal stem cell transplantation for refractory lupus nephritis: a case "
    "report",
    "Intrathecal mesenchymal stem cells in a patient with secondary progressive multiple "
    "sclerosis",
    "Fatal pulmonary embolism after adipose-derived stem cell injection at an unregulated clinic",
    "Mesenchymal stem cells for digital ulcers in systemic sclerosis: a case series of five "
    "patients",
    "Successful treatment of refractory perianal Crohn's disease with local stem cell injection: "
    "two case reports",
    "Septic arthritis after intra-articular stem cell injection for knee osteoarthritis",
]
PROTOCOLS_AND_OTHER = [
    ("Umbilical cord mesenchymal stem cells for knee osteoarthritis (UMSC-KOA): study protocol for "
     "a randomized controlled trial", "protocol"),
    ("Mesenchymal stromal cells in active systemic lupus erythematosus: protocol for a "
     "multicentre randomised trial", "protocol"),
    ("Allogeneic mesenchymal stem cells for progressive multiple sclerosis: rationale and design "
     "of a randomized trial", "protocol"),
    ("Patient perspectives on clinics offering unproven stem cell therapies for arthritis: a "
     "qualitative study", "qualitative study"),
    ("Cost-effectiveness of mesenchymal stem cell therapy for knee osteoarthritis: a modelling "
     "study", "economic evaluation"),
    ("Direct-to-consumer marketing of stem cell treatments for autoimmune disease: a content "
     "analysis", "survey"),
]

ABSTRACTS = {
    "animal": ("{title}. We induced {model} in {animal} and injected MSCs intravenously or "
               "locally. MSC treatment reduced clinical scores and inflammatory cytokines compared "
               "with vehicle. These findings support further study of MSCs in humans."),
    "review": ("We searched electronic databases for studies of mesenchymal stem cells in {d}. "
               "Evidence from randomized and observational studies is summarised, and gaps in "
               "cell manufacture, dosing and outcome reporting are discussed."),
    "other disease": ("BACKGROUND: MSCs may help {d}. METHODS: Patients with {d} were randomly "
                      "assigned to MSCs or placebo. RESULTS: The primary endpoint improved in the "
                      "MSC group. CONCLUSIONS: MSCs were safe and may benefit {d}."),
    "other intervention": ("BACKGROUND: New treatments are needed. METHODS: Randomized "
                           "controlled trial. RESULTS: The intervention improved the primary "
                           "outcome compared with control. CONCLUSIONS: The intervention was "
                           "effective and well tolerated."),
    "in vitro": ("Mesenchymal stem cells were isolated from donors and cultured. Functional "
                 "assays, flow cytometry and gene expression were used to characterise the cells. "
                 "The results clarify mechanisms that may matter for cell therapy."),
    "case report": ("We describe the clinical course after stem cell treatment, with laboratory "
                    "and imaging findings, and review the literature."),
    "protocol": ("This article describes the design of a planned trial: eligibility, "
                 "randomisation, interventions, outcomes and the statistical analysis plan. "
                 "Recruitment had not started at submission."),
    "qualitative study": ("Semi-structured interviews explored how patients perceive stem cell "
                          "therapies. Themes included hope, cost and mistrust."),
    "economic evaluation": ("A Markov model compared costs and quality-adjusted life years of "
                            "MSC injection with usual care over 10 years."),
    "survey": ("We analysed websites of clinics marketing stem cell treatments and coded the "
               "claims made about efficacy and safety."),
}


def irrelevant_specs(rng: random.Random) -> list[tuple[str, str, str]]:
    """(title, abstract, category) for every English title/abstract exclusion."""
    out: list[tuple[str, str, str]] = []
    sources = ["Umbilical cord", "Bone marrow", "Adipose-derived", "Human umbilical cord"]
    verbs = ["attenuate", "ameliorate", "alleviate"]
    for i in range(16):
        model, animal = ANIMAL_MODELS[i % len(ANIMAL_MODELS)]
        title = (f"{sources[i % 4]} mesenchymal stem cells {verbs[i % 3]} {model} in {animal} "
                 f"{MECHANISMS[(i * 5) % len(MECHANISMS)]}")
        out.append((title, ABSTRACTS["animal"].format(title=title, model=model, animal=animal),
                    "animal"))
    for i in range(14):
        d = REVIEW_DISEASES[i % len(REVIEW_DISEASES)]
        title = REVIEW_TITLES[i // len(REVIEW_DISEASES)].format(d=d)
        out.append((title, ABSTRACTS["review"].format(d=d), "review"))
    for d in OTHER_DISEASE_RCTS:
        src = rng.choice(["Umbilical cord", "Bone marrow-derived", "Allogeneic"])
        out.append((f"{src} mesenchymal stem cells for {d}: a randomized controlled trial",
                    ABSTRACTS["other disease"].format(d=d), "other disease"))
    out += [(t, ABSTRACTS["other intervention"], "other intervention") for t in OTHER_TREATMENTS]
    out += [(t, ABSTRACTS["in vitro"], "in vitro") for t in IN_VITRO]
    out += [(t, ABSTRACTS["case report"], "case report") for t in CASE_REPORTS]
    out += [(t, ABSTRACTS[c], c) for t, c in PROTOCOLS_AND_OTHER]
    return out


def index_terms(category: str, title: str) -> list[str]:
    """A few MeSH-like headings so the noise records look indexed too."""
    lowered = title.lower()
    if category == "animal":
        species = "Rats" if "rats" in lowered else "Rabbits" if "rabbits" in lowered else "Mice"
        return ["Animals", "Disease Models, Animal", "*Mesenchymal Stem Cell Transplantation",
                species]
    terms = ["Humans"]
    if "stem" in lowered or "stromal" in lowered:
        terms.append("*Mesenchymal Stem Cells")
    if category == "review":
        terms.append("Treatment Outcome")
    if "random" in lowered:
        terms.append("Randomized Controlled Trials as Topic" if category == "protocol"
                     else "Treatment Outcome")
    return terms


DESIGN = {
    "single-arm trial": "All patients received the cells; there was no control group.",
    "cohort study": "Patients who chose cell therapy were compared with patients who declined it.",
    "controlled, not randomised": "Patients were allocated to cells or usual care by the "
                                  "treating physician.",
}
PRIMARY = {
    "RCT, imaging only": "The primary outcome was cartilage volume on 3-T MRI; pain and function "
                         "were not assessed.",
    "RCT, biomarkers only": "The primary outcome was the proportion of circulating regulatory T "
                            "cells and serum cytokine levels.",
}


def ft_abstract(rng: random.Random, category: str, conference: bool) -> str:
    """An abstract that looks relevant; the reason to exclude is only visible on a close read."""
    n = rng.randint(24, 90)
    design = DESIGN.get(category, "Patients were randomly assigned to the cell product or a "
                                  "control treatment.")
    primary = PRIMARY.get(category, f"The primary outcome was assessed at {rng.choice([6, 12])} "
                                    "months.")
    if conference:
        return (f"Background: Cell therapy is being explored in this condition. Methods: {n} "
                f"patients were enrolled. {design} Results: Outcomes improved from baseline. "
                "Conclusion: Full results will be reported.")
    return (f"BACKGROUND: Cell-based therapy is being explored in this condition. METHODS: {n} "
            f"patients were enrolled. {design} {primary} RESULTS: Outcomes improved from baseline "
            "and no serious adverse events were attributed to the cells. CONCLUSIONS: The "
            "findings support larger trials.")
