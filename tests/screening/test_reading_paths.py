"""The reading commands give the same answers through ``sqlite3`` as through a session.

``status``, ``kappa``, ``prisma`` and ``conflicts`` read a SQLite store through a
read-only ``sqlite3`` connection (no SQLAlchemy import); everything else reads
through a session. Both
feed the one read model, so on a review holding every kind of row the read model
loads (conflicts, a resolution, a pilot, an allocation, a verification sample,
dedup merges, study merges, an unobtainable report, three screeners and an
arbiter, blind screening) their output must be identical, byte for byte.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.fulltext.service import mark_unobtainable
from reviewflow.linking.merge import merge_studies
from reviewflow.review_state import load_review_state
from reviewflow.review_state.load import read_review_state
from reviewflow.review_state.summary import read_status_summary, status_summary
from reviewflow.screening.conflicts import resolve_conflict
from reviewflow.screening.decisions import record_decision
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig, load_config
from reviewflow.store.reader import open_sqlite_reader, session_reader
from tests.screening.support import fill, through_session, through_sqlite3

runner = CliRunner()
N = 24


def ok(review: Path, *args: str) -> str:
    res = runner.invoke(app, ["--review", str(review), *args])
    assert res.exit_code == 0, (res.output, res.exception)
    return res.output


def _call(record_id: int, reviewer_id: int) -> str:
    """A deterministic mix of agreement and disagreement."""
    return "include" if (record_id * 7 + reviewer_id * 3) % 5 < 3 else "exclude"


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reading") / "rev"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="Reading paths \u00e9")
    store = fill(Store.create(config.database_url(), title="Reading paths \u00e9"), N)
    store.dispose()
    config.save()
    for name in ("ann", "bob", "cat"):
        ok(folder, "reviewer", "add", name)
    ok(folder, "reviewer", "add", "ari", "--role", "arbiter")
    ok(folder, "pilot", "start", "--stage", "title-abstract", "--size", "4", "--seed", "2",
       "--by", "ari")
    store = Store.open(load_config(folder).database_url())
    try:
        with store.session() as s:
            state = load_review_state(s, with_plan=True)
        ids = {p.name: p.id for p in state.people.values()}
        pilot = sorted(state.stage(TITLE_ABSTRACT).plan.pilot.records)  # type: ignore[union-attr]
        screeners = [ids["ann"], ids["bob"], ids["cat"]]
        for rid in pilot:
            for who in screeners:
                with store.write() as s:
                    record_decision(session=s, record_id=rid, stage=TITLE_ABSTRACT,
                                    reviewer_id=who, decision=_call(rid, who))
        ok(folder, "pilot", "close", "--stage", "title-abstract", "--by", "ari")
        ok(folder, "allocate", "--stage", "title-abstract", "--by", "ari", "--seed", "5")
        with store.session() as s:
            allocated = load_review_state(s, with_plan=True).stage(TITLE_ABSTRACT).plan.allocated
        for rid, who_all in sorted(allocated.items()):
            for who in sorted(who_all)[: 1 if rid % 6 == 0 else 2]:  # some left half-done
                with store.write() as s:
                    record_decision(session=s, record_id=rid, stage=TITLE_ABSTRACT,
                                    reviewer_id=who, decision=_call(rid, who))
        with store.session() as s:
            conflicts = [st.record_id for st in
                         load_review_state(s).stage(TITLE_ABSTRACT).conflicts()]
        assert len(conflicts) >= 2, conflicts
        with store.write() as s:
            arbiter = s.get(models.Reviewer, ids["ari"])
            assert arbiter is not None
            resolve_conflict(session=s, settings=ScreeningSettings(), record_id=conflicts[0],
                             stage=TITLE_ABSTRACT, decision="include", resolver=arbiter,
                             method="arbiter")
        ok(folder, "policy", "--screeners", "1", "--verify", "0.5", "--seed", "3",
           "--stage", "full-text", "--by", "ari")
        with store.session() as s:
            state = load_review_state(s)
        eligible = sorted(state.stage(FULL_TEXT).eligible)
        verified = [r for r in eligible[:-1] if state.policy.in_verification(FULL_TEXT, r)]
        assert len(eligible) >= 3 and verified, eligible
        for rid in eligible[:-1]:
            for who in screeners[rid % 3: rid % 3 + (2 if rid in verified else 1)]:
                with store.write() as s:
                    call = _call(rid, who)
                    record_decision(session=s, record_id=rid, stage=FULL_TEXT, reviewer_id=who,
                                    decision=call,
                                    reason="wrong population" if call == "exclude" else None)
        with store.write() as s:
            # dedup: N merged into N-1; N-2 merged then unmerged; a chain N-4 -> N-5 -> N-6
            for merged, kept, action in ((N, N - 1, "merge"), (N - 2, N - 3, "merge"),
                                         (N - 2, N - 3, "unmerge"), (N - 5, N - 6, "merge"),
                                         (N - 4, N - 5, "merge")):
                s.add(models.DedupDecision(kept_record_id=kept, merged_record_id=merged,
                                           action=action, method="manual"))
            studies = []
            for label, rid in (("Alpha 2010", 1), ("Beta 2011", 2), ("Gamma 2012", 3)):
                study = models.Study(label=label)
                s.add(study)
                s.flush()
                s.add(models.StudyRecord(study_id=study.id, record_id=rid, is_primary=True))
                studies.append(study.id)
            s.flush()
            merge_studies(studies[0], studies[1], session=s, by="ari")
            mark_unobtainable(eligible[-1], "no library holds it", session=s, by="ann")
    finally:
        store.dispose()
    return folder


@pytest.mark.parametrize("args", [
    ("status", "--json"), ("status", "--as", "ann", "--json"), ("status", "--as", "ari", "--json"),
    ("status",), ("status", "--as", "bob"), ("kappa", "--json"), ("kappa",),
    ("kappa", "--stage", "full-text", "--json"), ("prisma", "--json"), ("prisma",),
    ("conflicts", "--as", "ari", "--all", "--json"), ("conflicts", "--as", "ann", "--json"),
    ("conflicts", "--as", "ari", "--all"),
])
def test_reading_commands_agree_through_sqlite3_and_a_session(
        review: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    fast = through_sqlite3(review, monkeypatch, *args)
    slow = through_session(review, monkeypatch, *args)
    assert fast == slow
    assert len(fast) > 200  # a real answer, not two empty ones


def test_history_agrees_through_sqlite3_and_a_session_on_every_record(
        review: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``history`` reads through the seam too: every record's trail (decisions, the
    resolution, dedup merges and the unmerge, same-study merges), as the arbiter and as
    a blinded screener, is the same through either reader, with its timestamps."""
    kinds: set[str] = set()
    for rid in range(1, N + 1):
        for who in ("ari", "ann"):
            args = ("history", str(rid), "--as", who, "--json")
            fast = through_sqlite3(review, monkeypatch, *args)
            assert fast == through_session(review, monkeypatch, *args)
            kinds |= {json.loads(line)["kind"] for line in fast.splitlines()}
        text = ("history", str(rid), "--as", "ari")
        assert through_sqlite3(review, monkeypatch, *text) == through_session(
            review, monkeypatch, *text)
    assert {"decision", "resolution", "merge", "unmerge", "study merge"} <= kinds, kinds


def test_the_review_holds_every_kind_of_row_the_read_model_loads(review: Path) -> None:
    """Guards the equivalence test above: each loader has rows to read."""
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        state = load_review_state(s, with_plan=True)
        summary = status_summary(s)
    ta, ft = state.stage(TITLE_ABSTRACT), state.stage(FULL_TEXT)
    assert ta.plan is not None and ta.plan.pilot is not None and ta.plan.allocated
    assert ta.resolutions and ta.conflicts()
    assert state.policy.verify(FULL_TEXT) is not None and state.policy.blind
    assert ft.agreement() and len(ft.decided) >= 3
    assert len(state.merges.kept_of) == 3 and state.study_merges and state.unobtainable
    assert len(state.people) == 4 and summary["imports"] == 2


def test_the_read_model_is_the_same_from_either_reader(review: Path) -> None:
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        by_session = read_status_summary(session_reader(s))
    path = Path(load_config(review).database_url().removeprefix("sqlite:///"))
    with open_sqlite_reader(path) as reader:
        assert reader is not None
        by_sqlite3 = read_status_summary(reader)
    assert by_sqlite3 == by_session


def test_a_name_nobody_has_is_refused_the_same_way(review: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    said = []
    for patch in (("reviewflow.cli.common.open_store", None),
                  ("reviewflow.store.reader.sqlite_file_of", lambda url: None)):
        for args in (("status", "--as", "Ann "), ("conflicts", "--as", "Ann"), ("conflicts",)):
            with monkeypatch.context() as m:
                m.setattr(*patch)
                res = runner.invoke(app, ["--review", str(review), *args])
            assert res.exit_code == 1
            said.append(str(res.exception))
    assert said[:3] == said[3:]
    assert "unknown reviewer 'Ann' (there is 'ann': names are exact)" in said[0]
    assert said[1] == said[0] and "screening is blind: say whose view" in said[2]


def test_a_store_from_a_newer_reviewflow_is_refused_by_the_reading_commands(
        tmp_path: Path) -> None:
    folder = tmp_path / "newer"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="Newer")
    Store.create(config.database_url(), title="Newer").dispose()
    config.save()
    con = sqlite3.connect(folder / "reviewflow.db")
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    before = (folder / "reviewflow.db").read_bytes()
    for command in ("status", "kappa"):
        res = runner.invoke(app, ["--review", str(folder), command])
        assert res.exit_code == 1
        assert "written by a newer reviewflow (schema 9999)" in str(res.exception)
    assert (folder / "reviewflow.db").read_bytes() == before


# -- a reader beside a writer -----------------------------------------------------------

def _db_of(review: Path) -> Path:
    return Path(load_config(review).database_url().removeprefix("sqlite:///"))


def test_a_reader_reads_while_another_connection_holds_the_write_lock(review: Path) -> None:
    """WAL: the write lock held (and a row written, uncommitted) does not stop a reader,
    which sees the last committed state."""
    path = _db_of(review)
    with open_sqlite_reader(path) as reader:
        assert reader is not None
        before = read_status_summary(reader)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO reviewer (name, role, created_at) "
                       "VALUES ('zed', 'reviewer', '2026-01-01 00:00:00')")
        with open_sqlite_reader(path) as reader:
            assert reader is not None
            during = read_status_summary(reader)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert during == before
    assert "zed" not in [p["name"] for p in during["reviewers"]]


def test_a_reader_waits_for_an_exclusive_lock_in_a_rollback_journal_file(tmp_path: Path) -> None:
    """Without WAL a writer's exclusive lock blocks readers: the reader waits (busy
    timeout) and then reads, instead of failing with 'database is locked'."""
    folder = tmp_path / "journal"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="Journal")
    Store.create(config.database_url(), title="Journal").dispose()
    path = folder / "reviewflow.db"
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("BEGIN EXCLUSIVE")
    con.execute("UPDATE review SET title = 'Journal, renamed'")
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        locked.set()
        release.wait(10)
        con.execute("COMMIT")

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    results: list[str] = []

    def read() -> None:
        with open_sqlite_reader(path) as reader:
            assert reader is not None
            results.append(read_status_summary(reader)["review"]["title"])

    reading = threading.Thread(target=read)
    reading.start()
    reading.join(0.5)
    assert not results  # still waiting on the lock, not failed
    release.set()
    holder.join(10)
    reading.join(30)
    con.close()
    assert results == ["Journal, renamed"]


def test_the_sqlite3_reader_writes_nothing(review: Path) -> None:
    path = _db_of(review)
    with open_sqlite_reader(path) as reader:
        assert reader is not None
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.connection.execute("DELETE FROM screening_decision")
        assert read_review_state(reader).stage(TITLE_ABSTRACT).statuses
