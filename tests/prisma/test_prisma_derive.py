"""PRISMA counts derived from a store: the identities hold through merges, undos and changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.prisma.derive import prisma_counts
from reviewflow.screening.settings import load_settings
from reviewflow.stages import FULL_TEXT as FT
from reviewflow.stages import TITLE_ABSTRACT as TA
from reviewflow.store import models
from reviewflow.store.db import Store
from tests.screening.support import add_reviewer, settle, vote


def _import(store: Store, database: str, n: int, origin: str = "database") -> list[int]:
    """Stand-in for an import: one SearchImport and n records with provenance."""
    with store.write() as s:
        imp = models.SearchImport(database=database, origin=origin, file_name=f"{database}.ris",
                                  file_sha256=f"{database:0<64}"[:64], format="ris",
                                  encoding="utf-8", record_count=n)
        s.add(imp)
        s.flush()
        ids = []
        for pos in range(1, n + 1):
            rec = models.RecordRow(title=f"{database} record {pos}")
            s.add(rec)
            s.flush()
            s.add(models.RecordProvenance(record_id=rec.id, import_id=imp.id, position=pos))
            ids.append(rec.id)
    return ids


def _merge(store: Store, kept: int, merged: int, method: str = "auto", action: str = "merge"):
    with store.write() as s:
        s.add(models.DedupDecision(kept_record_id=kept, merged_record_id=merged, action=action,
                                   method=method, score=1.0))


@pytest.fixture
def review(tmp_path: Path):
    store = Store.create(f"sqlite:///{tmp_path / 'r.db'}", title="PRISMA test")
    a = add_reviewer(store, "alice").id
    b = add_reviewer(store, "bob").id
    arb = add_reviewer(store, "carol", "arbiter")
    yield store, a, b, arb
    store.dispose()


def _both(store: Store, a: int, b: int, rec: int, stage: str, da: str, db: str | None = None,
          reason: str | None = None, reason_b: str | None = None) -> None:
    vote(store, record_id=rec, stage=stage, reviewer_id=a, decision=da, reason=reason)
    vote(store, record_id=rec, stage=stage, reviewer_id=b, decision=db or da,
                    reason=reason_b or reason)


def _counts(store: Store):
    with store.session() as s:
        return prisma_counts(s)


def test_identities_through_a_whole_review(review) -> None:
    store, a, b, arb = review
    pubmed = _import(store, "PubMed", 6)
    embase = _import(store, "Embase", 5)
    _merge(store, pubmed[0], embase[0])
    _merge(store, pubmed[1], embase[1], method="manual")
    c = _counts(store)
    assert c.identified == {"PubMed": 6, "Embase": 5}
    removed = (c.removed_duplicates, c.removed_duplicates_auto, c.removed_duplicates_manual)
    assert removed == (2, 1, 1)
    assert c.screened == 9 and c.awaiting["screening"] == 9
    assert c.identity_errors() == []

    active = pubmed + embase[2:]
    for rec in active[:4]:
        _both(store, a, b, rec, TA, "include")
    for rec in active[4:8]:
        _both(store, a, b, rec, TA, "exclude")
    _both(store, a, b, active[8], TA, "include", "exclude")  # a conflict
    c = _counts(store)
    assert (c.excluded_screening, c.sought, c.awaiting["screening"]) == (4, 4, 1)
    assert c.identity_errors() == []
    settings = load_settings(store)
    settle(store, settings, record_id=active[8], stage=TA, decision="include",
                     resolver=arb, method="arbiter")
    c = _counts(store)
    assert (c.sought, c.awaiting["screening"]) == (5, 0)

    ft = active[:4] + [active[8]]
    _both(store, a, b, ft[0], FT, "include")
    _both(store, a, b, ft[1], FT, "include", "maybe")
    _both(store, a, b, ft[2], FT, "exclude", reason="not randomised")
    _both(store, a, b, ft[3], FT, "exclude", reason="wrong population")
    _both(store, a, b, ft[4], FT, "not_retrieved")
    c = _counts(store)
    assert (c.not_retrieved, c.assessed) == (1, 4)
    assert c.excluded_reports == {"not randomised": 1, "wrong population": 1}
    assert (c.included_reports, c.included_studies) == (2, 2)
    assert c.identity_errors() == []

    # Two reports of one study count as one study.
    with store.write() as s:
        study = models.Study(label="Smith 2019")
        s.add(study)
        s.flush()
        s.add(models.StudyRecord(study_id=study.id, record_id=ft[0], is_primary=True))
        s.add(models.StudyRecord(study_id=study.id, record_id=ft[1]))
    assert _counts(store).included_studies == 1


def test_undo_merge_and_change_of_mind(review) -> None:
    store, a, b, arb = review
    pubmed = _import(store, "PubMed", 3)
    wos = _import(store, "Web of Science", 3)
    _merge(store, pubmed[0], wos[0])
    assert _counts(store).screened == 5
    _merge(store, pubmed[0], wos[0], action="unmerge")
    c = _counts(store)
    assert (c.removed_duplicates, c.screened) == (0, 6)
    assert c.identity_errors() == []
    _both(store, a, b, pubmed[0], TA, "exclude")
    assert _counts(store).excluded_screening == 1
    # Both votes are revealed, so locked: a change of mind goes through the arbiter.
    with pytest.raises(ReviewflowError, match="locked"):
        vote(store, record_id=pubmed[0], stage=TA, reviewer_id=a, decision="include")
    assert _counts(store).excluded_screening == 1
    settle(store, load_settings(store), record_id=pubmed[0], stage=TA,
                     decision="include", resolver=arb, method="arbiter")
    c = _counts(store)
    assert (c.excluded_screening, c.sought) == (0, 1)
    assert c.identity_errors() == []


def test_other_methods_column(review) -> None:
    store, a, b, _ = review
    _import(store, "PubMed", 2)
    cites = _import(store, "Citation searching", 2, origin="other")
    _both(store, a, b, cites[0], TA, "include")
    _both(store, a, b, cites[0], FT, "include")
    c = _counts(store)
    assert c.identified == {"PubMed": 2}
    assert c.other_methods is not None
    assert c.other_methods.identified == {"Citation searching": 2}
    assert c.other_methods.sought == 1 and c.other_methods.included_reports == 1
    assert c.included_reports == 1 and c.screened == 2
    assert c.identity_errors() == []
    assert "other_methods" in c.to_json()


def test_cli_json_and_svg(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "r")]).exit_code == 0
    store = Store.open(f"sqlite:///{tmp_path / 'r' / 'reviewflow.db'}")
    _import(store, "PubMed", 4)
    store.dispose()
    res = runner.invoke(app, ["prisma", "--json", "--review", str(tmp_path / "r"),
                              "--svg", str(tmp_path / "p.svg")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    for key in ("identified", "removed_duplicates", "removed_automation", "removed_other",
                "screened", "excluded_screening", "sought", "not_retrieved", "assessed",
                "excluded_reports", "included_studies", "included_reports"):
        assert key in data
    assert data["identified"] == {"PubMed": 4} and data["screened"] == 4
    svg = (tmp_path / "p.svg").read_text()
    assert re.search(r"Records screened \(n = 4\)", svg)


def test_unobtainable_full_text_is_not_retrieved(review) -> None:
    """'fulltext unobtainable' feeds "reports not retrieved"; a later decision on it wins."""
    from reviewflow.fulltext.service import mark_unobtainable, remove

    store, a, b, _arb = review
    ids = _import(store, "PubMed", 4)
    for rec in ids:
        _both(store, a, b, rec, TA, "include")
    with store.write() as s:
        mark_unobtainable(ids[0], "library has no access", session=s, by="ann")
        mark_unobtainable(ids[1], "author did not answer", session=s, by="ann")
    c = _counts(store)
    assert (c.sought, c.not_retrieved, c.assessed, c.awaiting["eligibility"]) == (4, 2, 2, 2)
    assert c.identity_errors() == []
    _both(store, a, b, ids[1], FT, "exclude", reason="wrong population")  # found it after all
    with store.write() as s:
        remove(ids[0], session=s, by="ann")  # withdrawn: waiting again
    c = _counts(store)
    assert (c.not_retrieved, c.assessed, c.awaiting["eligibility"]) == (0, 4, 3)
    assert c.excluded_reports == {"wrong population": 1}
    assert c.identity_errors() == []
