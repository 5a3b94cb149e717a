"""Chinese names in pinyin, exactly as pypinyin reads them, without its phrase dictionary.

pypinyin reads a word's characters from its phrase dictionary where one applies
(李朝阳 is li zhao yang, not the chao a lone 朝 would give), but loading that
dictionary (47,000 phrases, parsed and indexed at import) takes longer than the
0.3 s ``same-study`` may take to list its suggestions (issue 22), and a name can
only use the few entries that are pieces of it. So pypinyin is imported without
its phrases (``PYPINYIN_NO_PHRASES``, for that import only) and each name first
gets, from the dictionary's own file, the entries pypinyin could consult for it:
every phrase that is a piece of the name, and for every piece that begins a
longer phrase, one such phrase (pypinyin's word splitting stops at a piece no
phrase begins with). pypinyin then splits and reads the name as it would with the
whole dictionary: the same syllables (tests/linking/test_pinyin.py compares them).

The file holds one phrase a line, sorted (pypinyin writes it so; the test checks
the installed one), so an entry is found by bisecting the file's bytes. Anything
else (pypinyin already loaded whole, a file laid out otherwise) reads the names
with the whole dictionary, as before. Nothing else in reviewflow may import
pypinyin: it would find the phrases this module did not need missing.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

_MARK = b'": [\n'  # ends the line of each phrase in phrases_dict.json
_HEAD = b'{\n"'


class PhraseFile:
    """Lookups in pypinyin's ``phrases_dict.json`` (its bytes, never parsed whole)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def _entry_at(self, pos: int) -> tuple[int, bytes] | None:
        """(position of its mark, phrase) of the first entry whose mark is at ``pos`` or
        later; None past the last."""
        mark = self.data.find(_MARK, pos)
        if mark < 0:
            return None
        start = self.data.rfind(b'\n"', 0, mark) + 2
        return mark, self.data[start:mark]

    def first_from(self, phrase: str) -> tuple[str, Any] | None:
        """The first entry (phrase, readings) at or after ``phrase`` in sorted order."""
        target = phrase.encode()  # UTF-8 bytes sort as the characters do
        lo, hi = 0, len(self.data)
        while lo < hi:  # the first position whose next entry is >= target
            mid = (lo + hi) // 2
            found = self._entry_at(mid)
            if found is None or found[1] >= target:
                hi = mid
            else:
                lo = found[0] + 1
        found = self._entry_at(lo)
        if found is None:
            return None
        mark, key = found
        window = self.data[mark + len(_MARK) - 2:mark + 4096].decode("utf-8", "ignore")
        value, _ = json.JSONDecoder().raw_decode(window)
        return key.decode(), value

    def entries_for(self, text: str) -> dict[str, Any]:
        """The entries pypinyin's word splitting could consult for ``text``: each phrase
        that is a piece of it, and one phrase beginning with each piece that begins
        one (the splitting goes on while a piece begins a phrase)."""
        out: dict[str, Any] = {}
        for i in range(len(text)):
            for j in range(i + 1, len(text) + 1):
                piece = text[i:j]
                found = self.first_from(piece)
                if found is None or not found[0].startswith(piece):
                    break  # no phrase begins with it: nor with anything longer
                out[found[0]] = found[1]  # the piece itself when it is a phrase
        return out


@cache
def _reader() -> tuple[Any, PhraseFile | None]:
    """pypinyin's module, and its phrase file when the phrases were left out of it."""
    if "pypinyin" in sys.modules:  # loaded already (whole, as far as we know)
        import pypinyin

        return pypinyin, None
    before = os.environ.get("PYPINYIN_NO_PHRASES")
    os.environ["PYPINYIN_NO_PHRASES"] = "1"
    try:
        import pypinyin
    finally:
        if before is None:
            del os.environ["PYPINYIN_NO_PHRASES"]
        else:
            os.environ["PYPINYIN_NO_PHRASES"] = before
    data = (Path(pypinyin.__file__).parent / "phrases_dict.json").read_bytes()
    if not data.startswith(_HEAD) or _MARK not in data[:200]:
        _load_all(pypinyin)  # not the layout bisecting needs: the whole dictionary
        return pypinyin, None
    phrases = PhraseFile(data)
    first = phrases.first_from("")
    assert first is not None
    _add(pypinyin, dict([first]))  # never empty, so pypinyin splits words as it would
    return pypinyin, phrases


def _load_all(pypinyin: Any) -> None:
    from pypinyin import phrases_dict

    _add(pypinyin, phrases_dict.phrases_dict)


def _add(pypinyin: Any, entries: dict[str, Any]) -> None:
    """Entries into pypinyin's phrase dictionary and its word splitter's prefixes (only
    the new ones: ``load_phrases_dict`` would retrain on every entry each time)."""
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg import mmseg

    new = {k: v for k, v in entries.items() if k not in PHRASES_DICT}
    PHRASES_DICT.update(new)
    mmseg.seg.train(new)


def syllables(text: str) -> list[str] | None:
    """``text`` in toneless pinyin, one item a character (pypinyin's ``lazy_pinyin``);
    None without pypinyin installed."""
    try:
        pypinyin, phrases = _reader()
    except ImportError:
        return None
    if phrases is not None:
        _add(pypinyin, phrases.entries_for(text))
    return [p.lower() for p in pypinyin.lazy_pinyin(text)]
