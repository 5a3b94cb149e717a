"""Building small review stores for screening and TUI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from store_backend import BACKEND, REVIEW_TITLE, new_review_url

from reviewflow.review_state import RecordStatus
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.conflicts import resolve_conflict
from reviewflow.screening.decisions import ensure_reviewer, record_decision, retract_decision
from reviewflow.screening.seeds import mark_known_relevant
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig

TITLES = [
    "Mesenchymal stem cells for rheumatoid arthritis: a randomised controlled trial",
    "Umbilical cord MSC infusion in systemic lupus erythematosus",
    "A mouse model of arthritis treated with stromal cells",
    "Bone marrow MSC in systemic sclerosis: randomized trial",
    "Cost of biologic therapy in Crohn disease",
]


def make_review(folder: Path, n_records: int = 10, toml_extra: dict | None = None,
                screeners: tuple[str, ...] = ("ann", "bob")) -> Path:
    """A review folder (reviewflow.toml + SQLite) holding ``n_records`` records and the
    registered ``screeners`` (commands refuse names never added)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = ReviewConfig(folder=folder, title=REVIEW_TITLE, extra=toml_extra or {})
    url = new_review_url(folder, "reviewflow.db")
    if BACKEND == "postgres":  # the toml names the test server's fresh database
        config.db_url = url
    store = fill(Store.open(config.database_url()), n_records)
    for name in screeners:
        add_reviewer(store, name)
    store.dispose()
    config.save()
    return folder


def make_store(tmp_path: Path, n_records: int = 10) -> Store:
    """A store (SQLite, or PostgreSQL in the PostgreSQL pass) with ``n_records`` records
    from two imports (PubMed, Embase)."""
    return fill(Store.open(new_review_url(tmp_path)), n_records)


def fill(store: Store, n_records: int) -> Store:
    with store.write() as s:
        pubmed = models.SearchImport(database="PubMed", file_name="p.nbib", file_sha256="a" * 64,
                                     format="nbib", encoding="utf-8")
        embase = models.SearchImport(database="Embase", file_name="e.ris", file_sha256="b" * 64,
                                     format="ris", encoding="utf-8")
        s.add(pubmed)
        s.add(embase)
        s.flush()
        for i in range(n_records):
            rec = models.RecordRow(
                title=f"{TITLES[i % len(TITLES)]} ({i + 1})",
                abstract=f"Abstract {i + 1}: patients received mesenchymal stem cells or placebo. "
                "Outcome was disease activity.",
                authors_json=json.dumps([f"Author{i + 1}, A", "Second, B"]),
                year=2010 + i % 10,
                journal="Journal of Trials",
            )
            s.add(rec)
            s.flush()
            s.add(models.RecordProvenance(record_id=rec.id, import_id=pubmed.id, position=i + 1))
            if i % 2 == 0:
                s.add(models.RecordProvenance(record_id=rec.id, import_id=embase.id,
                                              position=i + 1))
    return store


def viewer(store: Store, name: str, role: str | None = None, blind: bool = True) -> Viewer:
    r = add_reviewer(store, name, role)
    assert r.id is not None
    return Viewer(r.id, r.name, r.role, blind)


def decide(store: Store, who: Viewer, record_id: int, stage: str, decision: str,
           reason: str | None = None, note: str | None = None) -> None:
    vote(store, record_id=record_id, stage=stage, reviewer_id=who.reviewer_id,
         decision=decision, reason=reason, note=note)


def vote(store: Store, **kw: Any) -> models.ScreeningDecision | None:
    """One decision as one user action: its own transaction (as a keypress or ``decide``)."""
    with store.write() as s:
        return record_decision(session=s, **kw)


def retract(store: Store, **kw: Any) -> None:
    with store.write() as s:
        retract_decision(session=s, **kw)


def mark_seeds(store: Store, record_ids: list[int], remove: bool = False) -> set[int]:
    """``seed-relevant`` as one user action."""
    with store.write() as s:
        return mark_known_relevant(record_ids, remove, session=s)


def settle(store: Store, settings: ScreeningSettings, **kw: Any) -> RecordStatus:
    """One resolution as one user action (as ``resolve`` or the conflicts screen)."""
    with store.write() as s:
        return resolve_conflict(session=s, settings=settings, **kw)


def add_pair(store: Store, a: int, b: int, score: float = 0.9) -> int:
    with store.write() as s:
        pair = models.DedupPair(record_a_id=a, record_b_id=b, score=score, outcome="possible")
        s.add(pair)
        s.flush()
        assert pair.id is not None
        return pair.id


def add_reviewer(store: Store, name: str, role: str | None = None) -> models.Reviewer:
    """``reviewflow reviewer add`` as one transaction."""
    with store.write() as session:
        return ensure_reviewer(session=session, name=name, role=role)


def cli_ok(review: Path, *args: str) -> str:
    """``reviewflow --review REVIEW ARGS...`` in-process; its output, after checking it
    exited 0."""
    from typer.testing import CliRunner

    from reviewflow.cli.main import app

    res = CliRunner().invoke(app, ["--review", str(review), *args])
    assert res.exit_code == 0, (res.output, res.exception)
    return res.output


def through_sqlite3(review: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """A reading command's output through the read-only sqlite3 reader (opening the
    SQLAlchemy store fails the test)."""
    def no_store(ctx: object) -> None:
        raise AssertionError("the sqlite3 path opened the SQLAlchemy store")

    with monkeypatch.context() as m:
        m.setattr("reviewflow.cli.common.open_store", no_store)
        return cli_ok(review, *args)


def through_session(review: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """A reading command's output through a session reader (no sqlite3 fast path)."""
    with monkeypatch.context() as m:
        m.setattr("reviewflow.store.reader.sqlite_file_of", lambda url: None)
        m.setattr("reviewflow.store.reader.open_sqlite_reader", None)  # never reached
        return cli_ok(review, *args)


def without_sqlite_writer(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every writing command falls back to the ORM store's session, as on PostgreSQL (the
    sqlite3 writer yields None); the list collects the files it was asked for."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    calls: list[Path] = []

    @contextmanager
    def refuse(path: Path) -> Iterator[None]:
        calls.append(path)
        yield None

    monkeypatch.setattr("reviewflow.store.writer.open_sqlite_writer", refuse)
    return calls
