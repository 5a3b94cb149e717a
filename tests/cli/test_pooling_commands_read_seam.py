"""``analyse``, ``report``, ``grade suggest`` and ``grade sof`` read the store through the
read seam (issue 22): on SQLite through a read-only ``sqlite3`` connection, without
importing SQLAlchemy, SQLModel or the tables before the first figure job (nor after);
anything else through a session. Both paths must print and write the same bytes, on
the demo review, on a review imported from a RevMan file of the corpus, and on a review
on the tests' backend (PostgreSQL in the PostgreSQL pass).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from store_backend import BACKEND, new_store_url

from reviewflow.extraction.rob import ROB1
from reviewflow.grade.domains import Domain, Judgement
from reviewflow.grade.judgements import record as record_grade
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig
from tests.extraction.extraction_data import TRIALS, trial_entries
from tests.extraction.forms import new_study, save_judgements, save_values, use_test_form
from tests.revman.revman_support import invoke
from tests.screening.support import add_reviewer, through_session, through_sqlite3

REPO = Path(__file__).resolve().parents[2]
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")  # the report's "generated" time
RM5 = "Fleiss1993.rm5"  # small, with RoB 1 judgements and dichotomous analyses


def _written(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: the report's generation time masked, a .docx by the
    members that hold its content (its core properties carry the time it was written)."""
    out: dict[str, bytes] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        data = path.read_bytes()
        if path.suffix == ".html":
            data = STAMP.sub("STAMP", data.decode("utf-8")).encode("utf-8")
        if path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for member in zf.namelist():
                    if member != "docProps/core.xml":
                        out[f"{name}:{member}"] = zf.read(member)
            continue
        out[name] = data
    return out


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("the sqlite3 path opened the ORM store")


def _both_ways(review: Path, monkeypatch: pytest.MonkeyPatch, out: Path,
               args: tuple[str, ...]) -> tuple[str, dict[str, bytes]]:
    """The command through a session, then (on SQLite) through sqlite3 into the same
    folder: asserts the same output and the same files; returns them."""
    monkeypatch.setenv("REVIEWFLOW_WORKERS", "0")  # drawn in this process, not forked
    shutil.rmtree(out, ignore_errors=True)
    slow = through_session(review, monkeypatch, *args)
    slow_files = _written(out) if out.exists() else {}
    if BACKEND != "postgres":  # the sqlite3 path exists for SQLite files only
        shutil.rmtree(out, ignore_errors=True)
        with monkeypatch.context() as m:  # however a command reaches for the ORM store
            m.setattr(Store, "open", _refuse)
            fast = through_sqlite3(review, monkeypatch, *args)
        assert fast == slow
        fast_files = _written(out) if out.exists() else {}
        assert sorted(fast_files) == sorted(slow_files)
        differ = [name for name in slow_files if fast_files[name] != slow_files[name]]
        assert not differ, differ
    return slow, slow_files


def _commands(out: Path) -> dict[str, tuple[Path, tuple[str, ...]]]:
    """Each command and the folder it writes into (under ``out``)."""
    return {name: (out / name, args) for name, args in (
        ("analyses", ("analyse", "--all", "--out", str(out / "analyses"))),
        ("report", ("report", "--out", str(out / "report"))),
        ("suggest", ("grade", "suggest", "--json")),
        ("grade", ("grade", "sof", "--out", str(out / "grade"))))}


def _all_both_ways(review: Path, monkeypatch: pytest.MonkeyPatch, out: Path
                   ) -> dict[str, tuple[str, dict[str, bytes]]]:
    return {name: _both_ways(review, monkeypatch, folder, args)
            for name, (folder, args) in _commands(out).items()}


def test_demo_commands_are_the_same_through_sqlite3_and_a_session(
        demo_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shutil.copytree(demo_build, tmp_path / "demo")
    seen = _all_both_ways(folder, monkeypatch, tmp_path / "out")
    text, files = seen["analyses"]
    assert "oa_vas: " in text and "Test for subgroup differences" in text
    assert {"oa_vas_forest.png", "results.csv"} <= set(files)
    page = seen["report"][1]["report.html"].decode("utf-8")
    for shown in ("Characteristics of excluded studies", "judgements per study", "PRISMA 2020",
                  "<td>Title/abstract</td><td>reviewer_a / reviewer_b</td>", "Embase (Ovid)",
                  "<table class='sof'>", "Aydin 2022"):
        assert shown in page, shown
    assert {"figures/rob_rob1_traffic.png", "figures/prisma.svg"} <= set(seen["report"][1])
    assert json.loads(seen["suggest"][0])["oa_vas"]
    assert "sof.csv" in seen["grade"][0] and "sof.docx:word/document.xml" in seen["grade"][1]


@pytest.mark.corpus
def test_revman_review_commands_are_the_same_through_sqlite3_and_a_session(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rm5 = corpus / "revman" / "rm5" / RM5
    if not rm5.is_file():
        pytest.skip(f"not in the corpus: {rm5}")
    folder = tmp_path / "fleiss"
    invoke("revman", "import", str(rm5), str(folder))
    commands = _commands(tmp_path / "out")
    text, files = _both_ways(folder, monkeypatch, *commands["analyses"])
    assert "Overall: " in text and any(n.endswith("_forest.png") for n in files)
    _text, files = _both_ways(folder, monkeypatch, *commands["report"])
    page = files["report.html"].decode("utf-8")
    assert "judgements per study" in page and "Overall: " in page
    assert "figures/rob_rob1_traffic.png" in files


VAS_AE = """
[[analysis]]
name = "vas"
outcome = "pain_vas"
measure = "SMD"
subgroup = "cell_source"
rob_columns = "rob1"

[[analysis]]
name = "ae"
outcome = "adverse_events"
measure = "RR"
method = "MH"
"""


@pytest.fixture
def backend_review(tmp_path: Path) -> Path:
    """A review on the tests' backend: six trials extracted twice, RoB 1 judged, one
    GRADE judgement, two analyses declared."""
    folder = tmp_path / "rev"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="Pooling commands")
    if BACKEND == "postgres":
        config.db_url = new_store_url(folder)
    with Store.create(config.database_url(), title=config.title) as store:
        config.save()
        form_id, form = use_test_form(store, folder)
        ids = {label: int(new_study(store, label).id or 0) for label in TRIALS}
        for name in ("alice", "bob"):
            rid = int(add_reviewer(store, name).id or 0)
            save_values(store, form, form_id, rid, [
                e for label, t in TRIALS.items() for e in trial_entries(ids[label], t)])
            save_judgements(store, ROB1, rid, [(sid, "random_sequence", "low", None)
                                               for sid in ids.values()])
        with store.write() as s:
            record_grade(session=s, outcome="vas", domain=Domain.INDIRECTNESS,
                         judgement=Judgement.SERIOUS, reason="adults with knee OA",
                         reviewer_id=rid)
    (folder / "analyses.toml").write_text(VAS_AE, encoding="utf-8")
    return folder


@pytest.mark.store
def test_commands_read_the_backend_review(backend_review: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Through a session on either backend (PostgreSQL in its pass); on SQLite also
    through sqlite3, byte for byte the same."""
    seen = _all_both_ways(backend_review, monkeypatch, tmp_path / "out")
    assert "vas: " in seen["analyses"][0] and "vas_forest.png" in seen["analyses"][1]
    page = seen["report"][1]["report.html"].decode("utf-8")
    assert "Alda 2018" in page and "adults with knee OA" in page
    assert json.loads(seen["suggest"][0])["vas"]
    assert "adults with knee OA" in seen["grade"][1]["sof.html"].decode("utf-8")


PROBE = """
import json, sys
from reviewflow import drawing
from reviewflow.cli.main import main

ORM = ("sqlalchemy", "sqlmodel", "reviewflow.store.models", "reviewflow.store.db", "alembic")
def orm():
    return sorted(m for m in sys.modules if m.startswith(ORM))
first = []
submit = drawing.submit
def record(target, path, *args, **kwargs):
    if not first:
        first.append([target, orm()])
    return submit(target, path, *args, **kwargs)
drawing.submit = record
try:
    main(["--review", sys.argv[1], *sys.argv[2:]])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps({"first": first, "end": orm()}))
"""


@pytest.mark.parametrize("argv", [["analyse", "--all"], ["report"]])
def test_no_orm_import_before_the_first_figure_nor_after(demo_build: Path, tmp_path: Path,
                                                          argv: list[str]) -> None:
    """A fresh process of the command on a SQLite review: nothing of SQLAlchemy,
    SQLModel or the store's tables is imported when its first figure job goes out
    (its workers could otherwise not start drawing until those imports end), nor at
    all."""
    folder = shutil.copytree(demo_build, tmp_path / "demo")
    env = {**os.environ, "REVIEWFLOW_WORKERS": "0", "REVIEWFLOW_FIGURE_CACHE": "off",
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(folder), *argv],
                          capture_output=True, text=True, env=env, cwd=folder, timeout=600)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    [[target, loaded]] = seen["first"]
    assert target and loaded == [], f"{' '.join(argv)}: {loaded} before {target}"
    assert seen["end"] == [], f"{' '.join(argv)} imported {seen['end']}"


@pytest.mark.parametrize("argv", [["grade", "suggest"], ["grade", "sof"]])
def test_grade_pooling_commands_load_no_orm(demo_build: Path, tmp_path: Path,
                                            argv: list[str]) -> None:
    folder = shutil.copytree(demo_build, tmp_path / "demo")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(folder), *argv],
                          capture_output=True, text=True, env=env, cwd=folder, timeout=600)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["end"] == []
