"""CNKI records: RIS in GB18030 with CRLF line ends, and a NoteExpress ``.net`` file.

CNKI's own export page offers NoteExpress, EndNote and RefWorks; the RIS here is
what users get when they export for a RIS reader on a Chinese Windows system:
GB18030 bytes, Chinese title/abstract/keywords, the English title (when the
journal prints one) in ``TT``, two-digit issues ("05") and the CNKI detail URL.
The ``.net`` file follows the NoteExpress layout CNKI writes (UTF-8,
``{Field}: value``, authors joined by ";", keywords by ";;").
"""

from __future__ import annotations

from samplegen.model import Pub

KNS = "https://kns.cnki.net/kcms/detail/detail.aspx?FileName={}&DbName=CJFDLAST{}"


def ris_record(pub: Pub) -> list[str]:
    j = pub.journal
    out = ["TY  - JOUR"]
    out += [f"AU  - {a.zh}" for a in pub.authors]
    if pub.affiliation_zh:
        out.append(f"AD  - {pub.affiliation_zh}")
    out.append(f"TI  - {pub.title_zh}")
    if pub.title:  # the English title the journal prints, when there is one
        out.append(f"TT  - {pub.title}")
    out += [f"JO  - {j.zh}", f"PY  - {pub.year}", f"VL  - {pub.volume}",
            f"IS  - {int(pub.issue):02d}", f"SP  - {pub.first_page}"]
    if pub.last_page:
        out.append(f"EP  - {pub.last_page}")
    out += [f"KW  - {k}" for k in pub.keywords_zh]
    if pub.abstract_zh:
        out.append(f"AB  - {pub.abstract_zh}")
    out.append(f"SN  - {j.issn}")
    if pub.doi:
        out.append(f"DO  - {pub.doi}")
    out += ["LA  - 中文", "DB  - CNKI", f"UR  - {KNS.format(pub.ids['cnki'], pub.year)}", "ER  - "]
    return out


def render_ris(pubs: list[Pub]) -> bytes:
    text = "".join("\r\n".join(ris_record(p)) + "\r\n\r\n" for p in pubs)
    return text.encode("gb18030")


def net_record(pub: Pub) -> list[str]:
    j = pub.journal
    pages = f"{pub.first_page}-{pub.last_page}" if pub.last_page else pub.first_page
    out = ["{Reference Type}: Journal Article", f"{{Title}}: {pub.title_zh}",
           "{Author}: " + "".join(f"{a.zh};" for a in pub.authors)]
    if pub.affiliation_zh:
        out.append(f"{{Author Address}}: {pub.affiliation_zh};")
    out += [f"{{Journal}}: {j.zh}", f"{{Year}}: {pub.year}", f"{{Issue}}: {int(pub.issue):02d}",
            f"{{Pages}}: {pages}", "{Keywords}: " + ";;".join(pub.keywords_zh)]
    if pub.abstract_zh:
        out.append(f"{{Abstract}}: {pub.abstract_zh}")
    out += [f"{{ISBN/ISSN}}: {j.issn}", "{Database Provider}: CNKI"]
    return out


def render_net(pubs: list[Pub]) -> str:
    return "".join("\n".join(net_record(p)) + "\n\n\n" for p in pubs)
