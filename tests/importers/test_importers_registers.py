"""Trial-register exports (ClinicalTrials.gov, WHO ICTRP), written as the sites write them.

No register export is in ../shared/corpus, so these files are made up here in each
site's column layout (ClinicalTrials.gov before and after its 2023 redesign, ICTRP's
search-portal CSV); the records themselves are invented.
"""

from __future__ import annotations

import pytest

from reviewflow.importers import read_bytes
from reviewflow.store.searches import guess_origin
from reviewflow.trial_registry import registration_of, trial_ids

CTGOV_2023 = (
    '"NCT Number","Study Title","Study URL","Acronym","Study Status","Brief Summary",'
    '"Study Results","Conditions","Interventions","Primary Outcome Measures","Sponsor",'
    '"Phases","Enrollment","Study Type","First Posted","Last Update Posted"\n'
    '"NCT09123456","Umbilical Cord MSC for Refractory Lupus Nephritis",'
    '"https://clinicaltrials.gov/study/NCT09123456","UC-LN","COMPLETED",'
    '"This randomised trial compares umbilical cord mesenchymal stem cells with placebo.",'
    '"NO","Lupus Nephritis|Systemic Lupus Erythematosus","BIOLOGICAL: UC-MSC|DRUG: Placebo",'
    '"Renal response","Nanjing Drum Tower Hospital","PHASE2","40","INTERVENTIONAL",'
    '"2019-05-14","2023-01-10"\n'
    '"NCT09123457","Adipose MSC Injection in Knee Osteoarthritis",'
    '"https://clinicaltrials.gov/study/NCT09123457","","RECRUITING",'
    '"Intra-articular adipose-derived MSCs versus hyaluronic acid.","NO",'
    '"Knee Osteoarthritis","BIOLOGICAL: AD-MSC","VAS pain","Seoul Hospital","PHASE3",'
    '"120","INTERVENTIONAL","2021-02-01","2024-03-03"\n'
)
CTGOV_CLASSIC = (
    "Rank,NCT Number,Title,Acronym,Status,Study Results,Conditions,Interventions,"
    "Outcome Measures,Sponsor/Collaborators,Phases,Enrollment,Study Type,First Posted,URL\n"
    '1,NCT09123456,Umbilical Cord MSC for Refractory Lupus Nephritis,UC-LN,Completed,'
    'No Results Available,Lupus Nephritis|SLE,Biological: UC-MSC,Renal response,'
    'Nanjing Drum Tower Hospital,Phase 2,40,Interventional,"May 14, 2019",'
    'https://ClinicalTrials.gov/show/NCT09123456\n'
)
ICTRP = (
    "TrialID,Last Refreshed on,Public title,Scientific title,Acronym,Primary sponsor,"
    "Date registration,Source Register,web address,Recruitment Status,Study type,"
    "Countries,Condition,Intervention,Primary outcome\n"
    'ChiCTR2000031234,2 March 2020,Bone marrow MSC for lupus nephritis,'
    '"A randomized, double-blind, placebo-controlled trial of bone marrow MSC in lupus '
    'nephritis",,Peking Union Medical College Hospital,11/03/2020,ChiCTR,'
    'https://www.chictr.org.cn/showproj.html?proj=50000,Recruiting,Interventional study,'
    'China,Lupus nephritis,BM-MSC infusion,Proteinuria\n'
    'NCT09123456,10 January 2023,Umbilical Cord MSC for Refractory Lupus Nephritis,'
    '"A Phase 2 Randomised Trial of UC-MSC in Refractory Lupus Nephritis",UC-LN,'
    'Nanjing Drum Tower Hospital,14/05/2019,ClinicalTrials.gov,'
    'https://clinicaltrials.gov/show/NCT09123456,Not recruiting,Interventional,China,'
    'Lupus Nephritis,Biological: UC-MSC,Renal response\n'
)


def test_clinicaltrials_gov_2023_layout() -> None:
    result = read_bytes(CTGOV_2023.encode(), name="ctg-studies.csv")
    assert result.database == "ClinicalTrials.gov" and guess_origin(result.database) == "register"
    first, second = result.records
    assert first.title == "Umbilical Cord MSC for Refractory Lupus Nephritis"
    assert first.accession == "NCT09123456" and first.year == 2019
    assert first.abstract.startswith("This randomised trial compares")
    assert first.keywords == ["Lupus Nephritis", "Systemic Lupus Erythematosus"]
    assert first.url == "https://clinicaltrials.gov/study/NCT09123456"
    assert first.publication_type == "INTERVENTIONAL"
    assert second.accession == "NCT09123457" and second.year == 2021


def test_clinicaltrials_gov_classic_layout() -> None:
    [record] = read_bytes(CTGOV_CLASSIC.encode(), name="SearchResults.csv").records
    assert record.title == "Umbilical Cord MSC for Refractory Lupus Nephritis"
    assert record.accession == "NCT09123456" and record.year == 2019
    assert record.url == "https://ClinicalTrials.gov/show/NCT09123456"


def test_who_ictrp_layout() -> None:
    result = read_bytes(ICTRP.encode(), name="ictrp.csv")
    assert result.database == "WHO ICTRP" and guess_origin(result.database) == "register"
    chictr, nct = result.records
    assert chictr.title == "Bone marrow MSC for lupus nephritis"
    assert (chictr.accession, chictr.year) == ("ChiCTR2000031234", 2020)
    assert nct.accession == "NCT09123456" and nct.keywords == ["Lupus Nephritis"]


@pytest.mark.parametrize(("text", "ids"), [
    ("Registered at ClinicalTrials.gov (NCT01234567) and ISRCTN12345678.",
     {"NCT01234567", "ISRCTN12345678"}),
    ("Trial registration: ChiCTR-IOR-17011234; chictr2000031234", {"ChiCTR-IOR-17011234",
                                                                   "ChiCTR2000031234"}),
    ("EudraCT EUCTR2015-001234-56-GB, ACTRN12615000123456, CTRI/2019/05/019123",
     {"EUCTR2015-001234-56-GB", "ACTRN12615000123456", "CTRI/2019/05/019123"}),
    ("Not a number: NCT0123456 (7 digits), xNCT01234567, NCT012345678 (9 digits)", set()),
])
def test_trial_ids_in_text(text: str, ids: set[str]) -> None:
    assert trial_ids(text) == ids


def test_registration_of_a_register_record() -> None:
    assert registration_of("NCT09123456", None) == "NCT09123456"
    assert registration_of(" chictr2000031234 ", None) == "ChiCTR2000031234"
    assert registration_of("CN-01234567", "https://clinicaltrials.gov/show/NCT09123456") \
        == "NCT09123456"
    # an article that cites its registration is not a register record
    assert registration_of("WOS:000123", "https://doi.org/10.1/x") == ""
    assert registration_of("12345678", None) == ""
