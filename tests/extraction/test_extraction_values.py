"""Dual extraction: latest value wins, field-by-field comparison, consensus, reconciliation."""

from __future__ import annotations

from sqlmodel import select

from reviewflow.extraction.studies import create_study, link_record, list_studies
from reviewflow.extraction.values import reconcile, resolve, set_value, set_values
from reviewflow.store import models
from tests.extraction.forms import form_now, new_study, save_values, settle_value
from tests.screening.support import add_reviewer


def _save_one(store, form, form_id, **where) -> str | None:
    """The TUI leaving a field: one transaction per field."""
    with store.write() as session:
        return set_value(session=session, form=form, form_id=form_id, **where)


def _link(store, label: str, record_id: int):
    """``extraction study link`` as one transaction."""
    with store.write() as session:
        return link_record(session=session, label=label, record_id=record_id)


def _setup(review):
    folder, store = review
    form_id, form = form_now(store, folder)
    sid = new_study(store, "Smith 2019").id
    a = int(add_reviewer(store, "alice").id or 0)
    b = int(add_reviewer(store, "bob").id or 0)
    return store, form_id, form, sid, a, b


def test_agreement_reconciles_and_difference_is_a_discrepancy(review) -> None:
    store, form_id, form, sid, a, b = _setup(review)
    path = "outcome/pain_vas/arm/treat/sd"
    save_values(store, form, form_id, a, [(sid, "study/country", "Spain"), (sid, path, "12")])
    save_values(store, form, form_id, b, [(sid, "study/country", "spain "), (sid, path, "21")])
    rec = reconcile(store)
    # text differs only by case? no: 'Spain' vs 'spain' differ, both must be listed
    paths = {d.path: d for d in rec.discrepancies}
    assert set(paths) == {"study/country", path}
    assert paths[path].values == {"alice": "12", "bob": "21"}
    _save_one(store, form, form_id, study_id=sid, reviewer_id=b, path="study/country",
              value="Spain")
    rec = reconcile(store)
    assert rec.values["Smith 2019"]["study/country"] == "Spain"
    assert [d.path for d in rec.discrepancies] == [path]


def test_consensus_settles_a_field_and_rows_are_append_only(review) -> None:
    store, form_id, form, sid, a, b = _setup(review)
    path = "outcome/pain_vas/arm/treat/mean"
    save_values(store, form, form_id, a, [(sid, path, "30")])
    save_values(store, form, form_id, b, [(sid, path, "31")])
    settle_value(store, form, form_id, study_id=sid, reviewer_id=a, path=path, value="30.0")
    rec = reconcile(store)
    assert rec.discrepancies == []
    assert rec.values["Smith 2019"][path] == "30.0"  # as the resolver typed it
    with store.session() as s:
        rows = s.exec(select(models.ExtractionValue)).all()
    assert len(rows) == 3 and sum(r.is_consensus for r in rows) == 1


def test_only_one_extractor_is_flagged_and_latest_value_wins(review) -> None:
    store, form_id, form, sid, a, _b = _setup(review)
    _save_one(store, form, form_id, study_id=sid, reviewer_id=a, path="study/dose", value="1e6")
    assert _save_one(store, form, form_id, study_id=sid, reviewer_id=a, path="study/dose",
                     value="2e6") == "2e6"
    # saving the same value again appends nothing
    _save_one(store, form, form_id, study_id=sid, reviewer_id=a, path="study/dose", value="2e6")
    with store.session() as s:
        assert len(s.exec(select(models.ExtractionValue)).all()) == 2
    (d,) = reconcile(store).discrepancies
    assert d.kind == "single" and d.values == {"alice": "2e6"}


def test_a_field_one_reviewer_left_empty_is_a_discrepancy(review) -> None:
    store, form_id, form, sid, a, b = _setup(review)
    save_values(store, form, form_id, a, [(sid, "study/country", "Spain"),
                                         (sid, "study/route", "intra-articular")])
    save_values(store, form, form_id, b, [(sid, "study/country", "Spain")])
    (d,) = reconcile(store).discrepancies
    assert d.path == "study/route" and d.values == {"alice": "intra-articular", "bob": None}


def test_several_reports_link_to_one_study(review) -> None:
    _folder, store = review
    with store.write() as s:
        recs = [models.RecordRow(title=f"report {i}", year=2019) for i in range(3)]
        s.add_all(recs)
        s.flush()
        ids = [int(r.id or 0) for r in recs]
    new_study(store, "Smith 2019", [ids[0]])
    _link(store, "Smith 2019", ids[1])
    (study,) = list_studies(store)
    assert study.record_ids == (ids[0], ids[1])  # primary first
    import pytest

    from reviewflow.errors import ReviewflowError

    new_study(store, "Other 2020")
    with pytest.raises(ReviewflowError, match="already belongs to study 'Smith 2019'; .* "
                       "study merge 'Other 2020' 'Smith 2019'"):
        _link(store, "Other 2020", ids[0])
    with pytest.raises(ReviewflowError, match="already exists"):
        new_study(store, "Smith 2019")
    # any case: every lookup ignores it, so "smith 2019" would be a second name for one study
    with pytest.raises(ReviewflowError, match="a study labelled 'Smith 2019' already exists"):
        new_study(store, " smith 2019")
    assert [s.label for s in list_studies(store)] == ["Other 2020", "Smith 2019"]


def test_values_are_written_in_the_callers_transaction_only(review) -> None:
    """A failure later in the same user action takes the values back with it."""
    store, form_id, form, sid, a, _b = _setup(review)

    class Later(Exception):
        pass

    try:
        with store.write() as session:
            n = set_values(session=session, form=form, form_id=form_id, reviewer_id=a,
                           entries=[(sid, "study/country", "Spain")])
            assert n == 1
            assert set_value(session=session, form=form, form_id=form_id, study_id=sid,
                             reviewer_id=a, path="study/dose", value="1e6") == "1e6"
            resolve(session=session, form=form, form_id=form_id, study_id=sid, reviewer_id=a,
                    path="study/route", value="intra-articular")
            raise Later
    except Later:
        pass
    with store.session() as s:
        assert s.exec(select(models.ExtractionValue)).all() == []


def test_studies_are_written_in_the_callers_transaction_only(review) -> None:
    """A failure later in the same user action takes the new studies and links back."""
    _folder, store = review
    with store.write() as s:
        rec = models.RecordRow(title="report", year=2019)
        s.add(rec)
        s.flush()
        rid = int(rec.id or 0)

    class Later(Exception):
        pass

    try:
        with store.write() as session:
            made = create_study(session=session, label="Smith 2019")
            assert made.record_ids == ()
            assert link_record(session=session, label="smith 2019",
                               record_id=rid).record_ids == (rid,)
            raise Later
    except Later:
        pass
    assert list_studies(store) == []
    with store.session() as s:
        assert s.exec(select(models.StudyRecord)).all() == []
