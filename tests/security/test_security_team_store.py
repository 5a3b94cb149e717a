"""A team store on the real PostgreSQL server enforces blinding by row-level security.

Two screener roles and an arbiter role; each connection sees only what the
server's policies allow, whatever the application is told (``--as``, the toml).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from store_backend import PG_ADMIN_URL
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.store import models
from reviewflow.store.db import Store
from tests.screening.support import vote

runner = CliRunner()


@pytest.fixture
def team(pg_url: str, tmp_path: Path):
    """A review on the server with 3 records; roles for ann, ben (screeners), carol."""
    tag = uuid.uuid4().hex[:8]
    roles = {name: f"rf_{name}_{tag}" for name in ("ann", "ben", "carol")}
    res = runner.invoke(app, ["init", str(tmp_path / "rev"), "--db", pg_url])
    assert res.exit_code == 0, res.output
    with Store.open(pg_url) as store, store.write() as s:
        for i in range(3):
            s.add(models.RecordRow(title=f"Trial {i}"))
    res = runner.invoke(app, ["team", "setup", "--db", pg_url,
                              "--reviewer", f"ann={roles['ann']}",
                              "--reviewer", f"ben={roles['ben']}",
                              "--arbiter", f"carol={roles['carol']}"])
    assert res.exit_code == 0, (res.output, res.exception)
    assert "row-level security on" in res.output
    urls = {n: make_url(pg_url).set(username=r).render_as_string(False)
            for n, r in roles.items()}
    yield pg_url, urls
    from store_backend import drop_pg_database

    drop_pg_database(pg_url)  # the roles own nothing once the database is gone
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for r in roles.values():
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{r}"'))
    admin.dispose()


def _rid(store: Store, name: str) -> int:
    with store.session() as s:
        return int(s.exec(select(models.Reviewer.id).where(models.Reviewer.name == name)).one())


def _seen(store: Store) -> set[tuple[str, int]]:
    with store.session() as s:
        rows = s.exec(select(models.Reviewer.name, models.ScreeningDecision.record_id)
                      .join(models.Reviewer,
                            models.Reviewer.id == models.ScreeningDecision.reviewer_id)).all()
    return set(rows)


def test_a_screener_sees_another_vote_only_after_voting(team) -> None:
    owner_url, urls = team
    with Store.open(urls["ann"]) as ann, Store.open(urls["ben"]) as ben:
        vote(ben, record_id=1, stage="title_abstract",
                        reviewer_id=_rid(ben, "ben"), decision="exclude")
        vote(ben, record_id=2, stage="title_abstract",
                        reviewer_id=_rid(ben, "ben"), decision="include")
        vote(ann, record_id=2, stage="title_abstract",
                        reviewer_id=_rid(ann, "ann"), decision="include")
        # ann voted on record 2 only: ben's record-1 vote stays hidden from her connection
        assert _seen(ann) == {("ann", 2), ("ben", 2)}
        assert _seen(ben) == {("ben", 1), ("ben", 2), ("ann", 2)}
    with Store.open(urls["carol"]) as carol:  # the arbiter sees every vote
        assert _seen(carol) == {("ben", 1), ("ben", 2), ("ann", 2)}
    with Store.open(owner_url) as owner:
        assert len(_seen(owner)) == 3


def test_as_carol_or_an_edited_toml_does_not_help(team, tmp_path: Path) -> None:
    owner_url, urls = team
    with Store.open(urls["ben"]) as ben:
        vote(ben, record_id=1, stage="title_abstract",
                        reviewer_id=_rid(ben, "ben"), decision="exclude", note="ben's secret")
    # ann's own toml points at her role; she asks for the arbiter's view and unblinds
    folder = tmp_path / "ann"
    folder.mkdir()
    (folder / "reviewflow.toml").write_text(
        f'[review]\ntitle = "x"\n[database]\nurl = "{urls["ann"]}"\n'
        '[screening]\nblind = false\n')
    for args in (["export", "decisions", "--as", "carol"], ["history", "1", "--as", "carol"],
                 ["status", "--json", "--as", "carol"]):
        res = runner.invoke(app, ["--review", str(folder), *args])
        assert res.exit_code == 0, (args, res.output, res.exception)
        assert "ben's secret" not in res.output and "exclude" not in res.output, (args,
                                                                                   res.output)
    with Store.open(urls["ann"]) as ann:
        # a decision in carol's (or ben's) name is refused by the server
        with pytest.raises(DBAPIError, match="row-level security"):
            vote(ann, record_id=1, stage="title_abstract",
                            reviewer_id=_rid(ann, "carol"), decision="include")
        # nor can ann promote herself, unblind the review or remap roles
        for sql in ("UPDATE reviewer SET role = 'arbiter' WHERE name = 'ann'",
                    "UPDATE review SET blind = false",
                    "UPDATE reviewer SET db_role = NULL"):
            with pytest.raises(DBAPIError, match="permission denied"), ann.write() as s:
                s.exec(sa.text(sql))  # type: ignore[call-overload]


def test_only_arbiters_write_resolutions(team) -> None:
    _owner, urls = team
    row = {"record_id": 1, "stage": "title_abstract", "decision": "include",
           "method": "arbiter"}
    with Store.open(urls["ann"]) as ann, pytest.raises(DBAPIError, match="row-level security"
                                                       ), ann.write() as s:
        s.add(models.ConflictResolution(**row, resolved_by_id=_rid(ann, "ann")))
    with Store.open(urls["carol"]) as carol:
        with carol.write() as s:
            s.add(models.ConflictResolution(**row, resolved_by_id=_rid(carol, "carol")))
        with carol.session() as s:
            assert len(s.exec(select(models.ConflictResolution)).all()) == 1
    with Store.open(urls["ben"]) as ben, ben.session() as s:  # ben has not voted on 1
        assert s.exec(select(models.ConflictResolution)).all() == []


def test_team_setup_refuses_sqlite(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "r")]).exit_code == 0
    res = runner.invoke(app, ["--review", str(tmp_path / "r"), "team", "setup",
                              "--reviewer", "ann=rf_ann"])
    assert res.exit_code == 1 and "needs PostgreSQL" in str(res.exception)
