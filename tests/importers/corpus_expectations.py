"""What the shared corpus should import as, beyond counts.json.

Kept apart from the tests so the reasoning for every exception is in one place.
"""

from __future__ import annotations

# counts.json counted records by a tag; where that tag undercounts, the import must
# still read every record. Each entry: file -> (count in counts.json, true count, why).
COUNT_CORRECTIONS: dict[str, tuple[int, int, str]] = {
    "other/colrev_ais_enl.txt": (
        2,
        6,
        "counts.json counted '%0' lines, but only 2 of the 6 blank-line separated records "
        "carry '%0' (the AIS eLibrary export starts records with '%T'); all 6 have %T/%B/%D "
        "and are real articles, so dropping 4 would silently lose records",
    ),
}

# Synthetic colrev envelopes are not in counts.json; counts from SOURCES.md, and for the
# two files SOURCES.md marks '?' we decided by reading them: both are ERIC .nbib exports
# holding one record (OWN - ERIC ... no PMID), so 1.
SYNTHETIC_COUNTS: dict[str, int] = {
    "synthetic_envelopes/colrev_abi_inform_proquest_ris.ris": 2,
    "synthetic_envelopes/colrev_acm_bib.bib": 2,
    "synthetic_envelopes/colrev_dblp_bib.bib": 2,
    "synthetic_envelopes/colrev_ebsco_bib.bib": 2,
    "synthetic_envelopes/colrev_eric_nbib.nbib": 1,
    "synthetic_envelopes/colrev_europe_pmc_bib.bib": 2,
    "synthetic_envelopes/colrev_ieee_ris.ris": 2,
    "synthetic_envelopes/colrev_jstor_ris.ris": 4,
    "synthetic_envelopes/colrev_nbib_data.nbib": 1,
    "synthetic_envelopes/colrev_psycinfo_ris.ris": 1,
    "synthetic_envelopes/colrev_pubmed_csv.csv": 1,
    "synthetic_envelopes/colrev_scopus_bib.bib": 11,
    "synthetic_envelopes/colrev_springer_csv.csv": 1,
    "synthetic_envelopes/colrev_taylor_and_francis_bib.bib": 2,
    "synthetic_envelopes/colrev_trid_ris.ris": 3,
    "synthetic_envelopes/colrev_web_of_science_bib.bib": 2,
    "synthetic_envelopes/colrev_wiley_bib.bib": 2,
}

# Detected format per folder/file (file names lie: WoS tagged as .ris, RIS as .txt).
EXPECTED_FORMAT: dict[str, str] = {
    "bibtex/asysd_zotero_export.bib": "bibtex",
    "chinese/mrhelper_demo_cnki_estudy_202101.txt": "cnki_estudy",
    "csv_generic/asysd_zotero_export.csv": "csv",
    "other/colrev_ais_enl.txt": "endnote_tagged",
    "other/colrev_ieee_csv.csv": "csv",
    "other/litsearchr_zoorec_wos_platform.txt": "wos",
    "ovid_embase/asreview_embase.csv": "embase_csv",
    "ovid_embase/asreview_embase_newpage.csv": "embase_csv",
    "ovid_embase/knh_Ovid_Embase_citavi_r3001-3002.ovd": "ovid",
    "ovid_embase/knh_Ovid_Embase_endnote_r3001-3002.cgi": "ovid",
    "pubmed/asreview_pubmed_endnote.txt": "ris",
    "pubmed/colrev_pubmed-chatbot.csv": "pubmed_csv",
    "pubmed/mrhelper_demo_pubmed_202101.nbib": "medline",
    "pubmed/revtools_restoration_pubmed.nbib": "medline",
    "ris_edge_cases/asreview_ris_issue_1099.txt": "ris",
    "ris_generic/asysd_ris_export.txt": "ris",
    "same_library_3_formats/reflib_blue-light.nbib": "medline",
    "same_library_3_formats/reflib_blue-light_endnote.xml": "endnote_xml",
    "scopus/bibliometrix_scopus_sample.csv": "scopus_csv",
    "scopus/synthesisr_Scopus_bib_example.bib": "bibtex",
    "wos/asreview_web_of_science.txt": "ris",
    "wos/knh_WoS_other_reference_software_r0001-0500.txt": "wos",
    "wos/knh_WoS_other_reference_software_r4001-4012.txt": "wos",
    "wos/mrhelper_demo_wos_202101.txt": "wos",
    "wos/revtools_restoration_WoS.ciw": "wos",
    "wos/rispy_example_wos.ris": "wos",
    "wos/synthesisr_WoS_ciw_example.ciw": "wos",
}
EXPECTED_FORMAT_BY_SUFFIX = {".net": "noteexpress", ".xml": "endnote_xml", ".ris": "ris"}

# Hand-checked spot values (read from the files themselves): file -> list of
# (position, title prefix, doi, first author, year).
SPOT_CHECKS: dict[str, list[tuple[int, str, str | None, str | None, int | None]]] = {
    "bibtex/asysd_zotero_export.bib": [
        (1, "Microangiography of the humeral condyle in Cocker Spaniel", None, "Larsen, LJ", 1999),
    ],
    "chinese/mrhelper_demo_cnki_estudy_202101.txt": [
        (1, "1例卡培他滨与苯妥英钠相互作用致乳腺癌", None, "柯洪琴", 2021),
        (2, "中国女性乳腺癌筛查标准", None, None, 2021),
    ],
    "chinese/mrhelper_demo_wanfang_noteexpress_202101.NET": [
        (1, "超声引导下前锯肌平面阻滞对乳腺癌改良根治术", None, "江文杰", 2020),
    ],
    "chinese/cnki2bibtex_Classic5Test.net": [
        (1, "Share-option based compensation expense", None, "Alhaj-Ismail, Alaa", 2019),
    ],
    "chinese/cnki2bibtex_withLineBreakInAddress.net": [
        (1, "基于公共行政理念的政府公共关系发展历程探析", None, "谢昕", 2005),
    ],
    "csv_generic/asysd_zotero_export.csv": [
        (
            1,
            "Myoclonus in older Cavalier King Charles Spaniels",
            "10.1111/jvim.16404",
            "Rotter, Carina",
            2022,
        ),
    ],
    "endnote_xml/asysd_zotero_export.xml": [
        (
            1,
            "Myoclonus in older Cavalier King Charles Spaniels",
            "10.1111/jvim.16404",
            "Rotter, Carina",
            2022,
        ),
    ],
    "endnote_xml/asysd_mendeley_export.xml": [
        (
            1,
            "Myoclonus in older Cavalier King Charles Spaniels",
            "10.1111/jvim.16404",
            "Rotter, Carina",
            2022,
        ),
    ],
    "multi_db_same_search/citesource_20221207_gambling-harms_lens_49.ris": [
        (
            1,
            "Benchmarking gambling screens to health-state utility",
            "10.31234/osf.io/fu4mj",
            "Browne, Matthew",
            2021,
        ),
        (
            2,
            "Measuring Gambling Harm: The Influence of Response Scaling",
            "10.1007/s10899-020-09954-1",
            "Delfabbro, Paul",
            2020,
        ),
    ],
    "multi_db_same_search/citesource_20221207_gambling-harms_psycinfo_124.ris": [
        (
            1,
            "Frameworks of gambling harms: A comparative review and synthesis",
            "10.1080/16066359.2022.2113071",
            "Marionneau, Virve",
            2022,
        ),
    ],
    "other/synthesisr_ASP_ebsco_ris_example.ris": [
        (
            1,
            "\u201cLiving on the edge\u201d: The role of field margins",
            "10.1016/j.agee.2016.06.041",
            "Rodríguez-Pastor, Ruth",
            2016,
        ),
    ],
    "other/asreview_proquest.ris": [
        (
            1,
            "Predictors of posttraumatic stress symptom trajectories",
            "10.1002/jts.22387",
            "Jones, Hannah",
            2019,
        ),
    ],
    "other/colrev_ais_enl.txt": [
        (1, "How Trust Leads to Commitment on Microsourcing Platforms", None, "Guo, Wenbo", 2021),
        (2, "MISQ Volume 45, Issue 3 Table of Contents", None, None, 2021),
    ],
    "other/colrev_ieee_csv.csv": [
        (
            1,
            "Rural Outsourcing: Delivering ITO and BPO Services",
            "10.1109/mc.2011.377",
            "Rottman, Joseph",
            None,
        ),
    ],
    "other/litsearchr_zoorec_wos_platform.txt": [
        (
            1,
            "Nest site selection and nest survival of Black-backed Woodpeckers",
            None,
            "Stillman, Andrew N.",
            2019,
        ),
    ],
    "ovid_embase/knh_Ovid_Embase_endnote_r3001-3002.cgi": [
        (
            1,
            "Quality of life in patients with primary ciliary dyskinesia",
            "10.1186/s12919-018-0099-8",
            "Behan, L.",
            2018,
        ),
        (
            2,
            "Development of a bioinformatics analysis method",
            "10.1186/s12919-018-0099-8",
            "Dyskinesia, P.C.",
            2018,
        ),
    ],
    "ovid_embase/asreview_embase.csv": [
        (1, "Duplication cysts: Diagnosis, management, and the role of", None, "Liu, R.", 2014),
    ],
    "pubmed/colrev_pubmed-chatbot.csv": [
        (
            1,
            "Chatbot-Delivered Psychotherapy for Adults With Depressive",
            "10.1016/j.beth.2021.09.007",
            "Lim, SM",
            2022,
        ),
    ],
    "pubmed/mrhelper_demo_pubmed_202101.nbib": [
        (
            1,
            "Switching of Hormone Therapies in Breast Cancer Women",
            "10.1055/s-0040-1719149",
            "de Medeiros, Luana Moreira",
            2021,
        ),
    ],
    "pubmed/asreview_pubmed_endnote.txt": [
        (
            1,
            "Boswellia serrata: an overall assessment",
            "10.2165/11586800-000000000-00000",
            "Abdel-Tawab, M.",
            2011,
        ),
    ],
    "ris_edge_cases/rispy_example_basic.ris": [
        (1, "A Mathematical Theory of Communication", None, "Shannon, Claude E.", 1948),
    ],
    "ris_edge_cases/rispy_example_empty_tag.ris": [
        (
            1,
            "Outcome Measures After Shoulder Stabilization",
            "10.1177/2325967120950040",
            "Fanning, E.",
            2020,
        ),
    ],
    "same_library_3_formats/reflib_blue-light.nbib": [
        (
            1,
            "Formulation of Herbal Gel of Antirrhinum majus Extract",
            "10.4103/abr.abr_99_17",
            "Shahtalebi, Mohammad Ali",
            2018,
        ),
    ],
    "scopus/bibliometrix_scopus_sample.csv": [
        (
            1,
            "Quantitative analysis of studies that use artificial intelli",
            "10.1177/20552076261415846",
            "Liu, Fengyuan",
            2026,
        ),
    ],
    "scopus/synthesisr_Scopus_bib_example.bib": [
        (
            1,
            "Soil fauna diversity at different stages of reed restoration",
            "10.1080/20964129.2020.1722034",
            "Li, W.",
            2020,
        ),
    ],
    "wos/knh_WoS_other_reference_software_r4001-4012.txt": [
        (
            1,
            "Caregivers' views on stigmatization and discrimination of people affected",
            "10.1371/journal.pntd.0006219",
            "Asampong, Emmanuel",
            2018,
        ),
    ],
    "wos/rispy_example_wos.ris": [
        (
            1,
            "Interactions stabilizing the structure of the core light-harvesting",
            "10.1021/bi049798f",
            "Parkes-Loach, PS",
            2004,
        ),
    ],
    "wos/asreview_web_of_science.txt": [
        (
            1,
            "Holding Yourself Captive: Perceptions of Custody",
            "10.1016/j.jarmac.2018.03.001",
            "Alceste, F",
            2018,
        ),
    ],
}
