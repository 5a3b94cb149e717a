"""The write seam: rows written through sqlite3 and through a session are the same rows.

Writing commands (``decide``, ``resolve``, ``reviewer add``, ``seed-relevant``) write a
SQLite store at the current schema through :func:`open_sqlite_writer` and anything else
through the ORM store's session; both run the same domain functions and the same SQL.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.screening.decisions import add_reviewer
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import WRITE_TURN_SUFFIX
from reviewflow.store.writer import NOW, SQLITE_DATETIME, TABLES, open_sqlite_writer
from tests.screening.support import make_review, without_sqlite_writer

runner = CliRunner()
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")  # SQLAlchemy's SQLite DateTime
SHOWN_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?")  # policy --history
N = 8
STAMPED = ("at", "created_at", "imported_at", "added_at")  # the tables' times


def test_each_insert_names_every_column_of_the_model_with_its_default() -> None:
    """The insert column lists are the SQLModel tables' columns (all but the integer key),
    and an omitted column gets what the ORM would give it."""
    assert models.Reviewer.__tablename__ in SQLModel.metadata.tables
    for name, spec in TABLES.items():
        table = SQLModel.metadata.tables[name]
        assert set(spec.columns) == {c.name for c in table.columns} - {"id"}, name
        for column in table.columns:
            if column.name == "id":
                continue
            default = column.default
            if default is None:
                if column.nullable:
                    assert spec.defaults.get(column.name, "absent") in (None, "absent"), column
                else:  # a default the model gives (its column is declared by hand), or none
                    field = _model_of(name).model_fields[column.name]
                    if field.is_required():
                        assert column.name not in spec.defaults, f"{name}.{column.name}"
                    else:
                        assert spec.defaults[column.name] == field.default, column
            elif default.is_callable:
                assert spec.defaults[column.name] is NOW, f"{name}.{column.name}"
            else:
                assert spec.defaults[column.name] == default.arg, f"{name}.{column.name}"


def _model_of(table: str) -> Any:
    return {m.class_.__tablename__: m.class_ for m in SQLModel._sa_registry.mappers}[table]


def _db(review: Path) -> Path:
    return review / "reviewflow.db"


def _file_state(review: Path) -> tuple[str, ...]:
    """The store's bytes: the database file and its WAL (if any)."""
    out = []
    for suffix in ("", "-wal"):
        path = Path(f"{_db(review)}{suffix}")
        out.append(hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "-")
    return tuple(out)


def _dump(review: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows by id, timestamps replaced by their format (checked here)."""
    con = sqlite3.connect(_db(review))
    try:
        out = {}
        for name in sorted(n for (n,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")):
            cursor = con.execute(f'SELECT * FROM "{name}" ORDER BY 1')
            columns = [d[0] for d in cursor.description]
            rows = []
            for row in cursor.fetchall():
                clean = []
                for column, value in zip(columns, row, strict=True):
                    if column in STAMPED and value is not None:
                        assert isinstance(value, str) and STAMP.match(value), (name, value)
                        value = "<stamp>"
                    clean.append(value)
                rows.append(tuple(clean))
            out[name] = rows
        return out
    finally:
        con.close()


def _run(review: Path, *args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["--review", str(review), *args])
    error = "" if res.exception is None else f"error: {res.exception}"
    return res.exit_code, res.output + error


def _csv(path: Path, rows: list[tuple[int, str, str]]) -> Path:
    path.write_text("record_id,decision,reason\n" + "".join(
        f"{rid},{decision},{reason}\n" for rid, decision, reason in rows), encoding="utf-8")
    return path


def _actions(review: Path, files: Path) -> list[tuple[int, str]]:
    """One day's screening work, as commands: a bad file among them."""
    ann = _csv(files / "ann.csv", [(i, "include" if i % 2 else "exclude", "")
                                   for i in range(1, N + 1)])
    bob = _csv(files / "bob.csv", [(i, "include" if i % 3 else "exclude", "")
                                   for i in range(1, N + 1)])
    bad = _csv(files / "bad.csv", [(1, "include", ""), (99, "include", "")])
    ft = _csv(files / "ft.csv", [(1, "exclude", "Wrong Population")])
    return [
        _run(review, "reviewer", "add", "arbiter", "--role", "arbiter"),
        _run(review, "reviewer", "add", "carol"),
        _run(review, "reviewer", "add", "carol", "--role", "arbiter"),
        _run(review, "reviewer", "add", "carol", "--role", "reviewer"),
        _run(review, "decide", "--reviewer", "ann", "--stage", "title-abstract", "--from",
             str(ann)),
        _run(review, "decide", "--reviewer", "bob", "--stage", "title-abstract", "--from",
             str(bob)),
        _run(review, "decide", "--reviewer", "bob", "--stage", "title-abstract", "--from",
             str(bob)),  # again: nothing new
        _run(review, "decide", "--reviewer", "carol", "--stage", "title-abstract", "--from",
             str(bad)),
        _run(review, "resolve", "2", "--stage", "title-abstract", "--decision", "include",
             "--by", "arbiter", "--method", "arbiter", "--note", "read the methods"),
        _run(review, "resolve", "3", "--stage", "title-abstract", "--decision", "exclude",
             "--by", "ann"),
        _run(review, "resolve", "1", "--stage", "title-abstract", "--decision", "exclude",
             "--by", "ann"),  # no conflict: refused
        _run(review, "decide", "--reviewer", "ann", "--stage", "full-text", "--from", str(ft)),
        _run(review, "seed-relevant", "1", "5"),
        _run(review, "seed-relevant", "5", "--remove"),
        _run(review, "seed-relevant", "77"),
        _run(review, "decide", "--reviewer", "nobody", "--stage", "title-abstract", "--from",
             str(ann)),
        _run(review, "policy", "--blind", "off", "--by", "arbiter"),
        _run(review, "policy", "--blind", "on", "--by", "ann"),  # not an arbiter: refused
        _run(review, "policy", "--screeners", "1", "--verify", "0.5", "--stage", "full-text",
             "--by", "arbiter"),
        _run(review, "pilot", "start", "--stage", "full-text", "--size", "2", "--by",
             "arbiter"),
        _run(review, "pilot", "close", "--stage", "full-text", "--by", "arbiter"),  # refused
        _run(review, "pilot", "close", "--stage", "full-text", "--by", "arbiter", "--force"),
        _run(review, "allocate", "--stage", "full-text", "--by", "arbiter"),
        _run(review, "policy", "--history"),
    ]


def test_commands_write_the_same_rows_through_sqlite3_and_through_the_orm(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = {"screening": {"exclusion_reasons": ["wrong population", "other"],
                          "include_keywords": ["MSC"]}}
    direct = make_review(tmp_path / "direct", N, toml_extra=toml)
    orm = make_review(tmp_path / "orm", N, toml_extra=toml)
    (tmp_path / "files").mkdir()
    said_direct = _actions(direct, tmp_path / "files")
    calls = without_sqlite_writer(monkeypatch)
    said_orm = _actions(orm, tmp_path / "files")
    # every command but the last (policy --history only reads) fell back to the ORM
    assert len(calls) == len(said_orm) - 1
    assert [code for code, _ in said_direct] == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1,
                                                    0, 1, 0, 0, 1, 0, 0, 0]
    def shown(said: list[tuple[int, str]], folder: Path) -> list[str]:
        return [SHOWN_TIME.sub("<time>", text.replace(str(folder), "<review>"))
                for _, text in said]

    assert shown(said_orm, orm) == shown(said_direct, direct)
    dumped = _dump(direct)
    assert dumped == _dump(orm)
    assert len(dumped["screening_decision"]) == 2 * N + 1
    assert [r[1:3] for r in dumped["reviewer"]] == [("ann", "reviewer"), ("bob", "reviewer"),
                                                    ("arbiter", "arbiter"),
                                                    ("carol", "reviewer")]
    assert len(dumped["conflict_resolution"]) == 2
    assert '"known_relevant": [1]' in dumped["review"][0][5]
    assert '"include_keywords": ["MSC"]' in dumped["review"][0][5]
    assert dumped["review"][0][6] == 0  # blind off, in both places the ORM kept it
    assert [r[1].split(":")[0] for r in dumped["setting_change"]] == [
        "blind", "required", "verify", "pilot", "pilot_closed", "allocation"]


def test_the_orm_reads_rows_the_sqlite_writer_wrote(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 2)
    with open_sqlite_writer(_db(review)) as writer:
        assert writer is not None
        dan = add_reviewer(writer=writer, name="dan", role="arbiter")
    with Store.open(f"sqlite:///{_db(review)}") as store, store.session() as s:
        row = s.get(models.Reviewer, dan.id)
        ann = s.get(models.Reviewer, 1)
        assert row is not None and ann is not None
        assert (row.name, row.role, row.db_role) == ("dan", "arbiter", None)
        assert type(row.created_at) is type(ann.created_at)
        assert row.created_at >= ann.created_at
    con = sqlite3.connect(_db(review))
    stamps = [v for (v,) in con.execute("SELECT created_at FROM reviewer ORDER BY id")]
    con.close()
    assert all(STAMP.match(v) for v in stamps), stamps  # the ORM's rows and ours alike
    assert SQLITE_DATETIME.count("%") == 7


def test_an_error_inside_the_writer_writes_nothing(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 2)
    before = _file_state(review), _dump(review)
    with pytest.raises(RuntimeError), open_sqlite_writer(_db(review)) as writer:
        assert writer is not None
        add_reviewer(writer=writer, name="eve")
        writer.insert("screening_decision", record_id=1, stage="title_abstract",
                      reviewer_id=1, decision="include", client_key="k1")
        raise RuntimeError("killed mid-action")
    assert (_file_state(review), _dump(review)) == before


def test_bad_input_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    """A refused command (a bad row late in the file, after the toml's settings were
    copied in the same transaction) leaves every byte of the store as it was."""
    review = make_review(tmp_path / "rev", 4, toml_extra={
        "screening": {"include_keywords": ["new keyword"]}})
    bad = _csv(tmp_path / "bad.csv", [(1, "include", ""), (2, "maybe", ""),
                                      (3, "perhaps", "")])
    before = _file_state(review)
    code, said = _run(review, "decide", "--reviewer", "ann", "--stage", "title-abstract",
                      "--from", str(bad))
    assert code == 1 and "bad.csv" in said and "perhaps" in said, said
    assert _file_state(review) == before
    code, said = _run(review, "resolve", "9", "--stage", "title-abstract", "--decision",
                      "include", "--by", "ann")
    assert code == 1 and "record 9 does not exist" in said, said
    assert _file_state(review) == before


def test_the_sqlite_writer_holds_the_write_turn(tmp_path: Path) -> None:
    """Writers take turns with the ORM store's writers: the turn is held for the whole
    transaction (another process's flock on the turn file is refused meanwhile)."""
    review = make_review(tmp_path / "rev", 2)
    turn = Path(f"{_db(review)}{WRITE_TURN_SUFFIX}")
    with open_sqlite_writer(_db(review)) as writer:
        assert writer is not None
        other = open(turn, "rb")  # noqa: SIM115 - a second file description, as a process has
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            other.close()
    other = open(turn, "rb")  # noqa: SIM115
    try:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        other.close()


def test_anything_but_a_store_at_the_current_schema_gets_no_writer(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = other.read_bytes()
    for path in (other, tmp_path / "missing.db", tmp_path):
        with open_sqlite_writer(path) as writer:
            assert writer is None
    assert other.read_bytes() == before
    assert not (tmp_path / "missing.db").exists()
    review = make_review(tmp_path / "old", 1)
    con = sqlite3.connect(_db(review))
    con.execute("UPDATE alembic_version SET version_num = '0006'")
    con.commit()
    con.close()
    with open_sqlite_writer(_db(review)) as writer:
        assert writer is None


def test_the_sqlite_writer_waits_for_an_orm_writer(tmp_path: Path) -> None:
    """An ORM write in progress (another terminal's keypress) holds the turn: the sqlite3
    writer waits for it, then writes after it; neither row is lost."""
    import threading

    review = make_review(tmp_path / "rev", 2)
    done: list[int] = []

    def direct() -> None:
        with open_sqlite_writer(_db(review)) as writer:
            assert writer is not None
            done.append(add_reviewer(writer=writer, name="direct").id)

    with Store.open(f"sqlite:///{_db(review)}") as store:
        with store.write() as session:
            session.add(models.Reviewer(name="orm"))
            session.flush()
            thread = threading.Thread(target=direct)
            thread.start()
            thread.join(0.5)
            assert thread.is_alive() and not done  # waiting for its turn
        thread.join(10)
    assert not thread.is_alive()
    con = sqlite3.connect(_db(review))
    names = [n for (n,) in con.execute("SELECT name FROM reviewer ORDER BY id")]
    con.close()
    assert names == ["ann", "bob", "orm", "direct"] and done == [4]


def test_a_name_another_writer_took_is_read_back_not_an_error(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 1)
    with open_sqlite_writer(_db(review)) as writer:
        assert writer is not None
        assert writer.insert_new("reviewer", "name", name="ann") is None  # ann exists
        fay = writer.insert_new("reviewer", "name", name="fay")
        assert fay is not None and writer.insert_new("reviewer", "name", name="fay") is None
        assert add_reviewer(writer=writer, name="fay").id == fay
        assert add_reviewer(writer=writer, name="fay", role="arbiter").role == "arbiter"
    con = sqlite3.connect(_db(review))
    assert con.execute("SELECT name, role FROM reviewer ORDER BY id").fetchall() == [
        ("ann", "reviewer"), ("bob", "reviewer"), ("fay", "arbiter")]
    con.close()


def test_a_session_writer_fails_with_the_errors_the_tui_handles(tmp_path: Path) -> None:
    """Through a session, a refused row is SQLAlchemy's error (the TUI catches
    SQLAlchemyError), and a decision on a missing record is one line."""
    from sqlalchemy.exc import IntegrityError

    from reviewflow.errors import ReviewflowError
    from reviewflow.screening.decisions import record_decision
    from reviewflow.store.writer import session_writer

    review = make_review(tmp_path / "rev", 1)
    with Store.open(f"sqlite:///{_db(review)}") as store:
        with pytest.raises(IntegrityError), store.write() as session:
            session_writer(session).insert("screening_decision", record_id=999,
                                           stage="title_abstract", reviewer_id=1,
                                           decision="include")
        with pytest.raises(ReviewflowError, match="record 999 does not exist"), \
                store.write() as session:
            record_decision(session=session, record_id=999, stage="title_abstract",
                            reviewer_id=1, decision="include")


def test_every_table_but_the_store_facts_has_an_insert() -> None:
    """A command that writes any table can go through the seam (the key/value
    ``store_meta`` is the store's own, written by its migrations)."""
    assert set(TABLES) == set(SQLModel.metadata.tables) - {"store_meta"}


def _typed_value(column: Any) -> object:
    """One value of the column's type, as a command would pass it (aware datetimes)."""
    kind = getattr(column.type, "impl", column.type).python_type  # UTCDateTime: a decorator
    if kind is datetime:
        return datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone(timedelta(hours=8)))
    return {bool: True, int: 1, float: 0.25, date: date(2025, 1, 31)}.get(kind, "text 文")


def test_every_insert_stores_what_the_orm_stores(tmp_path: Path) -> None:
    """One row in every table, written once through the ORM and once through the sqlite3
    writer with the same Python values: the stored values and their SQLite types agree
    (a date, an aware datetime, a boolean, text), so readers cannot tell them apart."""
    order = [t for t in SQLModel.metadata.sorted_tables if t.name in TABLES]
    values = {t.name: {c.name: _typed_value(c) for c in t.columns if c.name != "id"}
              for t in order}
    paths = [tmp_path / "orm.db", tmp_path / "sqlite3.db"]
    for path in paths:
        Store.create(f"sqlite:///{path}", title="seam").dispose()
    with Store.open(f"sqlite:///{paths[0]}") as store, store.write() as session:
        for table in order:
            session.add(_model_of(table.name)(**values[table.name]))
            session.flush()
    with open_sqlite_writer(paths[1]) as writer:
        assert writer is not None
        for table in order:
            writer.insert(table.name, **values[table.name])

    def stored(path: Path) -> dict[str, list[tuple[object, ...]]]:
        con = sqlite3.connect(path)
        try:
            out = {}
            for table in order:
                names = [c.name for c in table.columns]
                picks = ", ".join(f'"{n}", typeof("{n}")' for n in names)
                rows = con.execute(f'SELECT {picks} FROM "{table.name}"').fetchall()
                out[table.name] = rows[1:] if table.name == "review" else rows  # 1: create's
            return out
        finally:
            con.close()

    orm, direct = stored(paths[0]), stored(paths[1])
    assert set(orm) == set(TABLES) and orm == direct
    assert ("2026-03-03 21:06:07.891011", "text") in [
        pair for row in direct["fulltext_event"] for pair in zip(row[::2], row[1::2], strict=True)]
