"""Every command starts without loading the heavy libraries only some commands need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_cli_import_does_not_load_the_numeric_stack() -> None:
    heavy = ("sklearn", "pandas", "matplotlib", "numpy", "scipy")
    code = ("import sys, reviewflow.cli.main; "
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert out.stdout.strip() == "[]", out.stdout


def test_analyses_file_name_matches_extraction() -> None:
    from reviewflow.cli.analyse import ANALYSES_FILE
    from reviewflow.extraction.analyses import ANALYSES_FILE as DOMAIN_NAME

    assert ANALYSES_FILE == DOMAIN_NAME


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "", "COLUMNS": "120"})
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_command_index_is_up_to_date() -> None:
    """The lazy index matches what the area modules register (regenerate, never hand-edit)."""
    fresh = _run("from reviewflow.cli._lazy import build_index, index_source; "
                 "print(index_source(build_index()), end='')")
    stored = (REPO / "reviewflow" / "cli" / "_index.py").read_text(encoding="utf-8")
    if fresh != stored:
        names = {line.split(":")[0].strip(" '") for line in fresh.splitlines()
                 if line.startswith("    '")}
        known = {line.split(":")[0].strip(" '") for line in stored.splitlines()
                 if line.startswith("    '")}
        raise AssertionError(
            f"reviewflow/cli/_index.py is stale (missing: {sorted(names - known)}, gone: "
            f"{sorted(known - names)}, or a help/module changed): run "
            "`python -m reviewflow.cli._lazy` and commit the result")


def test_help_lists_every_command_without_loading_the_store() -> None:
    """``--help`` and ``--version`` in a fresh process load no store library (SQLAlchemy
    alone costs more than the 0.3 s a command may take to answer) and no area module."""
    names = _run("from reviewflow.cli._lazy import build_index\n"
                 "print(' '.join(sorted(build_index())))").split()
    probe = ("import sys\nfrom reviewflow.cli import main\n"
             "try:\n    main.main([{arg!r}])\nexcept SystemExit:\n    pass\n"
             "print('LOADED', ' '.join(sorted(m for m in sys.modules if m.startswith("
             "('sqlalchemy', 'sqlmodel', 'alembic', 'pydantic', 'reviewflow.store.db')) or "
             "m.startswith('reviewflow.cli.') and m not in ('reviewflow.cli.main', "
             "'reviewflow.cli._lazy', 'reviewflow.cli._index', 'reviewflow.cli.common'))))\n")
    for arg in ("--help", "--version"):
        out = _run(probe.format(arg=arg))
        loaded = out.split("LOADED")[1].split()
        assert loaded == [], f"{arg} imported {loaded}"
    help_text = _run(probe.format(arg="--help")).split("LOADED")[0]
    assert len(names) > 20
    missing = [n for n in names if f" {n} " not in help_text]
    assert not missing, f"--help does not list {missing}"
    assert "<bool>" not in help_text and "--version " in help_text


def test_a_module_missing_from_the_index_still_gives_its_commands() -> None:
    from reviewflow.cli._index import INDEX
    from reviewflow.cli._lazy import LazyCommands

    partial = {k: v for k, v in INDEX.items() if "report" not in v.modules}
    commands = LazyCommands(partial)
    assert "report" in commands.names()
    report = commands.command("report")
    assert report is not None and "report.html" in (report.help or "")


def test_a_command_loads_only_its_own_modules() -> None:
    out = _run("import sys\nfrom reviewflow.cli.main import COMMANDS\n"
               "assert COMMANDS.command('prisma') is not None\n"
               "print(' '.join(sorted(m for m in sys.modules if m.startswith('reviewflow.cli.'))))")
    assert set(out.split()) <= {"reviewflow.cli.main", "reviewflow.cli._lazy",
                                "reviewflow.cli._index", "reviewflow.cli.common",
                                "reviewflow.cli.prisma"}, out


@pytest.mark.parametrize(("argv", "shown"), [(["analyse", "--help"], "analyses.toml"),
                                             (["extraction", "--help"], "discrepancies open")])
def test_an_area_help_does_not_load_the_store(argv: list[str], shown: str) -> None:
    """A command's own --help needs its options, not the store its body opens."""
    out = _run(f"import sys\nfrom reviewflow.cli import main\n"
               f"try:\n    main.main({argv!r})\nexcept SystemExit:\n    pass\n"
               "print('LOADED', sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pandas') "
               "if m in sys.modules))\n")
    assert shown in out.split("LOADED")[0]
    assert out.split("LOADED")[1].strip() == "[]", out.split("LOADED")[1]


ORM = ("sqlalchemy", "sqlmodel", "reviewflow.store.models", "reviewflow.store.db", "alembic")


def _command(review: Path, argv: list[str], prefixes: tuple[str, ...] = ORM
             ) -> tuple[str, list[str]]:
    """What a command on ``review`` said in a fresh process (ending ``EXIT code`` when it
    exits), and the modules starting with one of ``prefixes`` it loaded."""
    probe = ("import sys\nfrom reviewflow.cli import main\n"
             f"try:\n    main.main({['--review', str(review), *argv]!r})\n"
             "except SystemExit as exit:\n    print('EXIT', exit.code)\n"
             "print('LOADED', ' '.join(sorted(m for m in sys.modules "
             f"if m.startswith({prefixes!r}))))\n")
    said, loaded = _run(probe).split("LOADED")
    return said, loaded.split()


@pytest.mark.parametrize(("argv", "shown", "code"), [
    (["status"], "Startup", 0), (["status", "--json"], '"schema": "0', 0),
    (["status", "--as", "ann"], "Screening: blind on", 0),
    (["kappa"], "No records decided by two", 0),
    (["kappa", "--json", "--stage", "full-text"], "[]", 0),
    (["prisma"], "Records identified from databases: 0", 0),
    (["conflicts", "--as", "ann", "--all"], "No conflicts.", 0),
    (["history", "1", "--as", "ann"], "EXIT 1", 1),  # no record 1: one line on stderr
    (["policy"], "blind: on", 0), (["policy", "--history"], "screeners per record", 0),
    (["reviewer", "list"], "ann\treviewer", 0), (["searches"], "0 searches", 0),
    (["searches", "--json"], "[]", 0), (["extraction", "status"], "0 studies", 0),
    (["extraction", "compare"], "0 unresolved", 0),
    (["extraction", "form"], "RCT (reviewflow default) (edited: stored as a new", 0),
    (["extraction", "study", "list"], "", 0),
    (["same-study"], "No reports to link", 0), (["dedup", "--queue"], "0 pairs waiting", 0),
    (["dedup", "--related"], "0 related pairs", 0), (["fulltext", "list"], "0 records", 0),
    (["fulltext", "list", "--format", "csv"], "record_id,title", 0),
    (["fulltext", "match", "--review"], "No doubtful matches", 0),
    (["rob", "compare"], "0 unresolved", 0), (["grade", "show"], "no GRADE judgements", 0),
    (["grade", "history", "pain_vas"], "EXIT 1", 1),  # nothing rated: one line on stderr
    (["export", "decisions", "--as", "ann"], "event_id,kind,record_id", 0),
    (["export", "records", "--format", "csv"], "record_id,title", 0)])
def test_reading_commands_do_not_load_the_orm_on_sqlite(tmp_path: Path, argv: list[str],
                                                         shown: str, code: int) -> None:
    """The reading commands (``status``, ``kappa``, ``prisma``, ``conflicts``, ``policy``,
    ``searches``, ``same-study``, the extraction, dedup, full-text, RoB and GRADE
    listings, ``export decisions`` and ``records``) read a SQLite review through sqlite3: importing
    SQLAlchemy and SQLModel alone takes longer than the 0.3 s a command may take to
    answer."""
    from reviewflow.screening.decisions import ensure_reviewer
    from reviewflow.store.db import Store
    from reviewflow.store.location import ReviewConfig

    config = ReviewConfig(folder=tmp_path, title="Startup")
    url = f"sqlite:///{tmp_path / 'reviewflow.db'}"
    with Store.create(url, title="Startup") as store, store.write() as session:
        ensure_reviewer(session=session, name="ann")
    config.save()
    said, loaded = _command(tmp_path, argv)
    assert f"EXIT {code}" in said and shown in said, said
    assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def test_no_command_help_loads_the_store() -> None:
    """Every command's own ``--help`` (its options, not its body) answers without the
    store libraries: the heavy imports sit inside the command functions."""
    probe = ("import sys\nfrom reviewflow.cli import main\nfrom reviewflow.cli._index import "
             "INDEX\nfor name in sorted(INDEX):\n"
             "    try:\n        main.main([name, '--help'])\n    except SystemExit:\n"
             "        pass\n"
             f"    loaded = sorted(m for m in {ORM!r} if m in sys.modules)\n"
             "    if loaded:\n        print('LOADED', name, loaded)\n        break\n"
             "print('CHECKED', len(INDEX))\n")
    out = _run(probe)
    assert "LOADED" not in out, out.split("LOADED")[1]
    assert int(out.split("CHECKED")[1]) > 20


def test_every_command_summary_in_help_is_one_line() -> None:
    """``--help`` lists each command with its docstring's first paragraph: one spanning
    lines shows its line breaks in the command list."""
    from reviewflow.cli._index import INDEX

    broken = sorted(name for name, entry in INDEX.items()
                    if "\n" in (entry.help or "").strip().split("\n\n")[0])
    assert not broken, f"summaries spanning lines: {broken}"


def test_writing_commands_do_not_load_the_orm_on_sqlite(tmp_path: Path) -> None:
    """``reviewer add``, ``decide``, ``resolve``, ``seed-relevant``, ``pilot``, ``allocate``
    and ``policy`` write a SQLite review at the current schema through sqlite3 (the write
    seam), not the ORM store."""
    from tests.screening.support import make_review

    review = make_review(tmp_path / "rev", 3)
    votes = {}
    for name, calls in (("ann", "include,include,exclude"), ("bob", "exclude,include,exclude")):
        votes[name] = tmp_path / f"{name}.csv"
        votes[name].write_text("record_id,decision\n" + "".join(
            f"{i},{call}\n" for i, call in enumerate(calls.split(","), start=1)),
            encoding="utf-8")
    steps = [
        (["reviewer", "add", "arb", "--role", "arbiter"], "Reviewer arb (arbiter)"),
        (["decide", "--reviewer", "ann", "--stage", "title-abstract", "--from",
          str(votes["ann"])], "3 decisions stored for ann"),
        (["decide", "--reviewer", "bob", "--stage", "title-abstract", "--from",
          str(votes["bob"])], "3 decisions stored for bob"),
        (["resolve", "1", "--stage", "title-abstract", "--decision", "include", "--by", "arb",
          "--method", "arbiter"], "resolved as include by arb"),
        (["seed-relevant", "2"], "known-relevant records: 2"),
        (["pilot", "start", "--stage", "full-text", "--size", "1", "--by", "arb"],
         "Pilot at full text: 1 record (seed"),
        (["pilot", "close", "--stage", "full-text", "--by", "arb", "--force"], "closed by arb"),
        (["allocate", "--stage", "full-text", "--by", "arb"], "Allocated 1 record at"),
        (["policy", "--blind", "off", "--by", "arb"], "blind: off"),
    ]
    for argv, shown in steps:
        said, loaded = _command(review, argv)
        assert shown in said, said
        assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def test_linking_fulltext_and_search_corrections_do_not_load_the_orm_on_sqlite(
        tmp_path: Path) -> None:
    """``same-study --link/--reject/--unlink``, ``fulltext unobtainable/remove/match
    --accept/--reject`` and ``searches edit`` write a SQLite review at the current schema
    through sqlite3 (the write seam), refusals included."""
    from tests.screening.support import make_review

    review = make_review(tmp_path / "rev", 3)
    steps = [
        (["same-study", "--link", "1", "2", "-r", "ann"], "records 1 and 2: one study"),
        (["same-study", "--unlink", "1", "2", "-r", "ann"], "two studies again"),
        (["same-study", "--reject", "2", "3", "-r", "ann"], "not one study"),
        (["same-study", "--link", "3", "3", "-r", "ann"], "EXIT 1"),
        (["fulltext", "unobtainable", "1", "--reason", "no library holds it", "-r", "ann"],
         "record 1: unobtainable"),
        (["fulltext", "remove", "1", "-r", "ann"], "record 1: no full text now"),
        (["fulltext", "match", "--accept", "1", "-r", "ann"], "EXIT 1"),  # none suggested
        (["fulltext", "match", "--reject", "1", "-r", "ann"], "EXIT 1"),
        (["searches", "edit", "1", "--database", "MEDLINE", "--searched", "2024-05-01"],
         "Search 1: MEDLINE (database), searched 2024-05-01"),
        (["searches", "edit", "1", "--origin", "website"], "EXIT 1"),
    ]
    for argv, shown in steps:
        said, loaded = _command(review, argv)
        assert shown in said, said
        assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def test_attaching_pdfs_does_not_load_the_orm_on_sqlite(tmp_path: Path, corpus: Path) -> None:
    """``fulltext attach`` and ``fulltext add`` read the PDFs, then write through sqlite3."""
    from tests.screening.support import make_review

    pdfs = corpus / "fulltext" / "pdf"
    names = ("datta2010_jtraumamanagout_dvt_prophylaxis_sr.pdf",
             "jimmunolres2016_retraction_notice.pdf")
    if not all((pdfs / n).is_file() for n in names):
        pytest.skip(f"{pdfs}: {', '.join(names)} not in this corpus")
    review = make_review(tmp_path / "rev", 3)
    folder = tmp_path / "Zotero"
    folder.mkdir()
    (folder / names[0]).symlink_to(pdfs / names[0])
    for argv, shown in (
            (["fulltext", "attach", str(folder), "-r", "ann"], "1 without a match"),
            (["fulltext", "add", "2", str(pdfs / names[1]), "-r", "ann"],
             f"attached  {names[1]} -> record 2 (1 pages)"),
            (["fulltext", "add", "3", str(pdfs / names[1]), "-r", "ann"], "EXIT 1")):
        said, loaded = _command(review, argv)
        assert shown in said, said
        assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def test_extraction_rob_and_grade_writing_commands_do_not_load_the_orm_on_sqlite(
        tmp_path: Path) -> None:
    """The writing commands of extraction (studies, values, consensus, a spreadsheet, a
    merge and its undoing), risk of bias and GRADE (judgements, a retraction) write a
    SQLite review at the current schema through sqlite3, a refused input too."""
    from tests.extraction.test_entry_writer import _files, _review

    (tmp_path / "files").mkdir()
    review = _review(tmp_path / "rev", tmp_path / "files")
    files = _files(tmp_path / "files")
    ex, st = ["extraction"], ["extraction", "study"]
    steps = [
        ([*st, "add", "Alpha 2010", "--record", "1"], "Study 'Alpha 2010' (id 1), reports: [1]"),
        ([*st, "add", "Beta 2011", "--record", "2"], "(id 2)"),
        ([*st, "link", "Beta 2011", "3"], "Study 'Beta 2011': reports [2, 3]"),
        ([*ex, "set", "Alpha 2010", "study/country", "China", "-r", "ann"], "saved"),
        ([*ex, "set", "Alpha 2010", "study/sample_size", "many", "-r", "ann"], "EXIT 1"),
        ([*ex, "resolve", "Alpha 2010", "study/country", "China", "-r", "bob"],
         "study/country: resolved"),
        ([*ex, "import", str(files["sheet"]), "-r", "bob", "--create-studies"],
         "2 rows read, 2 values stored for bob"),
        ([*st, "from-included"], "2 studies created"),
        (["rob", "set", "Alpha 2010", "D1", "low", "-r", "ann"],
         "Alpha 2010: Random sequence generation (selection bias): Low"),
        (["rob", "import", str(files["rob"]), "-r", "bob"], "2 judgements stored for bob"),
        ([*st, "merge", "Beta 2011", "Author5 2014", "-r", "ann"],
         "Study 'Author5 2014' merged into 'Beta 2011': reports 2, 3, 5"),
        ([*st, "unmerge", "Author5 2014", "-r", "ann"], "taken out of 'Beta 2011'"),
        (["grade", "set", "vas", "risk_of_bias", "serious", "--reason", "unclear", "-r", "ann"],
         "certainty now"),
        (["grade", "retract", "vas", "risk_of_bias", "-r", "ann"], "judgement retracted"),
    ]
    for argv, shown in steps:
        said, loaded = _command(review, argv)
        assert shown in said, (argv, said)
        assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def test_import_and_dedup_do_not_load_the_orm_on_sqlite(tmp_path: Path, corpus: Path) -> None:
    """``import``, the ``dedup`` run and a person's calls on its pairs (``--resolve``,
    ``--undo``) write a SQLite review at the current schema through the write seam; the
    calls load no matcher either (numpy, rapidfuzz: only a run matches records), and an
    import of RIS files into a pipe neither the other formats' readers nor a progress bar."""
    from reviewflow.store.db import Store
    from reviewflow.store.location import ReviewConfig

    exports = corpus / "exports" / "multi_db_same_search"
    review = tmp_path / "rev"
    review.mkdir()
    Store.create(f"sqlite:///{review / 'reviewflow.db'}", title="Gambling harms").dispose()
    ReviewConfig(folder=review, title="Gambling harms").save()
    matcher = ("numpy", "rapidfuzz")
    steps = [
        (["import", *(str(exports / f"citesource_20221207_gambling-harms_{name}.ris")
                      for name in ("crimjust_41", "lens_49", "psycinfo_124"))],
         "Total: read 214, stored 214", ("reviewflow.importers.bibtex",
                                          "reviewflow.importers.chinese",
                                          "reviewflow.importers.endnote_xml", "rich.progress")),
        (["dedup"], "2 new possible duplicate pairs queued", ()),
        (["dedup", "--resolve", "PAIR", "distinct"], "kept apart", matcher),
        (["dedup", "--undo", "RECORD"], "taken out of record", matcher),
    ]
    for argv, shown, also in steps:
        argv = [_first(review, "SELECT id FROM dedup_pair WHERE outcome = 'possible'")
                if a == "PAIR" else _first(review, "SELECT merged_record_id FROM "
                                                   "dedup_decision WHERE method = 'auto'")
                if a == "RECORD" else a for a in argv]
        said, loaded = _command(review, argv, (*ORM, *also))
        assert "EXIT 0" in said and shown in said, said
        assert loaded == [], f"{' '.join(argv)} imported {loaded}"


def _first(review: Path, sql: str) -> str:
    import sqlite3

    con = sqlite3.connect(review / "reviewflow.db")
    try:
        return str(con.execute(f"{sql} ORDER BY id").fetchone()[0])
    finally:
        con.close()
