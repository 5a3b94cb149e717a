"""Which record a PDF belongs to: evidence per record, then one verdict per PDF.

Pure: plain record keys and PDF facts in, frozen verdicts out. The rules are
small named functions returning enums, so the bench, the CLI and the tests all
see the same reasons. A match is CERTAIN only when exactly one record has strong
evidence; anything else a person sees (``fulltext match --review``). One PDF is
never given to two records, and two PDFs for one record are never attached
silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz

from reviewflow.fulltext.identifiers import (
    FileName,
    doi_prefixes,
    dois_in,
    family_key,
    parse_file_name,
    pmids_in,
    squash,
)

MIN_TITLE_CHARS = 20  # a squashed title shorter than this ("Editorial") proves nothing
MIN_CJK_TITLE_CHARS = 8  # eight Chinese characters carry as much as twenty letters
TITLE_STRONG = 92.0  # partial_ratio of the title against the first pages
TITLE_WEAK = 80.0
TITLE_AGREES = 60.0  # a DOI on the page counts when the title is there at least this well
FILE_TITLE_AGREES = 90.0
MIN_FILE_TITLE_CHARS = 15


class Evidence(StrEnum):
    DOI_ON_PAGE = "DOI on the first pages"
    DOI_IN_METADATA = "DOI in the PDF metadata"
    DOI_LATER_PAGE = "DOI on a later page"
    DOI_IN_FILE_NAME = "DOI in the file name"
    PMID_ON_PAGE = "PMID on the first pages"
    PMID_IN_FILE_NAME = "PMID file name"
    TITLE_ON_PAGE = "title on the first pages"
    TITLE_SIMILAR = "similar title on the first pages"
    FILE_NAME = "author, year and title in the file name"


class Verdict(StrEnum):
    CERTAIN = "certain"
    DOUBTFUL = "doubtful"
    UNMATCHED = "unmatched"


class Doubt(StrEnum):
    WEAK_EVIDENCE = "weak evidence only"
    SEVERAL_RECORDS = "several records fit"
    TWO_PDFS_ONE_RECORD = "another PDF fits the same record"
    RECORD_HAS_PDF = "the record already has a PDF"


@dataclass(frozen=True)
class RecordKey:
    """What matching needs of a record."""

    record_id: int
    title: str | None = None
    translated_title: str | None = None
    doi: str | None = None
    pmid: str | None = None
    first_author: str | None = None  # "Family, Given"
    year: int | None = None


@dataclass(frozen=True)
class PdfFacts:
    """What matching needs of a PDF."""

    key: str  # the caller's handle (sha256 or path)
    first_pages: str
    later_pages: str
    metadata_text: str
    file_name: FileName


@dataclass(frozen=True)
class Candidate:
    record_id: int
    evidence: tuple[Evidence, ...]
    title_score: float
    strong: bool


@dataclass(frozen=True)
class Match:
    pdf: str
    verdict: Verdict
    record_id: int | None = None  # the record, when CERTAIN
    candidates: tuple[Candidate, ...] = ()
    doubt: Doubt | None = None


def _min_chars(title_sq: str) -> int:
    cjk = sum(1 for ch in title_sq if "\u3400" <= ch <= "\u9fff")
    return MIN_CJK_TITLE_CHARS if cjk * 2 > len(title_sq) else MIN_TITLE_CHARS


def _anchors(title_sq: str) -> tuple[str, ...]:
    """Three pieces of the squashed title: cheap to test before the fuzzy score."""
    n = len(title_sq)
    size = max(4, n // 6)
    return tuple(title_sq[i : i + size] for i in (0, n // 2 - size // 2, n - size))


@dataclass
class _Title:
    record_id: int
    squashed: str
    anchors: tuple[str, ...]


@dataclass
class RecordIndex:
    """Records indexed by DOI, PMID, first author and year, and squashed title."""

    records: Sequence[RecordKey]
    by_doi: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_doi_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_pmid: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_author_year: dict[tuple[str, int], set[int]] = field(
        default_factory=lambda: defaultdict(set))
    titles: list[_Title] = field(default_factory=list)
    by_id: dict[int, RecordKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.records:
            self.by_id[r.record_id] = r
            if r.doi:
                self.by_doi[r.doi.lower()].add(r.record_id)
                self.by_doi_key[squash(r.doi)].add(r.record_id)
            if r.pmid:
                self.by_pmid[r.pmid].add(r.record_id)
            if r.first_author and r.year:
                self.by_author_year[(family_key(r.first_author), r.year)].add(r.record_id)
            for title in (r.title, r.translated_title):
                sq = squash(title)
                if len(sq) >= _min_chars(sq):
                    self.titles.append(_Title(r.record_id, sq, _anchors(sq)))


def _doi_hits(index: RecordIndex, text: str) -> set[int]:
    hits: set[int] = set()
    for found in dois_in(text):
        for doi in doi_prefixes(found):
            if doi in index.by_doi:
                hits |= index.by_doi[doi]
                break
    return hits


def title_scores(index: RecordIndex, page_text: str) -> dict[int, float]:
    """Each record whose title (or English title) appears on the page, with a 0-100 score."""
    page = squash(page_text)
    scores: dict[int, float] = {}
    if not page:
        return scores
    for t in index.titles:
        if t.squashed in page:
            score = 100.0
        elif sum(a in page for a in t.anchors) >= 2:
            score = fuzz.partial_ratio(t.squashed, page, score_cutoff=TITLE_AGREES)
        else:
            continue
        if score and score > scores.get(t.record_id, 0.0):
            scores[t.record_id] = score
    return scores


def _file_name_hits(index: RecordIndex, name: FileName) -> dict[int, Evidence]:
    hits: dict[int, Evidence] = {}
    if name.pmid:
        hits.update(dict.fromkeys(index.by_pmid.get(name.pmid, ()), Evidence.PMID_IN_FILE_NAME))
    if name.doi_key:
        hits.update(dict.fromkeys(index.by_doi_key.get(name.doi_key, ()),
                                  Evidence.DOI_IN_FILE_NAME))
    if name.author and name.year and name.title:
        wanted = squash(name.title)
        if len(wanted) >= MIN_FILE_TITLE_CHARS:
            for rid in index.by_author_year.get((name.author, name.year), ()):
                record = index.by_id[rid]
                best = max(fuzz.partial_ratio(wanted, squash(t))
                           for t in (record.title, record.translated_title) if t) \
                    if (record.title or record.translated_title) else 0.0
                if best >= FILE_TITLE_AGREES:
                    hits.setdefault(rid, Evidence.FILE_NAME)
    return hits


def _is_strong(evidence: set[Evidence], title: float) -> bool:
    """The rule table: which evidence alone, or with the title, names the record."""
    if evidence & {Evidence.DOI_IN_METADATA, Evidence.DOI_IN_FILE_NAME,
                   Evidence.PMID_IN_FILE_NAME, Evidence.FILE_NAME}:
        return True
    if evidence & {Evidence.DOI_ON_PAGE, Evidence.PMID_ON_PAGE}:
        return title >= TITLE_AGREES
    if Evidence.DOI_LATER_PAGE in evidence:
        return title >= TITLE_WEAK
    return title >= TITLE_STRONG


def candidates_for(index: RecordIndex, pdf: PdfFacts) -> list[Candidate]:
    """Every record some evidence points at, strongest first."""
    evidence: dict[int, set[Evidence]] = defaultdict(set)
    for rid in _doi_hits(index, pdf.first_pages):
        evidence[rid].add(Evidence.DOI_ON_PAGE)
    for rid in _doi_hits(index, pdf.metadata_text):
        evidence[rid].add(Evidence.DOI_IN_METADATA)
    for rid in _doi_hits(index, pdf.later_pages[-6000:]):  # the last page's citation line
        evidence[rid].add(Evidence.DOI_LATER_PAGE)
    for pmid in pmids_in(pdf.first_pages):
        for rid in index.by_pmid.get(pmid, ()):
            evidence[rid].add(Evidence.PMID_ON_PAGE)
    for rid, ev in _file_name_hits(index, pdf.file_name).items():
        evidence[rid].add(ev)
    scores = title_scores(index, pdf.first_pages)
    for rid, score in scores.items():
        if score >= TITLE_WEAK:
            evidence[rid].add(Evidence.TITLE_ON_PAGE if score == 100.0 else Evidence.TITLE_SIMILAR)
    out = [Candidate(rid, tuple(sorted(ev, key=list(Evidence).index)), scores.get(rid, 0.0),
                     _is_strong(ev, scores.get(rid, 0.0)))
           for rid, ev in evidence.items()]
    return sorted(out, key=lambda c: (not c.strong, -len(c.evidence), -c.title_score,
                                      c.record_id))


def match_pdf(index: RecordIndex, pdf: PdfFacts) -> Match:
    """The verdict for one PDF on its own (before looking at the other PDFs)."""
    found = candidates_for(index, pdf)
    strong = [c for c in found if c.strong]
    if len(strong) == 1:
        return Match(pdf.key, Verdict.CERTAIN, strong[0].record_id, tuple(found))
    if strong:
        return Match(pdf.key, Verdict.DOUBTFUL, None, tuple(strong), Doubt.SEVERAL_RECORDS)
    if found:
        return Match(pdf.key, Verdict.DOUBTFUL, None, tuple(found[:3]), Doubt.WEAK_EVIDENCE)
    return Match(pdf.key, Verdict.UNMATCHED)


def _doubt(match: Match, why: Doubt) -> Match:
    """A certain match held back: only its record is offered (not the weak also-rans)."""
    strong = tuple(c for c in match.candidates if c.strong)
    return Match(match.pdf, Verdict.DOUBTFUL, None, strong, why)


def match_all(records: Iterable[RecordKey], pdfs: Iterable[PdfFacts],
              has_pdf: frozenset[int] = frozenset()) -> list[Match]:
    """Verdicts for every PDF; a record two PDFs claim, or one that has a PDF, is doubtful."""
    index = RecordIndex(list(records))
    matches = [match_pdf(index, pdf) for pdf in pdfs]
    claims: dict[int, int] = defaultdict(int)
    for m in matches:
        if m.verdict is Verdict.CERTAIN and m.record_id is not None:
            claims[m.record_id] += 1
    out = []
    for m in matches:
        if m.verdict is Verdict.CERTAIN and claims[m.record_id or 0] > 1:
            m = _doubt(m, Doubt.TWO_PDFS_ONE_RECORD)
        elif m.verdict is Verdict.CERTAIN and m.record_id in has_pdf:
            m = _doubt(m, Doubt.RECORD_HAS_PDF)
        out.append(m)
    return out


def facts_from(key: str, file_name: str, first_pages: str, later_pages: str,
               metadata_text: str) -> PdfFacts:
    """The facts of one PDF, its file name read in the reference-manager patterns."""
    stem = file_name.rsplit("/", 1)[-1]
    stem = stem[:-4] if stem.lower().endswith(".pdf") else stem
    return PdfFacts(key, first_pages, later_pages, metadata_text, parse_file_name(stem))
