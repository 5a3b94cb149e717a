"""Vocabulary for each disease and cell source, in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Disease:
    code: str
    name: str  # as used mid-sentence
    zh: str
    patients: str  # "patients with ..."
    mesh: tuple[str, ...]
    emtree: tuple[str, ...]


DISEASES: dict[str, Disease] = {d.code: d for d in [
    Disease("OA", "knee osteoarthritis", "膝骨关节炎",
            "patients with symptomatic knee osteoarthritis",
            ("*Osteoarthritis, Knee/therapy", "Pain Measurement"),
            ("*knee osteoarthritis", "visual analog scale", "intraarticular drug administration")),
    Disease("SLE", "systemic lupus erythematosus", "系统性红斑狼疮",
            "patients with active systemic lupus erythematosus",
            ("*Lupus Erythematosus, Systemic/therapy", "Lupus Nephritis"),
            ("*systemic lupus erythematosus", "SLEDAI", "lupus nephritis")),
    Disease("CD", "Crohn's disease", "克罗恩病",
            "patients with refractory Crohn's disease",
            ("*Crohn Disease/therapy", "Inflammatory Bowel Diseases"),
            ("*Crohn disease", "Crohn disease activity index", "inflammatory bowel disease")),
    Disease("UC", "ulcerative colitis", "溃疡性结肠炎",
            "patients with moderate to severe ulcerative colitis",
            ("*Colitis, Ulcerative/therapy", "Inflammatory Bowel Diseases"),
            ("*ulcerative colitis", "Mayo score", "inflammatory bowel disease")),
    Disease("MS", "multiple sclerosis", "多发性硬化",
            "patients with progressive multiple sclerosis",
            ("*Multiple Sclerosis/therapy", "Disability Evaluation"),
            ("*multiple sclerosis", "Expanded Disability Status Scale")),
    Disease("RA", "rheumatoid arthritis", "类风湿关节炎",
            "patients with refractory rheumatoid arthritis",
            ("*Arthritis, Rheumatoid/therapy", "Severity of Illness Index"),
            ("*rheumatoid arthritis", "Disease Activity Score 28")),
    Disease("SSC", "systemic sclerosis", "系统性硬化症",
            "patients with diffuse cutaneous systemic sclerosis",
            ("*Scleroderma, Systemic/therapy", "Skin"),
            ("*systemic sclerosis", "modified Rodnan skin score")),
    Disease("PSS", "primary Sjogren's syndrome", "原发性干燥综合征",
            "patients with primary Sjogren's syndrome",
            ("*Sjogren's Syndrome/therapy", "Xerostomia"),
            ("*Sjoegren syndrome", "ESSDAI")),
    Disease("SPA", "axial spondyloarthritis", "脊柱关节炎",
            "patients with active ankylosing spondylitis",
            ("*Spondylarthritis/therapy", "Spondylitis, Ankylosing"),
            ("*ankylosing spondylitis", "BASDAI")),
]}

IBD = {"CD", "UC"}

SOURCES = {
    "bone marrow": ("bone marrow-derived", "骨髓", "Bone Marrow Cells"),
    "umbilical cord": ("umbilical cord-derived", "脐带", "Umbilical Cord/cytology"),
    "adipose tissue": ("adipose-derived", "脂肪", "Adipose Tissue/cytology"),
}

OUTCOME_ZH = {
    "Pain VAS": "视觉模拟评分(VAS)",
    "SLEDAI": "SLEDAI评分",
    "Clinical response": "临床有效率",
    "Adverse events": "不良反应发生率",
    "EDSS": "EDSS评分",
    "DAS28": "DAS28评分",
    "mRSS": "改良Rodnan皮肤评分",
    "ESSDAI": "ESSDAI评分",
    "BASDAI": "BASDAI评分",
}
