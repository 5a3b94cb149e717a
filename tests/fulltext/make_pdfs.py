"""Small PDFs made in the tests (reportlab): English, Chinese, image-only.

Chinese text uses reportlab's built-in Adobe CID font (STSong-Light): the PDF
names the font without embedding it, so no CJK font file is needed to make the
fixture and pypdf still extracts the characters (UniGB-UCS2 encoding).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def make_pdf(path: Path, pages: list[list[str]], *, title: str | None = None,
             subject: str | None = None, font: str = "Helvetica") -> Path:
    """A PDF whose page i shows the lines pages[i] (an empty list: a blank page)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4)
    if title:
        c.setTitle(title)
    if subject:
        c.setSubject(subject)
    for lines in pages:
        c.setFont(font, 11)
        y = 800
        for line in lines:
            c.drawString(50, y, line)
            y -= 16
        c.showPage()
    c.save()
    return path


def make_image_only(path: Path) -> Path:
    """A 'scanned' page: shapes, no text at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(20):
        c.rect(50, 780 - i * 30, 400, 12, fill=1)
    c.showPage()
    c.save()
    return path


def body(n: int = 30) -> list[str]:
    return [f"Line {i} of the methods: patients were randomised to two groups." for i in range(n)]
