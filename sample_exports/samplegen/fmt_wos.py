"""Web of Science "Plain text file", record content "Full Record".

Starts with a UTF-8 BOM and the ``FN``/``VR`` header, two-letter tags, repeated
values on three-space continuation lines, ``ER`` after each record, a blank
line, and ``EF`` at the very end with no newline after it.
"""

from __future__ import annotations

from samplegen.fmt_common import MONTHS, given_for, initials, pub_date, wrap
from samplegen.model import Pub
from samplegen.names import wos_source

DT = {"article": "Article", "review": "Review", "erratum": "Correction",
      "conference": "Meeting Abstract"}
CHECK_TAGS = {"Adult", "Female", "Male", "Middle Aged", "Humans", "Animals"}
PLUS = ["MESENCHYMAL STROMAL CELLS", "STEM-CELLS", "THERAPY", "EXPRESSION", "INFLAMMATION",
        "SAFETY", "TRANSPLANTATION", "DISEASE", "EFFICACY", "DIFFERENTIATION"]


def _multi(tag: str, values: list[str]) -> list[str]:
    return [f"{tag} {values[0]}"] + [f"   {v}" for v in values[1:]]


def _title(pub: Pub, related: dict[str, Pub]) -> str:
    if pub.erratum_of:
        t = related[pub.erratum_of]
        return f"{t.title} (vol {t.volume}, pg {t.first_page}, {t.year})"
    return pub.title.rstrip(".")


def record(pub: Pub, related: dict[str, Pub]) -> list[str]:
    j = pub.journal
    hyphen = pub.has("wos", "hyphen_given")
    names = [(a.family, given_for(a, hyphen)) for a in pub.authors]
    out = ["PT J"]
    out += _multi("AU", [f"{f}, {initials(g)}" for f, g in names])
    out += _multi("AF", [f"{f}, {g}" for f, g in names])
    out += wrap("TI ", _title(pub, related), 73, "   ")
    out += [f"SO {wos_source(j)}", "LA English" if pub.language == "eng" else "LA Chinese",
            f"DT {DT[pub.kind]}"]
    de = [m.strip("*").split("/")[0] for m in pub.mesh if m not in CHECK_TAGS][:4]
    if de:  # author keywords; many records have none
        out += wrap("DE ", "; ".join(de), 73, "   ")
    if pub.kind in ("article", "review"):
        plus = [PLUS[(len(pub.title) + i * 3) % len(PLUS)] for i in range(4)]
        out += wrap("ID ", "; ".join(dict.fromkeys(plus)), 73, "   ")
    if pub.abstract:
        out.append(f"AB {pub.abstract}")
    if pub.affiliation:
        who = "; ".join(f"{f}, {g}" for f, g in names)
        out.append(f"C1 [{who}] {pub.affiliation.rstrip('.')}.")
        out.append(f"RP {names[0][0]}, {initials(names[0][1])} (corresponding author), "
                   f"{pub.affiliation.rstrip('.')}.")
    out += [f"SN {j.issn}", f"J9 {j.wos_j9}", f"JI {j.wos_ji}"]
    out += [f"PD {MONTHS[pub.month - 1].upper()}", f"PY {pub.year}", f"VL {pub.volume}"]
    out += _pages(pub)
    if pub.doi:
        doi = pub.doi.upper() if pub.has("wos", "doi_upper") else pub.doi
        out.append(f"DI {doi}")
    if pub.epub_year:
        ey, em = pub_date(pub)
        out.append(f"EA {MONTHS[em - 1].upper()} {ey}")
    out += [f"UT {pub.ids['wos']}"]
    if pub.pmid:
        out.append(f"PM {pub.pmid}")
    out += ["DA 2024-01-08", "ER"]
    return out


def _pages(pub: Pub) -> list[str]:
    if pub.kind == "conference":
        return [f"SU {pub.issue.split()[-1]}", f"MA {pub.first_page}", "PG 1"]
    out = [f"IS {pub.issue}"]
    if pub.last_page:
        n = int(pub.last_page) - int(pub.first_page) + 1
        return out + [f"BP {pub.first_page}", f"EP {pub.last_page}", f"PG {n}"]
    return out + [f"AR {pub.first_page}", "PG 12"]


def render(pubs: list[Pub], related: dict[str, Pub]) -> str:
    head = "\ufeffFN Clarivate Analytics Web of Science\nVR 1.0\n"
    body = "".join("\n".join(record(p, related)) + "\n\n" for p in pubs)
    return head + body + "EF"
