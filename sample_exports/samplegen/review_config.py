"""The review definition the demo starts from (written out as ``review.toml``)."""

REVIEW_TOML = '''\
# Review definition for the reviewflow demo. The search exports beside this file are MADE UP.
title = "Mesenchymal stem cell transplantation for rheumatic and autoimmune diseases"
question = """
Do mesenchymal stem cell (MSC) transplantations improve disease activity or symptoms, without
more adverse events, compared with control treatments in adults with rheumatic or autoimmune
diseases? (Randomised controlled trials only.)
"""

[pico]
population = """Adults with osteoarthritis, rheumatoid arthritis, systemic lupus erythematosus,
inflammatory bowel disease (Crohn's disease, ulcerative colitis), multiple sclerosis, systemic
sclerosis, primary Sjogren's syndrome or spondyloarthritis"""
intervention = """Culture-expanded mesenchymal stem/stromal cells from bone marrow, umbilical
cord or adipose tissue"""
comparator = "Placebo, hyaluronic acid, conventional or standard therapy"
outcomes = ["Pain VAS", "SLEDAI", "Clinical response", "EDSS", "DAS28", "mRSS", "ESSDAI",
            "BASDAI", "Adverse events"]
study_design = "Randomised controlled trials"

[[sources]]
file = "pubmed_medline.txt"
database = "PubMed"
searched = "2023-12-31"

[[sources]]
file = "embase_ovid.ris"
database = "Embase (Ovid)"
searched = "2023-12-31"

[[sources]]
file = "wos_savedrecs.txt"
database = "Web of Science Core Collection"
searched = "2023-12-31"

[[sources]]
file = "cochrane_central.ris"
database = "Cochrane CENTRAL"
searched = "2023-12-31"

[[sources]]
file = "cnki.ris"
database = "CNKI"
encoding = "gb18030"
searched = "2023-12-31"

[highlight]
include = ["mesenchymal", "stromal", "stem cell", "MSC", "randomized", "randomised", "randomly",
           "placebo", "osteoarthritis", "rheumatoid", "lupus", "Crohn", "colitis",
           "multiple sclerosis", "systemic sclerosis", "Sjogren", "spondyl", "间充质干细胞", "随机"]
exclude = ["mice", "rats", "rabbits", "in vitro", "review", "meta-analysis", "case report",
           "protocol", "exosome", "haematopoietic", "stromal vascular fraction",
           "大鼠", "小鼠", "综述"]

[screening]
reviewers = ["reviewer_a", "reviewer_b"]
exclusion_reasons = ["wrong population", "wrong intervention", "not randomised", "wrong outcome",
                     "duplicate report", "not retrievable"]
'''
