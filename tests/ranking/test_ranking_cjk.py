"""Chinese text for the ranking features: segmentation, and that it lets the model learn."""

from __future__ import annotations

import pytest

from reviewflow.ranking.cjk import has_cjk, segment
from reviewflow.ranking.model import Ranker, RankerConfig

RELEVANT = [
    "脐带间充质干细胞治疗膝骨关节炎的随机对照研究",
    "骨髓间充质干细胞移植治疗系统性红斑狼疮的临床疗效",
    "间充质干细胞治疗类风湿关节炎患者的随机对照试验",
]
IRRELEVANT = [
    "铁路物流服务方案评价指标研究",
    "城市竖向对下凹式立交桥积水风险的影响",
    "小学英语戏剧教学打开孩子语言天赋",
    "乳腺癌术后患者婚姻质量与负性情绪的相关性",
]


def test_bigrams_split_ideograph_runs_and_leave_other_text_alone() -> None:
    assert segment(["干细胞治疗"]) == [" 干细 细胞 胞治 治疗 "]
    assert segment(["MSC 干细胞 trial"]) == ["MSC  干细 细胞  trial"]
    assert segment(["癌"]) == [" 癌 "]
    english = ["Mesenchymal stem cells, a trial"]
    assert segment(english) == english  # no ideographs: unchanged, same list content
    assert segment(["干细胞"], "none") == ["干细胞"]
    assert has_cjk("abc 干") and not has_cjk("abc é")
    with pytest.raises(ValueError, match="segmentation"):
        segment(["干"], "magic")


def test_jieba_gives_words() -> None:
    pytest.importorskip("jieba")
    out = segment(["脐带间充质干细胞治疗膝骨关节炎"], "jieba")[0].split()
    assert "干细胞" in out and "治疗" in out


def _corpus() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for i in range(6):
        texts += [f"{t}{'第' + str(i)}" for t in RELEVANT]
        labels += [1] * len(RELEVANT)
        texts += [f"{t}{'卷' + str(i)}" for t in IRRELEVANT * 2]
        labels += [0] * (2 * len(IRRELEVANT))
    return texts, labels


@pytest.mark.parametrize("cjk", ["bigrams", "jieba"])
def test_segmented_chinese_ranks_relevant_first_where_whole_runs_cannot(cjk: str) -> None:
    if cjk == "jieba":
        pytest.importorskip("jieba")
    texts, labels = _corpus()
    known = {0: 1, len(RELEVANT): 0}
    rest = [i for i in range(len(texts)) if i not in known]
    n_top = sum(labels) - 1

    def hits(config: RankerConfig) -> int:
        order = Ranker(texts, config).fit(known).order(rest)
        return sum(labels[i] for i in order[:n_top])

    lr = RankerConfig(classifier="lr")
    # whole clauses are single tokens no other record shares: nothing to learn from
    assert hits(RankerConfig(classifier="lr", cjk="none")) < 0.5 * n_top
    assert hits(RankerConfig(classifier="lr", cjk=cjk)) == n_top
    assert lr.cjk == "bigrams"  # the default reads Chinese
