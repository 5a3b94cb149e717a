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
from reviewflow.store.dedup_state import active_record_ids, merged_into, related_pairs

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


def _run(store: Store) -> dedup_store.RunSummary:
    """``reviewflow dedup`` as the CLI runs it: match in a read session, write once."""
    with store.session() as s:
        plan = dedup_store.plan_run(session=s)
    with store.write() as s:
        return dedup_store.store_run(session=s, plan=plan)


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
    summary = _run(store)
    assert (summary.merged_records, summary.groups, summary.queued_new) == (1, 1, 1)
    with store.session() as s:
        assert merged_into(s) in ({2: 1}, {1: 2})
        decision = s.exec(select(models.DedupDecision)).one()
        assert (decision.action, decision.method) == ("merge", "auto")
        assert decision.score and decision.reason
        assert len(active_record_ids(s)) == 4
        assert len(s.exec(select(models.RecordProvenance)).all()) == 5  # provenance kept
        assert [(p.record_a_id, p.record_b_id) for p in dedup_store.open_pairs(s)] == [(3, 4)]
    again = _run(store)
    assert (again.merged_records, again.queued_new, again.queue_open) == (0, 0, 1)


def test_merged_view_takes_best_fields_from_the_group(store: Store) -> None:
    _run(store)
    with store.session() as s:
        merged = next(iter(merged_into(s)))
        view = dedup_store.merged_view(s, merged)
    assert view.doi == "10.1186/ar4520"
    assert view.journal == "Arthritis Research & Therapy"
    assert view.authors == ["Wang, Dandan", "Sun, Lingyun"]


def test_resolve_duplicate_and_distinct(store: Store) -> None:
    _run(store)
    with store.session() as s:
        pair = dedup_store.open_pairs(s)[0]
    with store.write() as s:
        assert "merged" in dedup_store.resolve(int(pair.id), "duplicate", session=s)
    with store.session() as s:
        assert merged_into(s)[4] == 3
        assert dedup_store.open_pairs(s) == []
    with pytest.raises(ReviewflowError), store.write() as s:
        dedup_store.resolve(999, "distinct", session=s)
    with pytest.raises(ReviewflowError), store.write() as s:
        dedup_store.resolve(int(pair.id), "maybe", session=s)


def test_undo_is_append_only_and_survives_a_rerun(store: Store) -> None:
    _run(store)
    with store.session() as s:
        merged = next(iter(merged_into(s)))
    with store.write() as s:
        dedup_store.undo(merged, session=s)
    with store.session() as s:
        assert merged_into(s) == {}
        actions = [d.action for d in s.exec(select(models.DedupDecision)
                                            .order_by(models.DedupDecision.id)).all()]
    assert actions == ["merge", "unmerge", "distinct"]
    assert _run(store).merged_records == 0  # the person's undo is respected
    with pytest.raises(ReviewflowError), store.write() as s:
        dedup_store.undo(merged, session=s)


def test_cli_store_mode(store: Store) -> None:
    runner = CliRunner()
    db = ["--db", store.url]
    res = runner.invoke(app, ["dedup", *db])
    assert res.exit_code == 0, res.output
    assert "merged 1 record into 1 group automatically" in res.output
    res = runner.invoke(app, ["dedup", "--queue", *db])
    assert res.exit_code == 0 and "1 pair waiting" in res.output
    pair_id = res.output.split()[1]
    res = runner.invoke(app, ["dedup", "--resolve", pair_id, "distinct", *db])
    assert res.exit_code == 0 and "kept apart" in res.output, res.output
    res = runner.invoke(app, ["dedup", "--resolve", pair_id, *db])
    assert res.exit_code == 2
    res = runner.invoke(app, ["dedup", "--undo", "5", *db])
    assert isinstance(res.exception, ReviewflowError) and "not merged" in str(res.exception)


def test_cli_lists_related_records_once_per_surviving_pair(store: Store) -> None:
    _run(store)
    with store.session() as s:
        kept, gone = next((k, m) for m, k in merged_into(s).items())
        other = next(i for i in active_record_ids(s) if i != kept)
    with store.write() as s:  # a notice pair found on both members of one group
        for rid in (kept, gone):
            s.add(models.DedupPair(record_a_id=min(rid, other), record_b_id=max(rid, other),
                                   score=0.9, outcome="related",
                                   reason="erratum notice vs article"))
    res = CliRunner().invoke(app, ["dedup", "--related", "--db", store.url])
    assert res.exit_code == 0, res.output
    pair = sorted((kept, other))
    assert f"records {pair[0]} and {pair[1]}: erratum notice vs article" in res.output
    assert res.output.count("erratum notice") == 1 and "1 related pair\n" in res.output
    # the run's own summary counts what --related lists (not the pairs between copies)
    assert "1 related pair (notices, abstracts)" in _run(store).text()


def _table_rows(store: Store) -> tuple[list[tuple], list[tuple]]:
    """Every stored pair and decision (ids, records, outcome/action), to compare runs."""
    with store.session() as s:
        pairs = [(p.id, p.record_a_id, p.record_b_id, p.outcome)
                 for p in s.exec(select(models.DedupPair).order_by(models.DedupPair.id)).all()]
        decisions = [(d.id, d.kept_record_id, d.merged_record_id, d.action)
                     for d in s.exec(select(models.DedupDecision)
                                     .order_by(models.DedupDecision.id)).all()]
    return pairs, decisions


def _import(store: Store, name: str, records: list) -> set[int]:
    """Store *records* as one import (as ``reviewflow import`` would); their new ids."""
    from dataclasses import replace
    from pathlib import Path

    from reviewflow.records import ParseResult
    from reviewflow.store.imports import PreparedImport, store_prepared

    with store.session() as s:
        before = set(s.exec(select(models.RecordRow.id)).all())
    prepared = PreparedImport(Path(name), name.encode().hex().ljust(64, "0")[:64],
                              ParseResult(records=[replace(r, position=k)
                                                   for k, r in enumerate(records, 1)],
                                          format="csv", encoding="utf-8"))
    with store.write() as session:
        store_prepared(session=session, prepared=prepared, database=name)
    with store.session() as s:
        return set(s.exec(select(models.RecordRow.id)).all()) - before


def test_rerun_with_nothing_new_changes_nothing(store: Store) -> None:
    first = _run(store)
    assert first.new_records == 5
    tables = _table_rows(store)
    again = _run(store)
    assert (again.new_records, again.merged_records, again.queued_new, again.related_new) \
        == (0, 0, 0, 0)
    assert again.queue_open == 1
    assert _table_rows(store) == tables


def test_new_import_only_adds_pairs_that_concern_new_records(store: Store) -> None:
    from reviewflow.records import Record

    _run(store)
    old_pairs, old_decisions = _table_rows(store)
    new_ids = _import(store, "embase.ris", [
        # a third copy of the merged trial: joins the old group, the old survivor stays
        Record(title=TRIAL["title"], authors=["Wang, D", "Sun, L"], year=2014,
               journal="Arthritis Res. Ther.", volume="16", pages="221-9",
               doi="10.1186/ar4520", abstract="A much longer abstract " * 20),
        # its erratum: noted as related to the trial, never merged
        Record(title="Erratum to: " + TRIAL["title"], authors=["Wang, D", "Sun, L"],
               year=2015, journal="Arthritis Res Ther", volume="17", pages="12"),
        Record(title="Tocilizumab in giant cell arteritis", authors=["Stone, J. H."],
               year=2017, journal="N Engl J Med", volume="377", pages="317-328"),
    ])
    with store.session() as s:
        survivor_before = set(active_record_ids(s))
    summary = _run(store)
    assert (summary.new_records, summary.merged_records) == (3, 1)
    assert summary.related_new >= 1  # the erratum, next to each copy of the trial
    with store.session() as s:
        assert summary.related_now == len(related_pairs(s)) >= 1  # what --related lists
    assert f"{summary.related_now} related pair" in summary.text()
    pairs, decisions = _table_rows(store)
    assert pairs[:len(old_pairs)] == old_pairs and decisions[:len(old_decisions)] == old_decisions
    for _, a, b, _ in pairs[len(old_pairs):]:
        assert {a, b} & new_ids, "a pair between two records of the first run"
    (_, kept, merged, action), = decisions[len(old_decisions):]
    assert action == "merge" and merged in new_ids and kept in survivor_before
    tables = _table_rows(store)
    assert _run(store).new_records == 0
    assert _table_rows(store) == tables


def test_new_record_does_not_join_two_records_of_an_earlier_run(store: Store) -> None:
    """3 and 4 were left queued by the first run; a record certain with both must not
    merge them behind the person's back (it joins one, the other pair is queued)."""
    from reviewflow.records import Record

    _run(store)
    new_ids = _import(store, "lupus.ris", [
        Record(title="Umbilical cord MSC for lupus nephritis: a multicentre study",
               authors=["Zhang, Huayong"], year=2016, journal="Lupus", volume="25",
               pages="1-9"),
    ])
    _run(store)
    with store.session() as s:
        gone = merged_into(s)
    assert not (3 in gone and 4 in gone) and gone.get(4) != 3 and gone.get(3) != 4
    assert set(gone) <= {1, 2} | new_ids


@pytest.mark.corpus
def test_rerun_on_a_real_export_adds_no_pairs(store: Store, corpus) -> None:  # noqa: ANN001
    """Haematology (1415 records): the survivors of the first run used to meet new
    neighbours in the sorted blocks and add 'related'/'possible' pairs on every re-run."""
    from bench.dedup_corpus import load_bib_dedupe

    bench = load_bib_dedupe(corpus / "dedup" / "bib-dedupe" / "haematology")
    _import(store, "all.ris", bench.records)
    _run(store)
    tables = _table_rows(store)
    assert _run(store).new_records == 0
    assert _table_rows(store) == tables


@pytest.mark.corpus
def test_second_import_of_a_real_export_adds_only_its_own_pairs(store: Store,
                                                                corpus) -> None:  # noqa: ANN001
    from bench.dedup_corpus import load_bib_dedupe

    bench = load_bib_dedupe(corpus / "dedup" / "bib-dedupe" / "haematology")
    half = len(bench.records) // 2
    _import(store, "first.ris", bench.records[:half])
    _run(store)
    second = _import(store, "second.ris", bench.records[half:])
    old_pairs, _ = _table_rows(store)
    assert _run(store).new_records == len(second)
    pairs, decisions = _table_rows(store)
    assert all({a, b} & second for _, a, b, _ in pairs[len(old_pairs):])
    assert _run(store).new_records == 0
    assert _table_rows(store) == (pairs, decisions)


def test_counts_are_worded_in_the_singular_and_plural() -> None:
    from reviewflow.wording import plural

    assert [plural(n, "study") for n in (0, 1, 2)] == ["0 studies", "1 study", "2 studies"]
    assert plural(1, "related pair") == "1 related pair"
    assert plural(3, "related pair") == "3 related pairs"
    assert plural(2, "analysis") == "2 analyses" and plural(2, "day") == "2 days"
    assert plural(2, "box") == "2 boxes"


def test_a_run_is_written_in_the_callers_transaction_only(store: Store) -> None:
    """A failure later in the same action takes the merges, the queue and the seen marks back."""
    with store.session() as s:
        plan = dedup_store.plan_run(session=s)
    assert plan.fresh == len(ROWS)
    with pytest.raises(KeyError), store.write() as s:
        assert dedup_store.store_run(session=s, plan=plan).merged_records >= 1
        raise KeyError("later in the same action")
    with store.session() as s:
        assert s.exec(select(models.DedupDecision)).all() == []
        assert s.exec(select(models.DedupPair)).all() == []
        assert len(active_record_ids(s)) == len(ROWS)
    assert _run(store).new_records == len(ROWS)  # nothing was marked as seen
