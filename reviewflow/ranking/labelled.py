"""Reading a labelled screening set (``title,abstract,label_included`` CSV).

These files come from other tools (ASReview's dataset repository, CAMARADES,
exports edited in Excel), so the reader is forgiving about encoding (UTF-8 with
or without BOM, else cp1252), line endings (CRLF, also inside quoted fields)
and label spelling (0/1, true/false, yes/no), and strict about what it cannot
guess: a missing required column or an unreadable label is an ``InputError``
naming the line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from reviewflow.errors import InputError
from reviewflow.wording import plural

REQUIRED = ("title", "abstract", "label_included")
_TRUE = {"1", "true", "yes", "y", "included", "include"}
_FALSE = {"0", "false", "no", "n", "excluded", "exclude"}


@dataclass(frozen=True)
class LabelledSet:
    """Texts and true labels of one labelled screening set, in file order."""

    name: str
    titles: list[str]
    abstracts: list[str]
    keywords: list[str]
    labels: list[int]

    def texts(self) -> list[str]:
        """Title, abstract and keywords joined: what the ranker reads."""
        return [
            " ".join(part for part in (t, a, k) if part)
            for t, a, k in zip(self.titles, self.abstracts, self.keywords, strict=True)
        ]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _label(value: str, path: str, line: int) -> int:
    text = value.strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    try:
        return 1 if float(text) >= 0.5 else 0
    except ValueError:
        raise InputError(path, line, f"label_included is {value!r}, expected 0 or 1") from None


def read_labelled_csv(path: str | Path) -> LabelledSet:
    """Parse a labelled CSV; raise :class:`InputError` if it cannot be used."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read file ({exc.strerror})") from None
    reader = csv.DictReader(io.StringIO(_decode(raw), newline=""))
    fields = {name.strip().lower(): name for name in (reader.fieldnames or [])}
    missing = [col for col in REQUIRED if col not in fields]
    if missing:
        raise InputError(str(path), 1,
                         f"{plural(len(missing), 'missing column')}: {', '.join(missing)}")
    titles: list[str] = []
    abstracts: list[str] = []
    keywords: list[str] = []
    labels: list[int] = []
    kw_col = fields.get("keywords")
    for row in reader:
        line = reader.line_num
        titles.append((row.get(fields["title"]) or "").strip())
        abstracts.append((row.get(fields["abstract"]) or "").strip())
        keywords.append((row.get(kw_col) or "").strip() if kw_col else "")
        labels.append(_label(row.get(fields["label_included"]) or "", str(path), line))
    if not labels:
        raise InputError(str(path), None, "no records")
    if sum(labels) == 0:
        raise InputError(str(path), None, "no record is labelled included (label_included=1)")
    return LabelledSet(path.stem, titles, abstracts, keywords, labels)
