"""Turn the bytes of a search export into text, whatever the database wrote.

Exports arrive as UTF-8 (with or without BOM), UTF-16 (Windows "Unicode" saves,
some EndNote exports), GB18030/GBK (CNKI and Wanfang when saved by Chinese
Windows) and Windows-1252 (old CSVs such as the ASySD labelled set). None of
them reliably declares its encoding, so we decide from the bytes themselves and
report what we chose; the choice is stored with the import for provenance.

Line endings (CRLF, LF, bare CR, or a mix) are all normalised to ``\\n`` here so
no reader has to care; a run of CRs directly before an LF counts as one break.
"""

from __future__ import annotations

import codecs
import re

_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
_CR_RUN_LF = re.compile(r"\r+\n")


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` with line endings normalised to ``\\n``.

    The encoding name is the one we used (``utf-8``, ``utf-8-sig``, ``utf-16-le``,
    ``utf-16-be``, ``gb18030`` or ``cp1252``).
    """
    text, encoding = _decode_raw(data)
    if "\r" in text:
        # A run of CRs before LF is one break: CNKI writes "\r\r\r\r\n" inside fields.
        text = _CR_RUN_LF.sub("\n", text).replace("\r", "\n")
    return text, encoding


def _decode_raw(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le", errors="replace"), "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return data[2:].decode("utf-16-be", errors="replace"), "utf-16-be"
    utf16 = _guess_bomless_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_like_gb(data):
        return data.decode("gb18030"), "gb18030"
    return _decode_cp1252(data), "cp1252"


def _guess_bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > 3 * max(even_nuls, 1):
        return "utf-16-le"
    if even_nuls > 3 * max(odd_nuls, 1):
        return "utf-16-be"
    return None


def _looks_like_gb(data: bytes) -> bool:
    """GB18030 when it decodes strictly and high bytes come in pairs/runs.

    Western cp1252 text has isolated high bytes (``caf\\xe9``); Chinese text is
    made of runs of two-byte characters. Both can decode as GB18030, so the run
    share is what tells them apart.
    """
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    high = len(_HIGH_BYTE.findall(data))
    if high == 0:
        return False
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(data))
    return in_runs / high >= 0.8


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("reviewflow-latin1", _latin1_fallback)


def _decode_cp1252(data: bytes) -> str:
    """cp1252 leaves five bytes undefined; map those as Latin-1 rather than fail."""
    return data.decode("cp1252", errors="reviewflow-latin1")


def is_probably_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in text that is not UTF-16."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _guess_bomless_utf16(
        sample
    ):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) // 20
