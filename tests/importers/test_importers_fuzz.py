"""Every importer, fed mangled input, either reads it or refuses it with an InputError.

Seeds are small valid files in each format (written here, not copied from the
corpus); Hypothesis truncates them, splices in random bytes, duplicates or drops
lines and changes line endings. Whatever comes out, ``read_bytes`` must return a
ParseResult or raise :class:`reviewflow.errors.InputError` (a one-line message
naming the file): never another exception, which the CLI would show as a traceback.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewflow.errors import InputError
from reviewflow.importers import read_bytes
from reviewflow.importers.api import FORMATS
from reviewflow.records import ParseResult

SEEDS: dict[str, str] = {
    "ris": "TY  - JOUR\nTI  - Stem cells in knee osteoarthritis\nAU  - Smith, John\n"
           "PY  - 2019\nSP  - 12\nEP  - 9\nDO  - 10.5555/x.1\nER  - \n",
    "medline": "PMID- 99000001\nTI  - Stem cells in lupus: a randomized trial.\n"
               "FAU - Li, Wei\nAU  - Li W\nDP  - 2020 Mar\nPG  - 101-9\n"
               "LID - 10.5555/y.2 [doi]\nAB  - Background text\n      continued.\n",
    "ovid": "<1. >\nVN  - Ovid Technologies\nDB  - Embase\nUI  - 690000001\n"
            "TI  - Mesenchymal cells in Crohn disease\nAU  - Rossi M.\nYR  - 2018\n",
    "wos": "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Smith, J\n"
           "TI Stem cells for\n   systemic sclerosis\nSO ARTHRITIS RES\nPY 2021\nVL 3\n"
           "BP 10\nEP 19\nDI 10.5555/z.3\nER\n\nEF\n",
    "endnote_xml": "<xml><records><record><titles><title><style>Stem cells</style></title>"
                   "</titles><contributors><authors><author>Smith, J</author></authors>"
                   "</contributors><dates><year>2019</year></dates></record></records></xml>",
    "endnote_tagged": "%0 Journal Article\n%T Stem cells in MS\n%A Smith, John\n%D 2017\n"
                      "%J Neurology\n%P 1-8\n\n",
    "bibtex": "@article{smith2019,\n title={Stem cells in {OA}},\n author={Smith, John and "
              "Li, Wei},\n year={2019},\n journal={Rheumatology},\n pages={1--9}\n}\n",
    "noteexpress": "{Reference Type}: Journal Article\n{Title}: 间充质干细胞治疗狼疮\n"
                   "{Author}: 王伟;;李明\n{Year}: 2020\n{Journal}: 中华风湿病学杂志\n\n",
    "cnki_estudy": "DataType: 1\nTitle-题名: 间充质干细胞治疗类风湿关节炎\n"
                   "Author-作者: 张三;李四;\nSource-刊名: 中国组织工程研究\nYear-年: 2021\n",
    "pubmed_csv": "PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,"
                  "Create Date,PMCID,NIHMS ID,DOI\n99000002,Stem cells,\"Li W, Smith J\","
                  "Lupus. 2020;1:1-9,Li W,Lupus,2020,2020/01/01,,,10.5555/a.1\n",
    "scopus_csv": "Authors,Title,Year,Source title,Volume,Issue,Page start,Page end,DOI,EID\n"
                  "\"Smith J., Li W.\",Stem cells,2019,Rheumatology,3,2,1,9,10.5555/b.2,2-s2.0-1\n",
    "embase_csv": "Title,Author Names,Publication Year,Source,Volume,Issue,First Page,DOI\n"
                  "Stem cells,\"Smith J., Li W.\",2018,Gut,5,1,11,10.5555/c.3\n",
    "csv": "title,authors,year,doi\nStem cells in IBD,\"Smith, J; Li, W\",2022,10.5555/d.4\n",
}


def _mangle(data: bytes, draw_ops: list[tuple[str, int, bytes]]) -> bytes:
    for op, at, junk in draw_ops:
        at = at % (len(data) + 1)
        if op == "truncate":
            data = data[:at]
        elif op == "insert":
            data = data[:at] + junk + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + len(junk):]
        elif op == "double":
            data = data[:at] + data[at:] + data[at:]
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif op == "cr":
            data = data.replace(b"\n", b"\r")
        elif op == "utf16":
            data = data.decode("utf-8", "replace").encode("utf-16")
    return data


_ops = st.lists(st.tuples(
    st.sampled_from(["truncate", "insert", "delete", "double", "crlf", "cr", "utf16"]),
    st.integers(0, 10_000), st.binary(min_size=1, max_size=12)), max_size=4)

FUZZ_TRIED = {"n": 0}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(sorted(SEEDS)), ops=_ops,
       forced=st.sampled_from([None, *[f for f in FORMATS if f != "excel"]]))
def test_every_importer_reads_or_refuses(fmt: str, ops, forced: str | None) -> None:
    data = _mangle(SEEDS[fmt].encode("utf-8"), ops)
    FUZZ_TRIED["n"] += 1
    try:
        result = read_bytes(data, name=f"fuzz.{fmt}", format=forced)
    except InputError as exc:
        assert "fuzz." in str(exc) and "\n" not in str(exc).strip()
        return
    assert isinstance(result, ParseResult)
    for i, rec in enumerate(result.records, 1):
        assert rec.position == i


def test_seeds_are_valid_in_their_own_format() -> None:
    """The fuzz starts from real layouts: each seed reads as its format with one record."""
    for fmt, text in SEEDS.items():
        result = read_bytes(text.encode("utf-8"), name=f"seed.{fmt}", format=fmt)
        assert len(result.records) == 1, (fmt, result.warnings)
        assert result.records[0].title, fmt
