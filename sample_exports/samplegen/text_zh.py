"""Chinese titles, abstracts and keywords for CNKI records."""

from __future__ import annotations

from samplegen.diseases import DISEASES, OUTCOME_ZH, SOURCES
from samplegen.model import Arm, Trial

COMPARATOR_ZH = {
    "hyaluronic acid": "玻璃酸钠", "conventional therapy": "常规治疗",
    "standard therapy": "常规免疫抑制治疗",
    "hydroxychloroquine": "羟氯喹", "saline placebo": "生理盐水安慰剂", "placebo": "安慰剂",
    "mesalazine": "美沙拉嗪", "DMARDs alone": "改善病情抗风湿药", "cyclophosphamide": "环磷酰胺",
    "NSAIDs": "非甾体抗炎药",
}


TITLES_ZH = ["{src}间充质干细胞移植治疗{d}的随机对照研究",
             "{src}间充质干细胞治疗{d}的临床疗效及安全性",
             "{src}来源间充质干细胞移植对{d}患者疾病活动度的影响"]


def trial_title_zh(t: Trial) -> str:
    d = DISEASES[t.disease]
    src = SOURCES[t.cell_source][1]
    pick = sum(map(ord, t.study_key)) % len(TITLES_ZH)
    return TITLES_ZH[pick].format(src=src, d=d.zh)


TITLES_EN = [  # the English titles the journals print beside TITLES_ZH, in the same order
    "Randomized controlled study of {src} mesenchymal stem cell transplantation for {d}",
    "Clinical efficacy and safety of {src} mesenchymal stem cells in the treatment of {d}",
    "Effect of {src}-derived mesenchymal stem cell transplantation on disease activity in "
    "patients with {d}",
]


def trial_title_en_translated(t: Trial) -> str:
    pick = sum(map(ord, t.study_key)) % len(TITLES_EN)
    return TITLES_EN[pick].format(src=t.cell_source, d=DISEASES[t.disease].name)


def _result_zh(a: Arm) -> str:
    name = OUTCOME_ZH[a.outcome]
    if a.kind == "dichotomous":
        return (f"治疗组{name}为{a.events_treat}/{a.n_treat},对照组为{a.events_ctrl}/{a.n_ctrl}。")
    when = a.timepoint.replace(" months", "个月")
    return (f"治疗后{when}治疗组{name}为({a.mean_treat}±{a.sd_treat}),"
            f"对照组为({a.mean_ctrl}±{a.sd_ctrl})。")


def trial_abstract_zh(t: Trial) -> str:
    d = DISEASES[t.disease]
    src = SOURCES[t.cell_source][1]
    a = t.arms[0]
    comp = COMPARATOR_ZH[t.comparator]
    results = "".join(_result_zh(x) for x in t.arms)
    return (
        f"目的 探讨{src}间充质干细胞(MSC)移植治疗{d.zh}的疗效及安全性。"
        f"方法 将{a.n_treat + a.n_ctrl}例{d.zh}患者随机分为治疗组({a.n_treat}例)"
        f"和对照组({a.n_ctrl}例),"
        f"治疗组给予{src}MSC移植,对照组给予{comp},随访{t.follow_up_months}个月。"
        f"结果 {results}两组均未见严重不良反应。"
        f"结论 {src}间充质干细胞移植治疗{d.zh}安全有效,值得临床进一步研究。"
    )


def trial_keywords_zh(t: Trial) -> list[str]:
    return ["间充质干细胞", DISEASES[t.disease].zh, "随机对照试验", f"{SOURCES[t.cell_source][1]}"]


IRRELEVANT_ZH = [  # (title, abstract, keywords, category)
    ("间充质干细胞治疗自身免疫性疾病的研究进展",
     "间充质干细胞具有免疫调节和组织修复功能。本文综述了间充质干细胞在类风湿关节炎、系统性红斑"
     "狼疮及炎症性肠病中的"
     "研究进展,并讨论了其临床应用面临的问题。",
     ["间充质干细胞", "自身免疫性疾病", "综述"], "review"),
    ("脐带间充质干细胞对胶原诱导性关节炎大鼠的治疗作用",
     "目的 观察脐带间充质干细胞对胶原诱导性关节炎(CIA)大鼠的作用。方法 将40只SD大鼠随机分为4组…"
     "…结果 MSC组关节"
     "肿胀评分降低。结论 脐带MSC可减轻CIA大鼠关节炎症。",
     ["间充质干细胞", "关节炎", "大鼠"], "animal"),
    ("骨髓间充质干细胞外泌体对葡聚糖硫酸钠诱导小鼠结肠炎的影响",
     "目的 探讨骨髓MSC来源外泌体对DSS诱导结肠炎小鼠的作用及机制。方法 C57BL/6小鼠随机分组……结果"
     " 外泌体组疾病活动"
     "指数下降。结论 MSC外泌体可减轻小鼠结肠炎。",
     ["外泌体", "结肠炎", "小鼠"], "animal"),
    ("膝骨关节炎患者的护理干预效果观察",
     "目的 观察综合护理干预对膝骨关节炎患者疼痛及生活质量的影响。方法 选取86例患者随机分为两组…"
     "…结论 综合护理干预"
     "可改善患者疼痛。",
     ["膝骨关节炎", "护理", "生活质量"], "other intervention"),
    ("富血小板血浆关节腔注射治疗膝骨关节炎的临床疗效",
     "目的 评价富血小板血浆(PRP)关节腔注射治疗膝骨关节炎的疗效。方法 120例患者随机分为PRP组和玻"
     "璃酸钠组……结论 "
     "PRP可有效缓解膝关节疼痛。",
     ["富血小板血浆", "膝骨关节炎"], "other intervention"),
    ("间充质干细胞治疗肝硬化的临床研究",
     "目的 观察脐带间充质干细胞治疗失代偿期肝硬化的疗效。方法 60例患者随机分组……结论 MSC可改善"
     "肝功能。",
     ["间充质干细胞", "肝硬化"], "other disease"),
    ("系统性红斑狼疮患者外周血调节性T细胞的变化及意义",
     "目的 检测系统性红斑狼疮患者外周血调节性T细胞比例。方法 采用流式细胞术检测68例患者……结论 "
     "调节性T细胞减少与"
     "疾病活动相关。",
     ["系统性红斑狼疮", "调节性T细胞"], "other intervention"),
    ("间充质干细胞治疗类风湿关节炎的Meta分析",
     "目的 系统评价间充质干细胞治疗类风湿关节炎的有效性。方法 计算机检索中英文数据库……结论 现有"
     "证据提示MSC可能降低"
     "疾病活动度,但需更多高质量研究。",
     ["间充质干细胞", "类风湿关节炎", "Meta分析"], "review"),
    ("脂肪间充质干细胞的分离培养及成软骨分化研究",
     "目的 建立人脂肪间充质干细胞分离培养方法并诱导其成软骨分化。方法 ……结论 脂肪MSC具有良好的"
     "成软骨潜能。",
     ["脂肪间充质干细胞", "软骨分化", "体外"], "in vitro"),
    ("间充质干细胞治疗新型冠状病毒肺炎重症患者的疗效观察",
     "目的 观察间充质干细胞治疗重症新型冠状病毒肺炎的疗效。方法 ……结论 MSC治疗安全,可能改善氧合。",
     ["间充质干细胞", "新型冠状病毒肺炎"], "other disease"),
]
