"""Merging two extracted studies that are one trial (issue 18): append-only, audited,
reversible, counted once, and never hiding a value a reviewer entered."""

from __future__ import annotations

import pytest
from extraction_data import TRIALS, trial_entries
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.form import parse_form
from reviewflow.extraction.rob import ROB1, reconcile_rob
from reviewflow.extraction.studies import list_studies
from reviewflow.extraction.values import progress, reconcile
from reviewflow.linking.merge import merge_studies, unmerge_study
from reviewflow.review_state import load_review_state
from reviewflow.store import models
from tests.extraction.forms import (
    form_now,
    input_of,
    new_study,
    save_judgements,
    save_values,
    settle_value,
)
from tests.screening.support import add_reviewer

pytestmark = pytest.mark.store
ZH = "Chen 2020 (zh)"


def _vas(form_text: str):
    return parse_analyses('[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "SMD"\n',
                          parse_form(form_text))[0]


def _extract(store, folder, label: str, who: str, trial: tuple, **changed: str) -> int:
    form_id, form = form_now(store, folder)
    sid = next((s.id for s in list_studies(store) if s.label == label), None)
    sid = sid or new_study(store, label).id
    entries = [(i, p, changed.get(p.replace("/", "_"), v)) for i, p, v in trial_entries(sid, trial)]
    save_values(store, form, form_id, int(add_reviewer(store, who).id or 0), entries)
    return sid


def _merge(store, keep: int, absorb: int, by: str = "ann") -> int:
    with store.write() as s:
        return merge_studies(keep, absorb, session=s, by=by)


def _unmerge(store, study: int) -> int:
    with store.write() as s:
        return unmerge_study(study, session=s, by="ann")


def _merge_rows(store) -> list[tuple[int, int, str, str]]:
    with store.session() as s:
        m = models.StudyMerge
        return [tuple(r) for r in s.exec(select(m.study_id, m.into_id, m.action, m.by)
                                         .order_by(m.id)).all()]


def test_identical_extractions_merge_count_once_and_unmerge_restores(extracted) -> None:
    folder, store, ids = extracted
    zh = _extract(store, folder, ZH, "alice", TRIALS["Chen 2020"])
    _extract(store, folder, ZH, "bob", TRIALS["Chen 2020"])
    text = (folder / "extraction_form.toml").read_text(encoding="utf-8")
    before = reconcile(store)
    assert len(input_of(store, _vas(text)).frame()) == 7  # counted twice
    assert _merge(store, ids["Chen 2020"], zh) == ids["Chen 2020"]
    df = input_of(store, _vas(text)).frame()
    assert list(df["study"]) == sorted(TRIALS)  # once
    assert ZH not in [s.label for s in list_studies(store)]
    assert ZH not in reconcile(store).values and not reconcile(store).discrepancies
    assert ZH not in [p.study for p in progress(store)]
    with store.session() as s:
        state = load_review_state(s)
    assert len(state.studies) == 6 and state.study_merges == {zh: ids["Chen 2020"]}
    assert _merge_rows(store) == [(zh, ids["Chen 2020"], "merge", "ann")]
    with pytest.raises(ReviewflowError, match="already one study"):
        _merge(store, zh, ids["Chen 2020"])
    assert _unmerge(store, zh) == ids["Chen 2020"]
    assert reconcile(store) == before  # every value back where it was
    assert len(input_of(store, _vas(text)).frame()) == 7
    with pytest.raises(ReviewflowError, match="not merged"):
        _unmerge(store, zh)


def test_one_reviewers_two_values_refuse_the_merge_naming_the_fields(extracted) -> None:
    folder, store, ids = extracted
    zh = _extract(store, folder, ZH, "alice", TRIALS["Chen 2020"],
                  outcome_pain_vas_arm_treat_n="26", study_country="China")
    with pytest.raises(ReviewflowError) as err:
        _merge(store, ids["Chen 2020"], zh)
    message = str(err.value)
    assert "2 fields" in message and "'Chen 2020 (zh)' into 'Chen 2020'" in message
    assert "outcome/pain_vas/arm/treat/n (alice: 25 / 26)" in message
    assert "study/country (alice: Spain / China)" in message
    assert _merge_rows(store) == []  # nothing written
    assert len(list_studies(store)) == 7


def test_two_reviewers_differing_become_a_discrepancy(extracted) -> None:
    folder, store, ids = extracted
    zh = _extract(store, folder, ZH, "carol", TRIALS["Chen 2020"], study_country="China")
    _merge(store, ids["Chen 2020"], zh)
    (d,) = reconcile(store).discrepancies
    assert (d.study, d.path) == ("Chen 2020", "study/country")
    assert d.values == {"alice": "Spain", "bob": "Spain", "carol": "China"}


def test_a_consensus_may_not_overrule_the_other_studys_value(extracted) -> None:
    folder, store, ids = extracted
    zh = _extract(store, folder, ZH, "carol", TRIALS["Chen 2020"], study_country="China")
    form_id, form = form_now(store, folder)
    carol = int(add_reviewer(store, "carol").id or 0)
    settle_value(store, form, form_id, study_id=ids["Chen 2020"], reviewer_id=carol,
            path="study/country", value="Spain")
    with pytest.raises(ReviewflowError, match=r"study/country \(consensus Spain / carol: China\)"):
        _merge(store, ids["Chen 2020"], zh)


def test_risk_of_bias_merges_and_clashes_like_values(extracted) -> None:
    _folder, store, ids = extracted
    alice = int(add_reviewer(store, "alice").id or 0)
    zh = new_study(store, ZH).id
    save_judgements(store, ROB1, alice, [(ids["Chen 2020"], "random_sequence", "low", None)])
    save_judgements(store, ROB1, alice, [(zh, "random_sequence", "high", None)])
    with pytest.raises(ReviewflowError, match=r"rob/rob1/-/random_sequence \(alice: low / high"):
        _merge(store, ids["Chen 2020"], zh)
    save_judgements(store, ROB1, alice, [(zh, "random_sequence", "low", None),
                                           (zh, "allocation_concealment", "unclear", None)])
    _merge(store, ids["Chen 2020"], zh)
    table = reconcile_rob(store, ROB1)
    assert {d for label, d, _ in table.discrepancies if label == "Chen 2020"} == {
        "random_sequence", "allocation_concealment"}  # alice alone: still one extractor
    assert not any(label == ZH for label, _, _ in table.discrepancies)


def test_cli_merge_and_unmerge(extracted) -> None:
    folder, store, ids = extracted
    _extract(store, folder, ZH, "alice", TRIALS["Chen 2020"])
    runner = CliRunner()
    res = runner.invoke(app, ["--review", str(folder), "extraction", "study", "merge",
                              "Chen 2020", ZH, "--reviewer", "ann"])
    assert res.exit_code == 0, res.output
    assert "'Chen 2020 (zh)' merged into 'Chen 2020'" in res.output
    out = runner.invoke(app, ["--review", str(folder), "extraction", "study", "list"]).output
    assert ZH not in out
    res = runner.invoke(app, ["--review", str(folder), "extraction", "set", ZH, "study/country",
                              "China", "--reviewer", "alice"])
    assert res.exit_code == 1
    assert "'Chen 2020 (zh)' is merged into 'Chen 2020': use that label" in str(res.exception)
    res = runner.invoke(app, ["--review", str(folder), "extraction", "study", "unmerge", ZH,
                              "--reviewer", "ann"])
    assert res.exit_code == 0 and "taken out of 'Chen 2020'" in res.output
    out = runner.invoke(app, ["--review", str(folder), "extraction", "study", "list"]).output
    assert ZH in out
    assert [r[2] for r in _merge_rows(store)] == ["merge", "unmerge"]


def test_racing_merges_never_make_a_cycle(extracted) -> None:
    """Two merges written past each other (A into B, B into A): the replay keeps the
    first, so neither study disappears from the lists."""
    from reviewflow.store.study_merges import study_merge_map

    _folder, store, ids = extracted
    a, b = ids["Alda 2018"], ids["Brun 2019"]
    with store.write() as s:
        s.add(models.StudyMerge(study_id=a, into_id=b, action="merge", by="ann"))
        s.add(models.StudyMerge(study_id=b, into_id=a, action="merge", by="bob"))
    with store.session() as s:
        assert study_merge_map(s) == {a: b}
    assert "Brun 2019" in [st.label for st in list_studies(store)]


def test_merges_chain_and_unmerge_one_link(extracted) -> None:
    folder, store, ids = extracted
    copies = {}
    for label in ("Chen zh", "Chen conf"):
        copies[label] = _extract(store, folder, label, "alice", TRIALS["Chen 2020"])
        _extract(store, folder, label, "bob", TRIALS["Chen 2020"])
    _merge(store, copies["Chen zh"], copies["Chen conf"])
    _merge(store, ids["Chen 2020"], copies["Chen zh"])  # with the conference abstract
    (chen,) = [s for s in list_studies(store) if s.label.startswith("Chen")]
    assert chen.label == "Chen 2020" and len(list_studies(store)) == 6
    _unmerge(store, copies["Chen zh"])
    assert sorted(s.label for s in list_studies(store) if s.label.startswith("Chen")) == [
        "Chen 2020", "Chen zh"]
    assert "Chen conf" not in reconcile(store).values  # still part of "Chen zh"
