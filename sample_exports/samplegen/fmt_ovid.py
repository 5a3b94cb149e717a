"""Embase exported from Ovid as RIS ("Export > RIS").

Ovid numbers each record ("1."), writes DOIs as ``http://dx.doi.org/...``, years
as ``2019//``, Embase author names as "Family I.N." and ends each record with
"ER  -" followed by a "Link to the Ovid Full Text or citation" line.
"""

from __future__ import annotations

from samplegen.fmt_common import initials, pub_date, sentence_title, title_case
from samplegen.model import Pub

M3 = {"article": "Article", "review": "Review", "erratum": "Erratum",
      "conference": "Conference Abstract"}
OVID = "http://ovidsp.ovid.com/ovidweb.cgi?T=JS"


def record(n: int, pub: Pub) -> list[str]:
    j = pub.journal
    an = pub.ids["embase"]
    title = title_case(pub.title) if pub.has("embase", "title_case") else pub.title
    out = [f"{n}.", "TY  - JOUR", f"ID  - {an}"]
    if pub.doi and not pub.has("embase", "no_doi"):
        out.append(f"DO  - http://dx.doi.org/{pub.doi}")
    out.append(f"T1  - {sentence_title(title)}")
    out += [f"A1  - {a.family} {initials(a.given, dots=True)}" for a in pub.authors]
    year, _ = pub_date(pub)
    out.append(f"Y1  - {year}//")
    if pub.abstract:
        out.append(f"N2  - {pub.abstract}")
    out += [f"KW  - {k}" for k in pub.keywords or _default_keywords(pub)]
    out += [f"JF  - {j.embase_jf}", f"JA  - {j.embase_ja}", f"VL  - {pub.volume}"]
    issue = pub.issue.replace("Suppl", "Supplement")
    out += [f"IS  - {issue}", f"SP  - {pub.first_page}"]
    if pub.last_page:
        out.append(f"EP  - {pub.last_page}")
    out += [f"SN  - {j.issn}"]
    if pub.affiliation:
        out.append(f"AD  - {pub.authors[0].family} {initials(pub.authors[0].given, True)}, "
                   f"{pub.affiliation}")
    out += [f"M3  - {M3[pub.kind]}", f"LA  - {'Chinese' if pub.language == 'chi' else 'English'}"]
    out += [f"UR  - {OVID}&PAGE=reference&D=emexb&NEWS=N&AN={an}", "DB  - Embase", "ER  -"]
    out += ["", f"Link to the Ovid Full Text or citation: {OVID}&CSC=Y&NEWS=N&PAGE=fulltext"
            f"&D=emexb&AN={an}"]
    return out


def _default_keywords(pub: Pub) -> list[str]:
    words = ["human", "mesenchymal stem cell"]
    lowered = pub.title.lower()
    for term, kw in (("mice", "mouse"), ("rats", "rat"), ("review", "review"),
                     ("random", "randomized controlled trial"), ("in vitro", "in vitro study"),
                     ("case", "case report")):
        if term in lowered:
            words.append(kw)
    return sorted(set(words))


def render(pubs: list[Pub]) -> str:
    chunks = ["\n".join(record(i + 1, p)) for i, p in enumerate(pubs)]
    return "\n\n".join(chunks) + "\n\n"
