"""Chinese names read without pypinyin's whole phrase dictionary give the same keys.

Each reading runs in a fresh interpreter, as a command does: once through
:mod:`reviewflow.linking.pinyin` (the phrases a name needs, found in the file),
once with pypinyin loaded whole first (how names were read before), and once with
no phrases at all (``PYPINYIN_NO_PHRASES``, which misreads names such as 李朝阳):
the first two must agree on every name, and the names must include some the
third misreads, or the comparison would prove nothing.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reviewflow.linking.pinyin import PhraseFile

REPO = Path(__file__).resolve().parents[2]
SPEC = importlib.util.find_spec("pypinyin")  # a required dependency: absent is a failure
assert SPEC is not None and SPEC.submodule_search_locations, "pypinyin is not installed"
PHRASES = Path(SPEC.submodule_search_locations[0]) / "phrases_dict.json"
SURNAMES = "王李张刘陈杨黄赵周吴"

KEYS = """
import json, sys
{first}
from reviewflow.linking.names import name_key
keys = [sorted(name_key(n)) for n in json.load(sys.stdin)]
import pypinyin.constants
print(json.dumps({{"keys": keys, "phrases": len(pypinyin.constants.PHRASES_DICT),
                   "whole": "pypinyin.phrases_dict" in sys.modules}}, ensure_ascii=False))
"""


def _keys(names: list[str], first: str = "", **env: str) -> dict:
    out = subprocess.run([sys.executable, "-c", KEYS.format(first=first)], cwd=REPO,
                         input=json.dumps(names), capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO), **env}, check=True)
    return json.loads(out.stdout)


def _compare(names: list[str]) -> int:
    """Check the names' keys agree with the whole dictionary's; how many of them the
    phrase-free reading gets wrong."""
    ours = _keys(names)
    whole = _keys(names, first="import pypinyin")
    bare = _keys(names, first="import pypinyin", PYPINYIN_NO_PHRASES="1")
    assert whole["whole"] and not ours["whole"]
    assert ours["phrases"] < whole["phrases"] // 10  # the ones it needed, not all 47,000
    wrong = [(n, a, b) for n, a, b in zip(names, ours["keys"], whole["keys"], strict=True)
             if a != b]
    assert wrong == []
    return sum(a != b for a, b in zip(whole["keys"], bare["keys"], strict=True))


def test_every_entry_of_the_phrase_file_is_found() -> None:
    """Bisecting the file's bytes finds every phrase with its readings, and for a piece
    that is no phrase, the phrase that sorts next (what the word splitting asks)."""
    whole = json.loads(PHRASES.read_text(encoding="utf-8"))
    keys = sorted(whole)
    assert list(whole) == keys  # the file is sorted: what bisecting relies on
    phrases = PhraseFile(PHRASES.read_bytes())
    for key, value in whole.items():
        assert phrases.first_from(key) == (key, value), key
        piece = key[:-1]
        at = bisect.bisect_left(keys, piece)
        assert phrases.first_from(piece) == (keys[at], whole[keys[at]]), piece
    assert phrases.first_from(keys[-1] + "一") is None


def test_names_made_of_phrases_read_as_with_the_whole_dictionary() -> None:
    """Two-character phrases as given names after common surnames (every 40th of them),
    李朝阳, and three characters that each begin a longer phrase without being one while
    the last two are a phrase (pypinyin then reads all three alone: its word splitting
    ran to the end of the text on pieces that begin phrases): the same keys as before."""
    whole = json.loads(PHRASES.read_text(encoding="utf-8"))
    given = [k for k in whole if len(k) == 2]
    names = ["李朝阳"] + [SURNAMES[i % len(SURNAMES)] + g for i, g in enumerate(given[::40])]
    names += sorted({k[:3] for k in whole if len(k) >= 4 and k[1:3] in whole
                     and not {k[:1], k[:2], k[:3]} & whole.keys()})
    assert _compare(names) >= 20


def test_real_chinese_author_names_read_as_with_the_whole_dictionary(corpus: Path) -> None:
    """Every Chinese author name in the corpus's CNKI and Wanfang exports."""
    from reviewflow.importers.api import read_file

    folder = corpus / "exports" / "chinese"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not in this corpus")
    names = sorted({a for f in sorted(folder.iterdir()) for r in read_file(f).records
                    for a in r.authors if re.search(r"[\u3400-\u9fff]", a)})
    assert len(names) > 150
    _compare(names + ["李朝阳"])
