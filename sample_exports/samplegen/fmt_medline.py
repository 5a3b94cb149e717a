"""PubMed "MEDLINE" text (.nbib / .txt), the layout PubMed's "Save > Format: PubMed" writes.

Tags are four characters padded, then "- "; long values wrap at about 80 columns
with six-space continuation lines; a blank line separates records and the file
starts with one. Non-English articles get their English title in [brackets].
"""

from __future__ import annotations

from samplegen.fmt_common import MONTHS, medline_pages, pub_date, wrap
from samplegen.model import Pub

COUNTRY = {"zhyx": "China", "zhnk": "China", "acr": "United States"}
PT = {"article": ["Journal Article"], "review": ["Journal Article", "Review"],
      "erratum": ["Published Erratum"]}


def _tag(tag: str, value: str) -> list[str]:
    return wrap(f"{tag:<4}- ", value, 82, "      ")


def _pubtypes(pub: Pub) -> list[str]:
    types = list(PT.get(pub.kind, ["Journal Article"]))
    if pub.relevant_ft or "randomized" in pub.title.lower() or "randomised" in pub.title.lower():
        types += ["Randomized Controlled Trial"]
    if "meta-analysis" in pub.title.lower():
        types += ["Meta-Analysis", "Systematic Review"]
    return types


def _citation(pub: Pub) -> str:
    j = pub.journal
    date = f"{pub.year} {MONTHS[pub.month - 1]}"
    pages = medline_pages(pub.first_page, pub.last_page)
    doi = f" doi: {pub.doi}." if pub.doi else ""
    ey, em = pub_date(pub)
    epub = f" Epub {ey} {MONTHS[em - 1]} 14." if pub.epub_year else ""
    return f"{j.nlm_ta}. {date};{pub.volume}({pub.issue}):{pages}.{doi}{epub}"


def record(pub: Pub, related: dict[str, Pub]) -> list[str]:
    """The lines of one MEDLINE record (without the separating blank line)."""
    j = pub.journal
    ahead = pub.has("pubmed", "ahead_of_print")
    out = _status(pub, ahead)
    title = f"[{pub.title}]." if pub.language != "eng" else pub.title.rstrip(".") + "."
    out += _tag("TI", title)
    if not ahead:
        out += [f"PG  - {medline_pages(pub.first_page, pub.last_page)}"]
    if pub.doi:
        out += [f"LID - {pub.doi} [doi]"]
    if pub.abstract:
        out += _tag("AB", pub.abstract)
    for i, a in enumerate(pub.authors):
        out += [f"FAU - {a.family}, {a.given}", f"AU  - {a.family} {a.initials()}"]
        if i == 0 and pub.affiliation:
            out += _tag("AD", pub.affiliation)
    out += [f"LA  - {pub.language}"]
    out += [f"PT  - {t}" for t in _pubtypes(pub)]
    if pub.epub_year or ahead:
        ey, em = pub_date(pub)
        out += [f"DEP - {ey}{em:02d}14"]
    out += [f"PL  - {COUNTRY.get(j.code, 'England')}", f"TA  - {j.nlm_ta}"]
    out += _tag("JT", j.nlm_jt)
    out += [f"JID - 9{int(j.issn[:4]) * 7 % 1000000:06d}", "SB  - IM"]
    out += _links(pub, related)
    if not ahead:  # MeSH indexing comes months after the epub
        out += [f"MH  - {m}" for m in pub.mesh]
    if pub.registry_id:
        out += [f"SI  - ClinicalTrials.gov/{pub.registry_id}"]
    out += _history(pub)
    if pub.doi:
        out += [f"AID - {pub.doi} [doi]"]
    out += ["PST - aheadofprint" if ahead else "PST - ppublish"]
    out += _tag("SO", _ahead_citation(pub) if ahead else _citation(pub))
    return out


def _status(pub: Pub, ahead: bool) -> list[str]:
    j = pub.journal
    stamp = f"{pub.year + 1}0{pub.month % 9 + 1}1{pub.month % 9}"
    issn = [f"IS  - {j.issn} (Electronic)", f"IS  - {j.issn} (Linking)"]
    if ahead:
        return [f"PMID- {pub.pmid}", "OWN - NLM", "STAT- Publisher", f"LR  - {stamp}", *issn,
                f"DP  - {pub.year} {MONTHS[pub.month - 1]} 14"]
    return [f"PMID- {pub.pmid}", "OWN - NLM", "STAT- MEDLINE", f"DCOM- {stamp}", f"LR  - {stamp}",
            *issn, f"VI  - {pub.volume}", f"IP  - {pub.issue}",
            f"DP  - {pub.year} {MONTHS[pub.month - 1]}"]


def _history(pub: Pub) -> list[str]:
    first_year, first_month = pub_date(pub)
    return [f"EDAT- {first_year}/{first_month:02d}/15 06:00",
            f"MHDA- {pub.year}/{pub.month:02d}/28 06:00",
            f"CRDT- {first_year}/{first_month:02d}/14 05:41"]


def _ahead_citation(pub: Pub) -> str:
    doi = f" doi: {pub.doi}." if pub.doi else ""
    date = f"{pub.year} {MONTHS[pub.month - 1]} 14"
    return f"{pub.journal.nlm_ta}. {date}.{doi} Online ahead of print."


def _links(pub: Pub, related: dict[str, Pub]) -> list[str]:
    """EIN on a corrected article, EFR on the erratum notice (how PubMed links the two)."""
    lines: list[str] = []
    for other in related.values():
        if other.erratum_of == pub.key and "pubmed" in other.dbs:
            lines += _tag("EIN", f"{_citation(other)} PMID: {other.pmid}")
    if pub.erratum_of and pub.erratum_of in related:
        target = related[pub.erratum_of]
        lines += _tag("EFR", f"{_citation(target)} PMID: {target.pmid}")
    return lines


def render(pubs: list[Pub], related: dict[str, Pub]) -> str:
    chunks = ["\n".join(record(p, related)) for p in pubs]
    return "\n" + "\n\n".join(chunks) + "\n"
