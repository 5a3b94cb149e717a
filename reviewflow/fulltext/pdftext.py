"""Reading a PDF's text, page by page, once.

pypdf rather than pdfplumber or PyMuPDF: pypdf is pure Python under a BSD
licence, so it installs everywhere without a compiler and brings nothing the
project's MIT-style licence cannot carry; PyMuPDF is AGPL (every user of a
tool bundling it would be bound by it), and pdfplumber sits on pdfminer.six,
which is slower and gives the same text for the purposes here (finding
identifiers and titles, showing pages to a reviewer). Layout-exact extraction
is not needed: a reviewer reads the PDF itself with ``o``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from reviewflow.errors import ReviewflowError

# Pages read when matching: titles and DOIs sit on the first page, or the second
# after a publisher's cover page (Taylor & Francis, BMC provisional PDFs).
FIRST_PAGES = 3
# Below this share of ordinary characters a page's text layer is mojibake (a
# custom font encoding): shown as "garbled" rather than as real text.
MIN_ORDINARY_SHARE = 0.5
# Ordinary: ASCII letters, digits and punctuation, CJK, Greek and Cyrillic. Mojibake
# is mostly Latin-1 symbols, modifier letters and control characters; accented
# letters are left out so that it cannot pass, and Spanish or French text (a few
# per cent accented) stays far above the line.
_ORDINARY = re.compile(r"[\x21-\x7e\u0370-\u04ff\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class TextLayer(StrEnum):
    """Whether a PDF's pages carry usable text."""

    YES = "yes"
    NONE = "none"  # scanned: images only
    GARBLED = "garbled"  # a text layer that extracts as mojibake


@dataclass(frozen=True)
class PdfText:
    """What one PDF says: its pages' text and its metadata strings."""

    sha256: str
    size: int
    pages: tuple[str, ...]
    info_title: str | None
    metadata_text: str  # Info dictionary values and the XMP packet, for identifiers
    text_layer: TextLayer

    @property
    def first_pages(self) -> str:
        return "\n".join(self.pages[:FIRST_PAGES])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ordinary_share(text: str) -> float:
    stripped = "".join(text.split())
    if not stripped:
        return 1.0
    return len(_ORDINARY.findall(stripped)) / len(stripped)


def text_layer_of(pages: tuple[str, ...]) -> TextLayer:
    """YES when some page has readable text; GARBLED when text exists but is mojibake."""
    texts = [p for p in pages if p.strip()]
    if not texts:
        return TextLayer.NONE
    if any(_ordinary_share(p) >= MIN_ORDINARY_SHARE for p in texts):
        return TextLayer.YES
    return TextLayer.GARBLED


def _metadata(reader) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    title = None
    try:
        info = reader.metadata or {}
        for key, value in info.items():
            parts.append(str(value))
            if key == "/Title" and str(value).strip():
                title = str(value).strip()
    except Exception:  # noqa: BLE001 - broken metadata must not lose the text
        pass
    try:
        xmp = reader.trailer["/Root"].get("/Metadata")
        if xmp is not None:
            parts.append(xmp.get_object().get_data().decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001
        pass
    return title, "\n".join(parts)


def read_pdf(path: Path) -> PdfText:
    """Read ``path``'s text; a file pypdf cannot open is a one-line user error."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings are not the user's
    try:
        reader = PdfReader(path)
        pages = []
        for page in reader.pages:
            try:
                pages.append((page.extract_text() or "").replace("\x00", ""))
            except Exception:  # noqa: BLE001 - one bad page keeps the others
                pages.append("")
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise ReviewflowError(f"{path}: not a readable PDF ({exc})") from exc
    title, meta = _metadata(reader)
    page_texts = tuple(pages)
    return PdfText(sha256=sha256_of(path), size=path.stat().st_size, pages=page_texts,
                   info_title=title, metadata_text=meta, text_layer=text_layer_of(page_texts))
