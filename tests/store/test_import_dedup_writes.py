"""``import`` and ``dedup`` write the same rows through sqlite3 and through the ORM's session.

On a SQLite review at the current schema both commands write through the write seam's
:func:`~reviewflow.store.writer.open_sqlite_writer` (no SQLAlchemy to import); anything
else (PostgreSQL, an older schema) through the store's session. The same commands, the
refused ones among them, run both ways on real exports: the same output, the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from tests.screening.support import without_sqlite_writer
from tests.store.test_writer import _dump, _file_state

runner = CliRunner()
SAME_SEARCH = "exports/multi_db_same_search/citesource_20221207_gambling-harms_{}.ris"
Step = Callable[[], tuple[int, str]]


def _run(review: Path, *args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["--review", str(review), *args])
    error = "" if res.exception is None else f"error: {res.exception}"
    return res.exit_code, res.output + error


def _init(folder: Path) -> Path:
    """A SQLite review as ``reviewflow init`` makes it."""
    code, said = _run(folder, "init", str(folder), "--title", "Gambling harms")
    assert code == 0, said
    return folder


def _ids(review: Path, sql: str) -> list[int]:
    """Ids the next command names, read from the review itself (SQLite, or the server)."""
    from reviewflow.store.db import Store
    from reviewflow.store.location import load_config

    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        return [int(row[0]) for row in s.connection().exec_driver_sql(sql)]


def _queued(review: Path) -> list[int]:
    return _ids(review, "SELECT id FROM dedup_pair WHERE outcome = 'possible' ORDER BY id")


def _auto_merged(review: Path) -> int:
    return _ids(review, "SELECT merged_record_id FROM dedup_decision WHERE method = 'auto' "
                        "ORDER BY id")[0]


def _actions(review: Path, corpus: Path, files: Path) -> list[tuple[int, str]]:
    """Importing a day's searches and settling their duplicates, refused commands among them."""
    crimjust, lens, psycinfo, pubmed = (str(corpus / SAME_SEARCH.format(name)) for name in (
        "crimjust_41", "lens_49", "psycinfo_124", "pubmed_176"))
    bad = files / "cut.xml"
    bad.write_text('<?xml version="1.0"?><xml><records><record><title>cut', encoding="utf-8")
    steps: list[Step] = [
        lambda: _run(review, "import", crimjust, "--database", "Criminal Justice Abstracts",
                     "--searched", "2022-12-07", "--query", "gambling AND harm*"),
        lambda: _run(review, "import", crimjust),  # again: already imported
        lambda: _run(review, "import", lens, str(bad)),  # a malformed file: neither stored
        lambda: _run(review, "import", str(files / "missing.ris")),
        lambda: _run(review, "dedup", "--resolve", "1", "duplicate"),  # no pairs yet
        lambda: _run(review, "import", lens, psycinfo, "--origin", "other"),
        lambda: _run(review, "dedup"),
        lambda: _run(review, "dedup"),  # nothing new: nothing changes
        lambda: _run(review, "dedup", "--queue"),
        lambda: _run(review, "dedup", "--resolve", str(_queued(review)[0]), "duplicate"),
        lambda: _run(review, "dedup", "--resolve", str(_queued(review)[1]), "distinct"),
        lambda: _run(review, "dedup", "--resolve", str(_queued(review)[0]), "distinct"),  # split
        lambda: _run(review, "dedup", "--resolve", "99999", "distinct"),  # unknown pair
        lambda: _run(review, "dedup", "--undo", str(_auto_merged(review))),
        lambda: _run(review, "dedup", "--undo", str(_auto_merged(review))),  # not merged now
        lambda: _run(review, "import", pubmed),
        lambda: _run(review, "dedup"),  # only pairs with the new records
        lambda: _run(review, "dedup", "--queue"),
    ]
    return [step() for step in steps]


CODES = [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0]
WRITES = 14  # the steps that reach the write seam (a file that cannot be parsed and --queue
#            stop before it)


def _shown(said: list[tuple[int, str]], folder: Path) -> list[str]:
    return [text.replace(str(folder), "<review>") for _, text in said]


def test_import_and_dedup_write_the_same_rows_through_sqlite3_and_through_the_orm(
        tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    direct = _init(tmp_path / "direct")
    orm = _init(tmp_path / "orm")
    (tmp_path / "files").mkdir()
    said_direct = _actions(direct, corpus, tmp_path / "files")
    calls = without_sqlite_writer(monkeypatch)
    said_orm = _actions(orm, corpus, tmp_path / "files")
    assert len(calls) == WRITES  # every writing step fell back to the ORM's session
    assert [code for code, _ in said_direct] == CODES, said_direct
    assert _shown(said_orm, orm) == _shown(said_direct, direct)
    dumped = _dump(direct)
    assert dumped == _dump(orm)
    searches = dumped["search_import"]
    assert [(r[1], r[2], r[7], r[8], r[9]) for r in searches] == [
        ("Criminal Justice Abstracts", "database", "2022-12-07", "gambling AND harm*", 41),
        ("Lens", "other", None, None, 49), ("APA PsycInfo (EBSCO)", "other", None, None, 124),
        ("unknown", "database", None, None, 176)]  # the file does not say
    assert len(dumped["record"]) == len(dumped["record_provenance"]) == 41 + 49 + 124 + 176
    # record ids follow the files, provenance names each record's import and position
    assert [r[1:4] for r in dumped["record_provenance"][40:42]] == [(41, 1, 41), (42, 2, 1)]
    # the person's calls: a merge; two distincts, each splitting a group first (the second
    # pair's records had met in the first's group); an undone automatic merge
    assert [r[4] for r in dumped["dedup_decision"] if r[5] == "manual"] == [
        "merge", "unmerge", "distinct", "unmerge", "distinct", "unmerge", "distinct"]
    assert "kept apart" in said_direct[11][1] and "taken back out" in said_direct[11][1]
    assert "no dedup pair 99999" in said_direct[12][1]
    assert "0 new possible duplicate pairs" in said_direct[7][1]
    assert [r[1] for r in dumped["store_meta"] if r[0] == "dedup_seen"] == ["[[1,390]]"]


def test_refused_imports_and_calls_leave_the_file_byte_identical(tmp_path: Path,
                                                                  corpus: Path) -> None:
    review = _init(tmp_path / "rev")
    lens, psycinfo = (str(corpus / SAME_SEARCH.format(n)) for n in ("lens_49", "psycinfo_124"))
    assert _run(review, "import", lens, psycinfo)[0] == 0
    assert _run(review, "dedup")[0] == 0
    bad = tmp_path / "bad.ris"
    bad.write_bytes(b"\x00\x01\x02binary" * 100)
    before = _file_state(review)
    refused = [("import", str(bad)), ("import", lens, str(tmp_path / "gone.ris")),
               ("dedup", "--resolve", "99999", "duplicate"), ("dedup", "--undo", "1")]
    for argv in refused:
        code, said = _run(review, *argv)
        assert code == 1, (argv, said)
        assert _file_state(review) == before, argv
    assert "bad.ris" in _run(review, "import", str(bad))[1]


def _neutral(value: object) -> object:
    """A value as both backends give it: dates as ISO text (SQLite holds text)."""
    if isinstance(value, datetime):
        return "<stamp>"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(review: Path) -> dict[str, list[tuple[object, ...]]]:
    from reviewflow.store.db import Store
    from reviewflow.store.location import load_config

    stamps = ("at", "created_at", "imported_at")
    out = {}
    with Store.open(load_config(review).database_url()) as store, store.session() as s:
        con = s.connection()
        for table in ("search_import", "record", "record_provenance", "dedup_pair",
                      "dedup_decision", "store_meta"):
            result = con.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1")
            names = list(result.keys())
            out[table] = [tuple("<stamp>" if n in stamps else _neutral(v)
                                for n, v in zip(names, row, strict=True)) for row in result]
    return out


def test_import_and_dedup_store_the_same_on_every_backend(review_dir: Path, tmp_path: Path,
                                                          corpus: Path) -> None:
    """The review on the selected backend (PostgreSQL in the ``-m store`` pass: the
    session's connection, ids from the tables' sequences) against a SQLite review written
    through sqlite3: the same output and the same rows."""
    lite = _init(tmp_path / "lite")
    (tmp_path / "files").mkdir()
    said_lite = _actions(lite, corpus, tmp_path / "files")
    said_here = _actions(review_dir, corpus, tmp_path / "files")
    assert _shown(said_here, review_dir) == _shown(said_lite, lite)
    here, there = _rows(review_dir), _rows(lite)
    for table, rows in there.items():
        assert here[table] == rows, table
    con = sqlite3.connect(lite / "reviewflow.db")
    try:
        assert con.execute("SELECT count(*) FROM record").fetchone()[0] == 390
    finally:
        con.close()


def test_insert_many_stores_what_insert_stores_with_ids_in_order(tmp_path: Path) -> None:
    """Rows written in bulk read back as the same rows written one at a time, through
    sqlite3 and through a session alike: dates and aware datetimes as the ORM stores them
    (whichever row holds one), omitted columns their defaults, ids in the rows' order."""
    from datetime import UTC, timedelta, timezone

    from reviewflow.store.db import Store
    from reviewflow.store.writer import open_sqlite_writer, session_writer

    when = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    rows = [(f"DB{i}", f"f{i}.ris", f"{i:064d}", "ris", "utf-8",
             None if i % 2 else date(2024, 1, 1 + i), when + timedelta(days=i))
            for i in range(1, 6)]
    columns = ("database", "file_name", "file_sha256", "format", "encoding", "searched_on",
               "imported_at")
    singly, bulk, orm = (_init(tmp_path / name) for name in ("singly", "bulk", "orm"))
    with open_sqlite_writer(singly / "reviewflow.db") as writer:
        assert writer is not None
        ids = [writer.insert("search_import", **dict(zip(columns, row, strict=True)))
               for row in rows]
    with open_sqlite_writer(bulk / "reviewflow.db") as writer:
        assert writer is not None
        assert writer.insert_many("search_import", columns, rows) == ids == [1, 2, 3, 4, 5]
        assert writer.insert_many("search_import", columns, []) == []
    with Store.open(f"sqlite:///{orm / 'reviewflow.db'}") as store, store.write() as s:
        assert session_writer(s).insert_many("search_import", columns, rows) == ids
    assert _dump(bulk)["search_import"] == _dump(singly)["search_import"] \
        == _dump(orm)["search_import"]
    con = sqlite3.connect(bulk / "reviewflow.db")
    try:
        stored = con.execute("SELECT searched_on, imported_at, origin, record_count "
                             "FROM search_import ORDER BY id").fetchall()
    finally:
        con.close()
    assert stored[0] == (None, "2026-03-03 04:30:00.000000", "database", 0)
    assert stored[1] == ("2024-01-03", "2026-03-04 04:30:00.000000", "database", 0)
    assert when.astimezone(UTC).day == 2  # the UTC day, not the local one


def test_one_file_imported_by_two_writers_at_once_is_one_import(pg_url: str,
                                                                corpus: Path) -> None:
    """PostgreSQL lets two imports run side by side: the second's import row waits on
    the first's unique sha256, then is a no-op once the first commits, and the file is
    reported as already imported with nothing of it written twice."""
    import threading
    import time

    from reviewflow.store.db import Store
    from reviewflow.store.imports import prepare, store_prepared

    prepared = prepare(corpus / SAME_SEARCH.format("crimjust_41"))
    out: dict[str, object] = {}
    with Store.create(pg_url, title="Race") as store:

        def second() -> None:
            try:
                with store.write() as s:
                    out["second"] = store_prepared(session=s, prepared=prepared)
            except Exception as exc:  # noqa: BLE001 - shown by the assertion below
                out["second"] = exc

        with store.write() as s:
            out["first"] = store_prepared(session=s, prepared=prepared)
            racer = threading.Thread(target=second)
            racer.start()
            deadline = time.monotonic() + 20
            with store.session() as watch:  # wait until the second waits on our row
                while not watch.connection().exec_driver_sql(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted").scalar():
                    assert time.monotonic() < deadline, "the second import never waited"
                    time.sleep(0.05)
        racer.join(30)
        first, again = out["first"], out["second"]
        assert not first.already_imported and first.stored == 41  # type: ignore[attr-defined]
        assert getattr(again, "already_imported", again) is True, again
        assert again.import_id == first.import_id  # type: ignore[attr-defined]
        with store.session() as s:
            con = s.connection()
            assert [con.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                    for t in ("search_import", "record", "record_provenance")] == [1, 41, 41]
