"""``searches``: what each import records about its search, corrected by the team."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.prisma.derive import prisma_counts
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.searches import guess_origin, update_search

runner = CliRunner()
# No database tag and nothing database-specific: the importer cannot tell the source.
PLAIN_RIS = "TY  - JOUR\nTI  - Gambling harm {n}\nAU  - Li, Wei\nPY  - 2021\nER  - \n\n"


def _review(tmp_path: Path) -> Path:
    folder = tmp_path / "rev"
    assert runner.invoke(app, ["init", str(folder), "--title", "G"]).exit_code == 0
    return folder


def _file(tmp_path: Path, name: str, count: int, start: int = 0) -> Path:
    path = tmp_path / name
    path.write_text("".join(PLAIN_RIS.format(n=n) for n in range(start, start + count)),
                    encoding="utf-8")
    return path


def _run(review: Path, *args: str):
    res = runner.invoke(app, ["--review", str(review), *args])
    assert res.exit_code == 0, res.output
    return res


def _searches(review: Path) -> list[dict]:
    return json.loads(_run(review, "searches", "--json").stdout)


def test_unknown_database_is_named_afterwards_and_prisma_follows(tmp_path: Path) -> None:
    review = _review(tmp_path)
    res = _run(review, "import", str(_file(tmp_path, "export.ris", 3)))
    assert "does not say which database" in res.stdout
    assert "reviewflow searches edit 1 --database NAME" in res.stdout
    [row] = _searches(review)
    assert (row["database"], row["origin"], row["stored"]) == ("unknown", "database", 3)
    res = _run(review, "searches", "edit", "1", "--database", "PubMed", "--searched",
               "2023-12-31", "--query", "gambling AND harm*")
    assert "Search 1: PubMed (database), searched 2023-12-31" in res.stdout
    [row] = _searches(review)
    assert (row["database"], row["searched_on"], row["query"]) == (
        "PubMed", "2023-12-31", "gambling AND harm*")
    with Store.open(f"sqlite:///{review / 'reviewflow.db'}") as store, store.session() as s:
        assert prisma_counts(s).identified == {"PubMed": 3}
    # Re-importing the same file still changes nothing, the correction included.
    res = _run(review, "import", str(tmp_path / "export.ris"))
    assert "already imported" in res.stdout
    assert _searches(review)[0]["database"] == "PubMed"


def test_registers_and_other_methods_reach_their_prisma_boxes(tmp_path: Path) -> None:
    review = _review(tmp_path)
    _run(review, "import", str(_file(tmp_path, "ctgov.ris", 2)), "--database",
         "ClinicalTrials.gov")
    _run(review, "import", str(_file(tmp_path, "hand.ris", 1, start=10)), "--database",
         "Citation searching", "--origin", "other")
    _run(review, "import", str(_file(tmp_path, "db.ris", 4, start=20)), "--database", "Embase")
    kinds = {r["database"]: r["origin"] for r in _searches(review)}
    assert kinds == {"ClinicalTrials.gov": "register", "Citation searching": "other",
                     "Embase": "database"}
    with Store.open(f"sqlite:///{review / 'reviewflow.db'}") as store, store.session() as s:
        counts = prisma_counts(s)
    assert counts.identified == {"Embase": 4}
    assert counts.registers == {"ClinicalTrials.gov": 2}
    assert counts.other_methods is not None
    text = _run(review, "prisma").stdout
    assert "Records identified from databases: 4\n  Embase: 4" in text
    assert "Records identified from registers: 2\n  ClinicalTrials.gov: 2" in text
    assert "Other methods: records identified 1\n  Citation searching: 1" in text
    data = json.loads(_run(review, "prisma", "--json").stdout)
    assert data["identified"] == {"Embase": 4, "ClinicalTrials.gov": 2}
    assert data["registers"] == {"ClinicalTrials.gov": 2}
    # A register imported under a database's kind can be moved to its box.
    _run(review, "searches", "edit", "3", "--origin", "register")
    with Store.open(f"sqlite:///{review / 'reviewflow.db'}") as store, store.session() as s:
        assert prisma_counts(s).registers == {"ClinicalTrials.gov": 2, "Embase": 4}


def test_bad_corrections_are_refused_and_change_nothing(tmp_path: Path) -> None:
    review = _review(tmp_path)
    _run(review, "import", str(_file(tmp_path, "a.ris", 1)), "--database", "Scopus")
    for args, problem in ((["99", "--database", "X"], "search (import) 99 does not exist"),
                          (["1", "--origin", "regster"], "unknown source kind 'regster'"),
                          (["1", "--database", "  "], "cannot be empty")):
        res = runner.invoke(app, ["--review", str(review), "searches", "edit", *args])
        assert res.exit_code == 1 and problem in str(res.exception)
    res = runner.invoke(app, ["--review", str(review), "searches", "edit", "1"])
    assert res.exit_code == 2  # nothing to change is a usage error
    res = runner.invoke(app, ["--review", str(review), "import", str(tmp_path / "a.ris"),
                              "--origin", "website"])
    assert res.exit_code == 1
    [row] = _searches(review)
    assert (row["database"], row["origin"]) == ("Scopus", "database")


@pytest.mark.parametrize(("name", "kind"), [
    ("ClinicalTrials.gov", "register"), ("WHO ICTRP", "register"), ("ChiCTR", "register"),
    ("ISRCTN registry", "register"), ("EU Clinical Trials Register", "register"),
    ("PubMed", "database"), ("Embase", "database"), ("CNKI", "database"),
    ("Cochrane CENTRAL", "database"), ("Scopus", "database"), (None, "database"),
])
def test_register_names_are_recognised(name: str | None, kind: str) -> None:
    assert guess_origin(name) == kind


def test_update_search_in_the_domain(tmp_path: Path) -> None:
    review = _review(tmp_path)
    _run(review, "import", str(_file(tmp_path, "a.ris", 1)), "--database", "Scopus")
    with Store.open(f"sqlite:///{review / 'reviewflow.db'}") as store:
        with store.write() as session:
            row = update_search(session=session, import_id=1, query="q1")
            assert (row.database, row.query) == ("Scopus", "q1")  # None leaves fields alone
        with pytest.raises(ReviewflowError), store.write() as session:
            update_search(session=session, import_id=1, origin="elsewhere")
        with pytest.raises(KeyError), store.write() as session:  # a later failure ...
            update_search(session=session, import_id=1, query="q2")
            raise KeyError("later in the same action")
        with store.session() as session:  # ... takes the correction back
            assert session.get(models.SearchImport, 1).query == "q1"
