"""Matching keys derived from a :class:`~reviewflow.records.Record`.

Databases disagree on capitalisation, punctuation, accents, full-width CJK
characters, author formats, journal abbreviations and page formats. Matching
compares these normalised forms only; the original record is never altered,
so the merged record can still pick the best *original* values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

from reviewflow.records import Record
from reviewflow.trial_registry import registration_of, trial_ids

_BRACKETED = re.compile(r"^\s*\[(.*)\]\s*\.?\s*$", re.S)
_LANG_TAG = re.compile(
    r"[\[(]\s*(chinese|english|german|french|spanish|japanese|russian|italian|portuguese|"
    r"korean|polish|dutch|czech|hungarian|turkish|swedish|norwegian|danish|finnish|greek|"
    r"hebrew|croatian|serbian|slovak|slovenian|romanian|bulgarian|ukrainian|lithuanian|"
    r"estonian|latvian|persian|arabic|thai|vietnamese|indonesian|icelandic|catalan|"
    r"article in [a-z ]+|author'?s transl?|"
    r"in process citation|published erratum[^\])]*)\s*[\])]",
    re.I,
)
# '[Review] [39 refs]', '[Erratum appears in ...]', '[see comments]' added by databases
_ANNOTATION = re.compile(r"\[[^\]]*\]|\((?:vol|see|erratum|comment|retract)[^)]*\)")
# MEDLINE translated titles: '[Title in English] LA: Chi'; Embase '<ORIGINAL> ...'
_LEADING_BRACKET = re.compile(r"^\[([^\]]{20,})\]")
_LANG_SUFFIX = re.compile(r"\bla:\s*\w+\.?\s*$")
_ORIGINAL = re.compile(r"<\s*original\s*>")
_NAME_PUNCT = re.compile(r"[^\w\s.]")
_SPACES = re.compile(r"\s+")
_PAGE_LISTS = re.compile(r"[,+;]")
_PAGE_COUNT = re.compile(r"^\d+(?:p|pp|pages?)\.?$")
_EXCEL_DM = re.compile(r"^(\d{1,2})-([a-z]{3})$")
_EXCEL_MD = re.compile(r"^([a-z]{3})-(\d{1,2})$")
_LEADING_NUMBER = re.compile(r"^(\d+)\b")
_SUPPL_NUMBER = re.compile(r"^(?:suppl\w*|supplement)\.?\s*(\d+)")
_PARENS = re.compile(r"\(.*?\)")
_BRACKETS = re.compile(r"\[.*?\]")
_SUPPL = re.compile(r"suppl")
_SUPPL_PAGE = re.compile(r"^s\d+")
_SUPPL_ISSUE = re.compile(r"^\s*(?:\d+\s*)?s\s?\d+\b")  # issue 'S2', '8 S1': a supplement
_HTML = re.compile(r"<[^>]{1,20}>")
_NON_WORD = re.compile(r"[^\w]+", re.U)
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"^(?:i{1,3}|iv|v|vi{1,3}|ix|x)$")
_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*)", re.I)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}

# Title words that say the record is a notice about another record, not the study.
_NOTICE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("retraction", re.compile(r"^(retraction|retracted|notice of retraction|withdrawn|撤稿)")),
    ("erratum", re.compile(r"^(erratum|errata|corrigendum|correction|author correction|"
                           r"publisher correction|更正|勘误)")),
    ("comment", re.compile(r"^(comment on|commentary on|response to|reply to|reply|"
                           r"in reply|letter to the editor|re:|authors? reply|评论)")),
]
# Notices that only a title suffix gives away. Web of Science: 'Title (vol 48, pg 277, 2017)'
# (a correction), '(Retraction of vol 5, pg 1, 2019)'; Embase: 'Title (Journal (2009) 360
# (542-544))'. Note that WoS's '(Retracted article. See vol ...)' marks the retracted
# article itself, not a notice: it is stripped as an annotation instead.
_NOTICE_SUFFIXES: list[tuple[str, re.Pattern[str]]] = [
    ("retraction", re.compile(r"\(\s*retraction (?:of|note)\b[^)]*\)\s*\.?\s*$")),
    ("erratum", re.compile(r"\(\s*vol\.?\s*\d+\s*,[^)]*\b(?:pg|art\.?\s*no)\b[^)]*\)\s*\.?\s*$")),
    ("erratum", re.compile(r"\(\s*vol\.?\s*\d+\s*,\s*[\w.]+\s*,\s*(?:19|20)\d\d\s*\)\s*\.?\s*$")),
    ("erratum", re.compile(r"\([^()]*\(\s*\d{4}\s*\)\s*\d+[^()]*(?:\([^()]*\))?\s*\)\s*\.?\s*$")),
]
# What a notice says before the title of the record it concerns ('Correction to: ...').
_NOTICE_PREFIX = re.compile(
    r"^(?:notice of retraction|retraction notice|retraction note|retraction|retracted article|"
    r"retracted|withdrawn|erratum|errata|corrigendum|author correction|publisher correction|"
    r"correction|更正|勘误|撤稿)(?:\s+(?:to|of|for|in|on|notice))*\s+"
)
_CONF_WORDS = re.compile(
    r"\b(conference|congress|meeting|symposium|workshop|annual scientific|abstracts?|"
    r"proceedings|inproceedings|cpaper|poster|conf)\b",
    re.I,
)
_NOT_CONF = re.compile(r"proceedings of the (national academy|royal society)|proc natl acad", re.I)
_JOURNAL_STOP = {"the", "of", "and", "in", "for", "on", "de", "la", "le", "des", "der", "und",
                 "journal", "j"}
_TITLE_STOP = {"a", "an", "the", "of", "and", "in", "on", "for", "to", "with", "by", "at"}


@dataclass(slots=True)
class Norm:
    """Normalised view of one record, used only for matching."""

    idx: int
    title: str = ""
    title_key: str = ""
    title_numbers: tuple[str, ...] = ()
    alt_title: str = ""
    surnames: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)
    name_words: list[frozenset[str]] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    journal_tokens: tuple[str, ...] = ()
    volume: str = ""
    issue: str = ""
    issue_numbers: tuple[str, ...] = ()
    page_start: str = ""
    page_end: str = ""
    doi: str = ""
    pmid: str = ""
    notice: str = ""
    conference: bool = False
    supplement: bool = False
    full_paper: bool = False
    n_fields: int = 0
    abstract: str = ""  # raw; folded only for the few pairs that need it
    registration: str = ""  # the trial number when the record *is* a register entry
    cited_trials: frozenset[str] = frozenset()  # trial numbers the record mentions


def fold(text: str | None) -> str:
    """NFKC (full-width -> half-width), strip Latin accents, casefold, drop HTML tags."""
    if not text:
        return ""
    if text.isascii():
        return _HTML.sub(" ", text).lower() if "<" in text else text.lower()
    text = _HTML.sub(" ", unicodedata.normalize("NFKC", text))
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text.casefold().replace("ß", "ss")


def norm_title(text: str | None) -> str:
    """Title words only: translated-title brackets and language tags removed."""
    text = fold(text).strip().strip('"').strip()
    if "<" in text:
        text = _ORIGINAL.split(text, maxsplit=1)[0]
    if "[" in text or "(" in text:
        text = _LANG_TAG.sub(" ", text).strip()
        match = _BRACKETED.match(text) or _LEADING_BRACKET.match(text)
        if match:
            text = match.group(1)
        text = _ANNOTATION.sub(" ", text)
    if "la:" in text:
        text = _LANG_SUFFIX.sub("", text)
    if "'" in text or "’" in text:
        text = text.replace("'", "").replace("’", "")
    words = _NON_WORD.sub(" ", text).replace("_", " ").split()
    return " ".join(words)


_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8,
                 "ix": 9, "x": 10}
_NUMBERED = {"part", "phase", "type", "study", "trial", "series", "stage", "grade", "class"}


def title_numbers(title: str) -> tuple[str, ...]:
    """Numbers in a title ('Part II' counts as 2): 'Part 1' and 'Part 2' are different papers."""
    nums = [str(int(n)) for n in _DIGITS.findall(title) if len(n) < 9]
    words = title.split()
    if _NUMBERED.isdisjoint(words):
        return tuple(sorted(nums))
    for prev, word in zip(words, words[1:], strict=False):
        if prev in _NUMBERED and _ROMAN.match(word):
            nums.append(str(_ROMAN_VALUES[word]))
    return tuple(sorted(nums))


def norm_doi(doi: str | None) -> str:
    """Lower-case DOI without resolver prefix; '' when it is not a DOI."""
    if not doi:
        return ""
    doi = _DOI_PREFIX.sub("", doi.strip())
    doi = doi.split()[0] if doi.strip() else ""
    doi = (unquote(doi) if "%" in doi else doi).rstrip(".,;:").lower()
    if doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;:")  # '(doi: 10.1000/xyz).' pasted with its bracket
    return doi if doi.startswith("10.") and "/" in doi else ""


@lru_cache(maxsize=200_000)
def split_author(name: str) -> tuple[str, str, frozenset[str]]:
    """(surname, first initial, all name words) from 'Family, Given', 'Family G.' or 'Given Family'.

    The name words let 'Altenried, Moritz' match 'Moritz, Altenried' and
    'Xiaoguang, Wang' match 'Wang, X.' (family and given names swapped by a
    database, common with transliterated Chinese names).
    """
    name = fold(name).replace("-", " ").replace("'", "")
    if "," in name:
        family, _, given = name.partition(",")
    else:
        family, given = _split_plain_name(_NAME_PUNCT.sub(" ", name).split())
    family = "".join(_NON_WORD.sub(" ", family).split())
    given_words = _NON_WORD.sub(" ", given).split()
    initial = given_words[0][0] if given_words else ""
    words = frozenset([family] + [w for w in given_words if len(w) > 2])
    return family, initial, words


def _split_plain_name(parts: list[str]) -> tuple[str, str]:
    """'Adeli K.' -> (adeli, k); 'Jon D Elhai' -> (elhai, jon d)."""
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    tail = parts[-1].replace(".", "")
    if len(tail) <= 2 or "." in parts[-1]:
        return " ".join(parts[:-1]), parts[-1]
    if all(len(p.replace(".", "")) <= 2 for p in parts[1:]):
        return parts[0], " ".join(parts[1:])
    return parts[-1], " ".join(parts[:-1])


@lru_cache(maxsize=100_000)
def norm_pages(pages: str | None) -> tuple[str, str]:
    """(first, last) page; expands '221-8' to 221..228 and Excel's '01-Jul' to 1..7."""
    if not pages:
        return "", ""
    text = fold(pages).replace("--", "-").replace("–", "-").replace("—", "-")
    text = _SPACES.sub("", text)
    if text in {"na", "n/a", "-", "none", "unknown"} or _PAGE_COUNT.match(text):
        return "", ""  # '215 p' is how long a thesis is, not where it is
    excel = _EXCEL_DM.match(text) or _EXCEL_MD.match(text)
    if excel:
        a, b = excel.groups()
        if a.isdigit() and b in _MONTHS:
            return str(int(a)), str(_MONTHS[b])
        if b.isdigit() and a in _MONTHS:
            return str(_MONTHS[a]), str(int(b))
    if "," in text or "+" in text or ";" in text:
        # several ranges ('532, 534-536, 538-540', listed in any order by the databases
        # of a trilingual journal): the lowest first page and the highest last one
        ranges = [norm_pages(p) for p in _PAGE_LISTS.split(text.strip('"')) if p]
        ranges = [(start, end or start) for start, end in ranges if start]
        if ranges and all(start.isdigit() and end.isdigit() for start, end in ranges):
            return (min((start for start, _ in ranges), key=int),
                    max((end for _, end in ranges), key=int))
        first = ranges[0][0] if ranges else ""
        return first, ranges[-1][1] if len(ranges) > 1 else ""
    first, _, last = text.partition("-")
    first = first.lstrip("0") or first
    last = last.lstrip("0") or last
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


@lru_cache(maxsize=100_000)
def _number(value: str | None) -> str:
    """Leading number of a volume/issue; '' for missing or mangled values like '1)'."""
    text = fold(value).strip()
    if not text or text in {"na", "unknown", "n/a"}:
        return ""
    if text.count(")") > text.count("("):
        return ""
    match = _LEADING_NUMBER.match(text)
    if match:
        return str(int(match.group(1)))
    suppl = _SUPPL_NUMBER.match(text)
    if suppl:
        return "s" + str(int(suppl.group(1)))
    return "" if _DIGITS.search(text) else text


def _volume(record: Record) -> str:
    """Volume number; a 'volume' equal to the year ('2016 May') is a date, not a volume."""
    volume = _number(record.volume)
    return "" if record.year and volume == str(record.year) else volume


@lru_cache(maxsize=100_000)
def norm_journal(journal: str | None) -> str:
    text = fold(journal)
    text = text.split("=")[0]
    text = _PARENS.sub(" ", _BRACKETS.sub(" ", text))
    text = text.replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def _notice(title: str, raw_title: str) -> str:
    """Erratum/retraction/comment, judged from the title (prefix or database suffix).

    Publication types ('Editorial', 'Letter', 'Published Erratum') are not
    used: only some databases export them, so the same record would look like
    a notice in one export and an article in another.
    """
    for kind, pattern in _NOTICE_PATTERNS:
        if pattern.match(title):
            return kind
    if raw_title.rstrip().endswith(")"):
        for kind, pattern in _NOTICE_SUFFIXES:
            if pattern.search(raw_title):
                return kind
    return ""


def _cut_citation(raw_title: str) -> str:
    """A notice title without the citation of the article it concerns.

    Drops a trailing '(...)' holding a year or 'vol', and a trailing '(' that
    a database cut short ('... syndrome (The Journal of Pediatrics (M').
    """
    text = raw_title.rstrip(" .")
    depth, cut = 0, -1
    for pos in range(len(text) - 1, -1, -1):
        char = text[pos]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                cut = pos  # unmatched: a truncated citation
            else:
                depth -= 1
                if depth == 0 and pos > 0 and text.endswith(")") and _cites(text[pos:]):
                    return text[:pos]
                if depth == 0:
                    break
    return text[:cut] if cut > 0 else text


def _cites(fragment: str) -> bool:
    return bool(re.search(r"\b(?:1[89]|20)\d\d\b|\bvol\b|\bpg\b", fragment))


def notice_core(raw_title: str | None) -> str:
    """The title of the record a correction or retraction notice concerns."""
    folded = fold(raw_title)
    title = norm_title(_cut_citation(folded)) if folded else ""
    return _NOTICE_PREFIX.sub("", title, count=1) or title


def _year(record: Record) -> int | None:
    year = record.year
    return year if year and 1000 < year < 3000 else None


def normalise(record: Record, idx: int) -> Norm:
    """Build the matching view of *record* (index *idx* in the input list)."""
    title = norm_title(record.title)
    notice = _notice(title, fold(record.title))
    if notice in ("erratum", "retraction"):
        # two notices of one correction match on what they concern, not on their wording
        title = notice_core(record.title)
    alt = norm_title(record.translated_title)
    if not title and alt:
        title, alt = alt, ""
    authors = [split_author(a) for a in record.authors if a and a.strip()]
    authors = [a for a in authors if a[0]]
    first, last = norm_pages(record.pages)
    journal, journal_tokens, conference, suppl_venue = _venue(
        record.journal, record.publication_type, record.volume, record.issue)
    norm = Norm(
        idx=idx,
        title=title,
        title_key=title.replace(" ", ""),
        title_numbers=title_numbers(title),
        alt_title=alt,
        surnames=[a[0] for a in authors],
        initials=[a[1] for a in authors],
        name_words=[a[2] for a in authors],
        year=_year(record),
        journal=journal,
        journal_tokens=journal_tokens,
        volume=_volume(record),
        issue=_number(record.issue),
        issue_numbers=tuple(str(int(d)) for d in _DIGITS.findall(record.issue or "")[:4]),
        page_start=first,
        page_end=last,
        doi=norm_doi(record.doi),
        pmid=_number(record.pmid),
        notice=notice,
        conference=conference,
        supplement=suppl_venue or bool(_SUPPL_PAGE.match(first)),
        abstract=record.abstract or "",
        registration=registration_of(record.accession, record.url, record.journal),
        cited_trials=trial_ids(record.title, record.abstract, *record.keywords),
    )
    norm.full_paper = _full_paper(norm)
    norm.n_fields = sum(bool(v) for v in (title, authors, norm.year, journal, norm.volume,
                                          first, norm.doi))
    return norm


@lru_cache(maxsize=50_000)
def _venue(journal: str | None, pubtype: str | None, volume: str | None, issue: str | None
           ) -> tuple[str, tuple[str, ...], bool, bool]:
    """(journal, journal words, is a meeting, is a supplement); venues repeat, so cached."""
    name = norm_journal(journal)
    tokens = tuple(t for t in name.split() if t not in _JOURNAL_STOP)
    conf_source = fold(" ".join(filter(None, [journal, pubtype])))
    conference = bool(_CONF_WORDS.search(conf_source)) and not _NOT_CONF.search(conf_source)
    supplement = bool(_SUPPL.search(fold(" ".join(filter(None, [journal, volume, issue]))))
                      or _SUPPL_ISSUE.match(fold(issue or "")))
    return name, tokens, conference, supplement


def _full_paper(norm: Norm) -> bool:
    """A regular article: a real page range (2+ pages) outside any supplement/meeting issue."""
    if norm.conference or norm.supplement:
        return False
    first, last = norm.page_start, norm.page_end
    return first.isdigit() and last.isdigit() and int(last) > int(first)


def title_words(title: str) -> set[str]:
    return {w for w in title.split() if w not in _TITLE_STOP}
