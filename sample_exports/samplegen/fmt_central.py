"""Cochrane Library CENTRAL exported as RIS ("Export selected citation(s) > RIS").

No real CENTRAL export was available to copy the layout from, so this follows
the tags the Cochrane Library is documented to write: TY, AU, TI, JO, PY, VL,
IS, SP, EP, KW, AB, DO, AN (the CN- accession), UR. CENTRAL mixes sources, so
its records are the least uniform: conference records usually lack an abstract,
trial-registry records carry the registry URL as their "journal".
"""

from __future__ import annotations

from samplegen.fmt_common import initials, pub_date
from samplegen.model import Pub

CENTRAL_URL = "https://www.cochranelibrary.com/central/doi/10.1002/central/{}/full"


def _kw(mesh: str) -> str:
    if "/" in mesh:
        term, sub = mesh.split("/", 1)
        return f"{term} [{sub}]"
    return mesh


def _author(pub: Pub, family: str, given: str) -> str:
    if pub.has("central", "authors_upper"):
        return f"{family.upper()} {initials(given)}"
    return f"{family}, {initials(given)}"


def record(pub: Pub, index: int) -> list[str]:
    j = pub.journal
    an = pub.ids["central"]
    out = ["TY  - JOUR"]
    out += [f"AU  - {_author(pub, a.family, a.given)}" for a in pub.authors
            if pub.kind != "registry"]
    title = pub.title.upper() if pub.has("central", "title_upper") else pub.title
    out.append(f"TI  - {title}")
    if pub.kind == "registry":
        out += [f"JO  - https://clinicaltrials.gov/show/{pub.registry_id}", f"PY  - {pub.year}"]
    else:
        abbrev = pub.has("central", "journal_abbrev") or (index % 3 == 0 and j.nlm_ta)
        out.append(f"JO  - {j.nlm_ta if abbrev and j.nlm_ta else j.nlm_jt or j.embase_jf}")
        out += [f"PY  - {pub_date(pub)[0]}", f"VL  - {pub.volume}", f"IS  - {pub.issue}"]
        out += _pages(pub)
    out += [f"KW  - {_kw(m.lstrip('*'))}" for m in pub.mesh]
    if pub.abstract and not pub.has("central", "no_abstract"):
        out.append(f"AB  - {pub.abstract}")
    if pub.doi and not pub.has("central", "no_doi"):
        prefix = "https://doi.org/" if pub.has("central", "doi_url") else ""
        out.append(f"DO  - {prefix}{pub.doi}")
    out += [f"AN  - {an}", f"UR  - {CENTRAL_URL.format(an)}", "ER  - "]
    return out


def _pages(pub: Pub) -> list[str]:
    if pub.has("central", "pages_in_sp") and pub.last_page:
        return [f"SP  - {pub.first_page}-{pub.last_page}"]
    out = [f"SP  - {pub.first_page}"]
    return out + ([f"EP  - {pub.last_page}"] if pub.last_page else [])


def render(pubs: list[Pub]) -> str:
    return "".join("\n".join(record(p, i)) + "\n\n" for i, p in enumerate(pubs))
