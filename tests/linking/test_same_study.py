"""Same study, two reports: suggestions across languages, confirmed by a person."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.linking.names import name_key, same_person
from reviewflow.linking.suggest import LinkReason, LinkRecord, arm_sizes, suggest_links
from reviewflow.prisma.derive import prisma_counts
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import add_reviewer, vote

ZH = LinkRecord(1, "脐带间充质干细胞治疗系统性红斑狼疮的随机对照试验",
                "Umbilical cord mesenchymal stem cells for systemic lupus erythematosus: "
                "a randomized controlled trial", ("张伟", "李娜", "王芳"), 2019,
                "目的 观察疗效。注册号 ChiCTR-IPR-15006290。", (), "chi")
EN = LinkRecord(2, "Umbilical cord MSC transplantation in systemic lupus erythematosus: "
                "a randomised controlled trial", None, ("Zhang, Wei", "Li, Na", "Wang, Fang"),
                2020, "Registered at ChiCTR-IPR-15006290.")
OTHER = LinkRecord(3, "Bone marrow stem cells for knee osteoarthritis", None, ("Smith, J",), 2019)
ZH_OTHER = LinkRecord(4, "骨髓干细胞治疗膝骨关节炎", "Bone marrow cells in knee arthritis",
                      ("陈明",), 2012)


def test_names_across_transliteration_and_order() -> None:
    assert name_key("张伟") == name_key("Zhang Wei") == name_key("Wei Zhang")
    assert name_key("Zhang, Wei") == frozenset({"zhang", "wei"})
    assert name_key("张晓明") == name_key("Xiao-Ming Zhang") == name_key("Zhang, Xiaoming")
    assert same_person(name_key("Zhang, W"), name_key("张伟"))
    assert not same_person(name_key("Zhang, Wei"), name_key("Zhang, Li"))
    assert not same_person(name_key("Wang, Fang"), name_key("Zhang, Wei"))


def test_reports_of_one_trial_suggested_with_their_reasons() -> None:
    (s,) = suggest_links([ZH, EN, OTHER, ZH_OTHER])
    assert (s.a, s.b) == (1, 2)
    assert set(s.reasons) == {LinkReason.SAME_REGISTRATION, LinkReason.ENGLISH_TITLE,
                              LinkReason.AUTHORS}
    assert suggest_links([ZH, EN], skip=frozenset({(1, 2)})) == []
    assert suggest_links([EN, OTHER]) == []  # one language: dedup's business, not this


def test_each_rule_alone() -> None:
    only_reg = LinkRecord(5, "某研究", None, ("赵六",), 2015, "ChiCTR-IPR-15006290")
    (s,) = suggest_links([only_reg, EN])
    assert s.reasons == (LinkReason.SAME_REGISTRATION,)
    only_title = LinkRecord(6, "脐带研究", EN.title, ("赵六",), 2020)
    (s,) = suggest_links([only_title, LinkRecord(2, EN.title, None, ("Zhang, Wei",), 2020)])
    assert s.reasons == (LinkReason.ENGLISH_TITLE,)
    far = LinkRecord(7, "脐带研究", EN.title, ("赵六",), 2010)  # ten years apart
    assert suggest_links([far, LinkRecord(2, EN.title, None, (), 2020)]) == []


def test_arm_sizes_from_extracted_values() -> None:
    values = [("outcome/vas/arm/treat/n", "22"), ("outcome/vas/arm/ctrl/n", "20"),
              ("outcome/ae/arm/treat/n", "24"), ("outcome/ae/arm/ctrl/n", None),
              ("outcome/vas/arm/treat/mean", "31.5"), ("study/sample_size", "44")]
    assert arm_sizes(values) == (20, 24)  # largest n per arm, sorted
    assert arm_sizes([("outcome/vas/arm/treat/n", "22"), ("outcome/vas/arm/ctrl/n", "x")]) == ()


def test_equal_arm_sizes_and_close_years_with_a_close_title() -> None:
    zh = LinkRecord(10, "脐带间充质干细胞治疗系统性红斑狼疮",
                    "Umbilical cord mesenchymal stem cells for systemic lupus erythematosus",
                    ("赵六",), 2019, arm_sizes=(20, 24))
    en = LinkRecord(11, "Cord-derived mesenchymal stem cells in lupus nephritis", None,
                    ("Smith, J",), 2020, arm_sizes=(20, 24))
    (s,) = suggest_links([zh, en])
    assert s.reasons == (LinkReason.ARM_SIZES,)
    assert s.evidence() == "same number randomised in each arm: 20/24"
    assert suggest_links([zh, LinkRecord(**{**en.__dict__, "arm_sizes": (20, 25)})]) == []
    assert suggest_links([zh, LinkRecord(**{**en.__dict__, "arm_sizes": ()})]) == []
    assert suggest_links([zh, LinkRecord(**{**en.__dict__, "year": 2023})]) == []
    # Same arms, titles sharing only the review's topic words: not enough on its own.
    assert suggest_links([zh, LinkRecord(**{**en.__dict__, "title": OTHER.title})]) == []
    # Beside another reason the equal arms are shown as more evidence.
    (s,) = suggest_links([LinkRecord(**{**ZH.__dict__, "arm_sizes": (20, 24)}),
                          LinkRecord(**{**EN.__dict__, "arm_sizes": (20, 24)})])
    assert s.reasons[-1] == LinkReason.ARM_SIZES and len(s.reasons) == 4


RIS = """TY  - JOUR
TI  - 脐带间充质干细胞治疗系统性红斑狼疮的随机对照试验
TT  - Umbilical cord mesenchymal stem cells for systemic lupus erythematosus: a randomized trial
AU  - 张伟
AU  - 李娜
PY  - 2019
LA  - chi
ER  - 

TY  - JOUR
TI  - Umbilical cord MSC transplantation in systemic lupus erythematosus: a randomised trial
AU  - Zhang, Wei
AU  - Li, Na
PY  - 2020
LA  - eng
ER  - 
"""


def test_cli_link_makes_one_study_with_two_reports(review_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ris = tmp_path / "two.ris"
    ris.write_text(RIS, encoding="utf-8")
    assert runner.invoke(app, ["--review", str(review_dir), "import", str(ris),
                               "--database", "CNKI"]).exit_code == 0
    out = runner.invoke(app, ["--review", str(review_dir), "same-study"]).output
    assert "related: same study?  records 1 and 2" in out
    assert "same authors across transliteration" in out and "[chi]" in out
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--link", "1", "2",
                              "--reviewer", "ann"])
    assert res.exit_code == 0 and "one study (Zhang 2020)" in res.output
    out = runner.invoke(app, ["--review", str(review_dir), "same-study"]).output
    assert "No reports to link" in out
    with Store.open(load_config(review_dir).database_url()) as store:
        a, b = add_reviewer(store, "ann").id, add_reviewer(store, "bob").id
        for rid in (1, 2):
            for who in (a, b):
                for stage in (TITLE_ABSTRACT, FULL_TEXT):
                    vote(store, record_id=rid, stage=stage, reviewer_id=who,
                         decision="include")
        with store.session() as s:
            counts = prisma_counts(s)
    assert (counts.included_studies, counts.included_reports) == (1, 2)  # never merged
    assert counts.identity_errors() == []
    from reviewflow.extraction.studies import list_studies

    with Store.open(load_config(review_dir).database_url()) as store:
        assert [(st.label, set(st.record_ids)) for st in list_studies(store)] == [
            ("Zhang 2020", {1, 2})]
    # Reports linked into a fresh study can be taken apart again, append-only.
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--unlink", "1", "2",
                              "--reviewer", "ann"])
    assert res.exit_code == 0 and "two studies again" in res.output, res.output
    with Store.open(load_config(review_dir).database_url()) as store, store.session() as s:
        counts = prisma_counts(s)
    assert (counts.included_studies, counts.included_reports) == (2, 2)
    assert counts.identity_errors() == []
    with Store.open(load_config(review_dir).database_url()) as store:
        studies = [(st.label, st.record_ids) for st in list_studies(store)]
    assert len(studies) == 2 and ("Zhang 2020", (2,)) in studies
    out = runner.invoke(app, ["--review", str(review_dir), "same-study"]).output
    assert "records 1 and 2" not in out  # a person said so: never suggested again


def test_cli_reject_is_remembered(review_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ris = tmp_path / "two.ris"
    ris.write_text(RIS, encoding="utf-8")
    runner.invoke(app, ["--review", str(review_dir), "import", str(ris), "--database", "CNKI"])
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--reject", "2", "1",
                              "--reviewer", "ann"])
    assert res.exit_code == 0
    assert "No reports to link" in runner.invoke(
        app, ["--review", str(review_dir), "same-study"]).output
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--link", "1", "1"])
    assert res.exit_code == 1 and "itself" in str(res.exception)


def test_two_extracted_studies_suggested_by_arm_sizes_then_merged(review_dir: Path,
                                                                  tmp_path: Path) -> None:
    from reviewflow.extraction.studies import list_studies
    from reviewflow.extraction.values import reconcile
    from tests.extraction.forms import form_now, new_study, save_values

    runner = CliRunner()
    ris = tmp_path / "two.ris"
    ris.write_text(RIS, encoding="utf-8")
    assert runner.invoke(app, ["--review", str(review_dir), "import", str(ris),
                               "--database", "CNKI"]).exit_code == 0
    with Store.open(load_config(review_dir).database_url()) as store:
        form_id, form = form_now(store, review_dir)
        ann, bob = add_reviewer(store, "ann").id, add_reviewer(store, "bob").id
        for rid, label in ((1, "Zhang 2019"), (2, "Zhang 2020")):
            sid = new_study(store, label, [rid]).id
            for who in (ann, bob):
                save_values(store, form, form_id, int(who or 0),
                           [(sid, "outcome/response/arm/treat/n", "22"),
                            (sid, "outcome/response/arm/ctrl/n", "21"),
                            (sid, "study/country", "China")])
                for stage in (TITLE_ABSTRACT, FULL_TEXT):
                    vote(store, record_id=rid, stage=stage, reviewer_id=int(who or 0),
                         decision="include")
        with store.session() as s:
            assert prisma_counts(s).included_studies == 2
    out = runner.invoke(app, ["--review", str(review_dir), "same-study"]).output
    assert "same number randomised in each arm: 21/22" in out
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--link", "1", "2",
                              "--reviewer", "ann"])
    assert res.exit_code == 0 and "one study (Zhang 2020)" in res.output
    with Store.open(load_config(review_dir).database_url()) as store:
        assert [(st.label, st.record_ids) for st in list_studies(store)] == [
            ("Zhang 2020", (2, 1))]
        assert list(reconcile(store).values) == ["Zhang 2020"]
        with store.session() as s:
            counts = prisma_counts(s)
    assert (counts.included_studies, counts.included_reports) == (1, 2)
    assert counts.identity_errors() == []
    res = runner.invoke(app, ["--review", str(review_dir), "history", "1", "--json", "--as", "ann"])
    events = [json.loads(line) for line in res.output.splitlines()]
    mine = [(e["kind"], e["who"], e["detail"]) for e in events if "stud" in e["kind"]]
    (link,) = [e for e in events if e["kind"] == "same study"]
    assert "same number randomised in each arm: 21/22" in link["reason"]  # the evidence kept
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--unlink", "2", "1",
                              "--reviewer", "bob"])
    assert res.exit_code == 0 and "two studies again ('Zhang 2019'" in res.output
    with Store.open(load_config(review_dir).database_url()) as store:
        assert [(st.label, st.record_ids) for st in list_studies(store)] == [
            ("Zhang 2019", (1,)), ("Zhang 2020", (2,))]
        with store.session() as s:
            assert prisma_counts(s).included_studies == 2
    assert "No reports to link" in runner.invoke(
        app, ["--review", str(review_dir), "same-study"]).output  # a person decided
    res = runner.invoke(app, ["--review", str(review_dir), "same-study", "--unlink", "1", "2"])
    assert res.exit_code == 1 and "not one study" in str(res.exception)
    assert sorted(mine) == [("same study", "ann", "one study with record 2"),
                            ("study merge", "ann", "study 'Zhang 2019' merged into 'Zhang 2020'")]
