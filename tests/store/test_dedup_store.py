"""Dedup on the review store: append-only merges, the queue, resolve and undo."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.store import dedup_store, models
from reviewflow.store.db import Store
from reviewflow.store.dedup_state import active_record_ids, merged_into

TRIAL = dict(title="Mesenchymal stem cell transplantation for refractory lupus nephritis: "
             "a randomised trial", year=2014, journal="Arthritis Research & Therapy",
             volume="16", pages="221-229")
ROWS = [
    dict(TRIAL, authors=["Wang, Dandan", "Sun, Lingyun"], doi="10.1186/ar4520"),  # PubMed
    dict(TRIAL, authors=["Wang, D.", "Sun, L."], journal="Arthritis Res Ther", pages="221-9"),
    dict(title="Umbilical cord MSC for lupus nephritis: a multicentre study",
         authors=["Zhang, Huayong"], year=2016),
    dict(title="Umbilical cord MSCs for lupus nephritis, multicenter study",
         authors=["Zhang, Huayong"], year=2016, journal="Lupus"),
    dict(title="Autologous haematopoietic stem cell transplantation in scleroderma",
         authors=["van Laar, J. M."], year=2014, journal="JAMA", volume="311",
         pages="2490-2498"),
]


@pytest.fixture
def store(db_url: str):
    """The same review on SQLite and (when a server answers) PostgreSQL."""
    store = Store.create(db_url, title="MSC review")
    with store.write() as s:
        imp = models.SearchImport(database="PubMed", file_name="x.ris", file_sha256="0" * 64,
                                  format="ris", encoding="utf-8", record_count=len(ROWS))
        s.add(imp)
        s.flush()
        for pos, fields in enumerate(ROWS, 1):
            fields = dict(fields)
            row = models.RecordRow(authors_json=json.dumps(fields.pop("authors")), **fields)
            s.add(row)
            s.flush()
            s.add(models.RecordProvenance(record_id=row.id, import_id=imp.id, position=pos))
    yield store
    store.dispose()


def test_run_merges_certain_queues_possible_and_is_idempotent(store: Store) -> None:
    summary = dedup_store.run(store)
    assert (summary.merged_records, summary.groups, summary.queued_new) == (1, 1, 1)
    with store.session() as s:
        assert merged_into(s) in ({2: 1}, {1: 2})
        decision = s.exec(select(models.DedupDecision)).one()
        assert (decision.action, decision.method) == ("merge", "auto")
        assert decision.score and decision.reason
        assert len(active_record_ids(s)) == 4
        assert len(s.exec(select(models.RecordProvenance)).all()) == 5  # provenance kept
        assert [(p.record_a_id, p.record_b_id) for p in dedup_store.open_pairs(s)] == [(3, 4)]
    again = dedup_store.run(store)
    assert (again.merged_records, again.queued_new, again.queue_open) == (0, 0, 1)


def test_merged_view_takes_best_fields_from_the_group(store: Store) -> None:
    dedup_store.run(store)
    with store.session() as s:
        merged = next(iter(merged_into(s)))
        view = dedup_store.merged_view(s, merged)
    assert view.doi == "10.1186/ar4520"
    assert view.journal == "Arthritis Research & Therapy"
    assert view.authors == ["Wang, Dandan", "Sun, Lingyun"]


def test_resolve_duplicate_and_distinct(store: Store) -> None:
    dedup_store.run(store)
    with store.session() as s:
        pair = dedup_store.open_pairs(s)[0]
    assert "merged" in dedup_store.resolve(store, int(pair.id), "duplicate")
    with store.session() as s:
        assert merged_into(s)[4] == 3
        assert dedup_store.open_pairs(s) == []
    with pytest.raises(ReviewflowError):
        dedup_store.resolve(store, 999, "distinct")
    with pytest.raises(ReviewflowError):
        dedup_store.resolve(store, int(pair.id), "maybe")


def test_undo_is_append_only_and_survives_a_rerun(store: Store) -> None:
    dedup_store.run(store)
    with store.session() as s:
        merged = next(iter(merged_into(s)))
    dedup_store.undo(store, merged)
    with store.session() as s:
        assert merged_into(s) == {}
        actions = [d.action for d in s.exec(select(models.DedupDecision)
                                            .order_by(models.DedupDecision.id)).all()]
    assert actions == ["merge", "unmerge", "distinct"]
    assert dedup_store.run(store).merged_records == 0  # the person's undo is respected
    with pytest.raises(ReviewflowError):
        dedup_store.undo(store, merged)


def test_cli_store_mode(store: Store) -> None:
    runner = CliRunner()
    db = ["--db", store.url]
    res = runner.invoke(app, ["dedup", *db])
    assert res.exit_code == 0, res.output
    assert "merged 1 records into 1 groups" in res.output
    res = runner.invoke(app, ["dedup", "--queue", *db])
    assert res.exit_code == 0 and "1 pairs waiting" in res.output
    pair_id = res.output.split()[1]
    res = runner.invoke(app, ["dedup", "--resolve", pair_id, "distinct", *db])
    assert res.exit_code == 0 and "kept apart" in res.output, res.output
    res = runner.invoke(app, ["dedup", "--resolve", pair_id, *db])
    assert res.exit_code == 2
    res = runner.invoke(app, ["dedup", "--undo", "5", *db])
    assert isinstance(res.exception, ReviewflowError) and "not merged" in str(res.exception)
