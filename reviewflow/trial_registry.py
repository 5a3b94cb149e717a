"""Trial registration numbers: what a register record is, and which trial a report cites.

Searching trial registers is part of a systematic review (PRISMA 2020 has a box
for them), and register records behave differently from articles: the same
registration reaches the review from ClinicalTrials.gov, from WHO ICTRP (which
re-publishes the national registers) and from CENTRAL, with the same number and
near the same title; while an article *reporting* the trial is a different
record of the same study. The number decides both, so it is read here once,
for the importers and for dedup.
"""

from __future__ import annotations

import re

# The registers of the WHO ICTRP network and the large national ones, as their
# numbers are printed. Normalised form: upper case, no spaces.
_PATTERNS = (
    r"NCT\d{8}",                        # ClinicalTrials.gov
    r"ISRCTN\d{8}",                     # ISRCTN
    r"ChiCTR-?[A-Z]{0,5}-?\d{6,12}",    # Chinese Clinical Trial Registry (old and new forms)
    r"EUCTR\d{4}-\d{6}-\d{2}(?:-[A-Z]{2})?",  # EU Clinical Trials Register
    r"\d{4}-5\d{5}-\d{2}-\d{2}",        # EU CTIS (2023-)
    r"ACTRN\d{14}",                     # Australian New Zealand
    r"CTRI/\d{4}/\d{2,3}/\d{6}",        # India
    r"DRKS\d{8}",                       # Germany
    r"JPRN-[A-Za-z]+\d+",               # Japan (UMIN, JapicCTI, jRCT via JPRN)
    r"jRCT[sd]?\d{9,10}",               # Japan jRCT
    r"IRCT\d{8,14}N\d{1,3}",            # Iran
    r"KCT\d{7}",                        # Korea CRIS
    r"PACTR\d{15}",                     # Pan African
    r"TCTR\d{11}",                      # Thailand
    r"RBR-\d[a-z0-9]{5,7}",             # Brazil ReBEC
    r"NL\d{4,5}|NTR\d{3,5}",            # Netherlands
    r"SLCTR/\d{4}/\d{3}",               # Sri Lanka
    r"RPCEC\d{8}",                      # Cuba
    r"LBCTR\d{10}",                     # Lebanon
    r"PER-\d{3}-\d{2}",                 # Peru
)
TRIAL_ID = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(_PATTERNS) + r")(?![0-9])",
                      re.IGNORECASE)
_WHOLE = re.compile(r"(?:" + "|".join(_PATTERNS) + r")", re.IGNORECASE)
_REGISTER_URL = re.compile(
    r"clinicaltrials\.gov/(?:ct2/show/|show/|study/)|trialsearch\.who\.int|"
    r"isrctn\.com/|chictr\.org\.cn|clinicaltrialsregister\.eu|anzctr\.org\.au|"
    r"ctri\.nic\.in|drks\.de|rctportal\.niph\.go\.jp|jrct\.niph\.go\.jp|umin\.ac\.jp/ctr|"
    r"irct\.(?:ir|behdasht\.gov\.ir)|cris\.nih\.go\.kr|pactr\.samrc\.ac\.za|"
    r"clinicaltrials\.in\.th|ensaiosclinicos\.gov\.br|trialregister\.nl|onderzoekmetmensen\.nl",
    re.IGNORECASE,
)


def normalise_trial_id(text: str) -> str:
    """One number in its canonical spelling ('nct 0123' forms are not numbers)."""
    value = text.strip().upper().replace(" ", "")
    if value.startswith("CHICTR"):
        value = "ChiCTR" + value[6:]
    elif value.startswith("JRCT"):
        value = "jRCT" + value[4:]
    elif value.startswith("RBR-"):
        value = "RBR-" + value[4:].lower()
    return value


def trial_ids(*texts: str | None) -> frozenset[str]:
    """Every registration number cited in ``texts`` (title, abstract, keywords...)."""
    found = {normalise_trial_id(m.group(0)) for t in texts if t for m in TRIAL_ID.finditer(t)}
    return frozenset(found)


def registration_of(accession: str | None, *links: str | None) -> str:
    """The record's own registration number if it *is* a register record, else ''.

    A register record carries its number as its accession (ClinicalTrials.gov
    'NCT Number', ICTRP 'TrialID') or links to the register's page for it: in
    its URL, or, as CENTRAL exports register entries, in the journal field.
    """
    if accession and _WHOLE.fullmatch(accession.strip().replace(" ", "")):
        return normalise_trial_id(accession)
    for link in links:
        if link and _REGISTER_URL.search(link):
            ids = trial_ids(link)
            if len(ids) == 1:
                return next(iter(ids))
    return ""
