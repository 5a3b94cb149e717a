"""Chinese (and Japanese/Korean ideograph) text made readable for the ranking features.

Chinese is written without spaces, so a word tokenizer reads a whole clause
(``脐带间充质干细胞治疗膝骨关节炎``) as one token that no other record shares: the
ranking cannot learn from Chinese records at all. Each run of CJK ideographs is
therefore rewritten as space-separated units before the features are built:

* ``"bigrams"`` (the default): overlapping character pairs (``脐带 带间 间充 ...``),
  the standard dictionary-free indexing of Chinese text (Lucene's CJKAnalyzer);
  a one-character run stays as it is;
* ``"jieba"``: words from the jieba segmenter (MIT; an optional dependency, the
  ``chinese`` extra), falling back to bigrams when it is not installed;
* ``"none"``: the text unchanged.

Text without ideographs is returned unchanged, so English records rank exactly
as before. Which of the two ranks better was measured on a Chinese-only and a
mixed labelled set (``bench/chinese_sets.py``; docs/ranking-experiments.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CJK_METHODS = ("bigrams", "jieba", "none")
# CJK Unified Ideographs, Extension A, and the compatibility block
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds at least one CJK ideograph."""
    return _RUN.search(text) is not None


def _bigrams(run: str) -> str:
    if len(run) < 2:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1))


def _jieba_cut():  # noqa: ANN202 - jieba's callable, or None when it is not installed
    try:
        import jieba
    except ImportError:
        return None
    jieba.setLogLevel(60)  # its dictionary-loading chatter goes to stderr otherwise
    return jieba.lcut


def segment(texts: Sequence[str], method: str = "bigrams") -> list[str]:
    """``texts`` with every CJK run split into units by ``method`` (see the module doc)."""
    if method not in CJK_METHODS:
        raise ValueError(f"unknown CJK segmentation {method!r}; choose from {CJK_METHODS}")
    if method == "none" or not any(has_cjk(t) for t in texts):
        return list(texts)
    cut = _jieba_cut() if method == "jieba" else None
    if cut is None:
        def unit(m: re.Match[str]) -> str:
            return f" {_bigrams(m.group())} "
    else:
        def unit(m: re.Match[str]) -> str:
            return " " + " ".join(w for w in cut(m.group()) if w.strip()) + " "
    return [_RUN.sub(unit, t) if has_cjk(t) else t for t in texts]
