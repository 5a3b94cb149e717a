"""Every reading command moved onto the read seam answers the same through ``sqlite3``
as through a session, and reads real rows on either backend.

``policy``, ``reviewer list``, ``searches``, ``extraction status / compare / study
list``, ``same-study``, ``dedup --queue / --related``, ``fulltext list / match
--review``, ``rob compare`` and ``grade show / history`` read a SQLite store through a
read-only ``sqlite3`` connection and anything else (PostgreSQL in the PostgreSQL pass)
through a session. The review here holds rows of every kind they read: a policy change
and a pilot, three searches (one with a date and a query), reports in two languages
of one trial, dual extraction with agreement, a disagreement, a single extractor and
a consensus, RoB judgements agreed and disputed, GRADE judgements and a retraction,
possible and related duplicate pairs (one settled by a person), full-text PDFs
attached, offered and rejected, and an unobtainable report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_backend import BACKEND, new_store_url

from reviewflow.extraction.rob import ROB1
from reviewflow.fulltext.matching import Doubt
from reviewflow.fulltext.service import mark_unobtainable
from reviewflow.grade.domains import Domain, Judgement
from reviewflow.grade.judgements import record as record_grade
from reviewflow.grade.judgements import retract
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig, load_config
from tests.extraction.forms import new_study, save_judgements, save_values, use_test_form
from tests.screening.support import (
    add_reviewer,
    cli_ok,
    fill,
    settle,
    through_session,
    through_sqlite3,
    vote,
)

pytestmark = pytest.mark.store  # re-run on PostgreSQL (tests/store_backend.py)

N = 12
RIS = """TY  - JOUR
TI  - 脐带间充质干细胞治疗系统性红斑狼疮的随机对照试验
TT  - Umbilical cord mesenchymal stem cells for systemic lupus erythematosus: a randomized trial
AU  - 张伟
AU  - 李娜
PY  - 2019
LA  - chi
AB  - 注册号 ChiCTR-IPR-15006290。
ER  - 

TY  - JOUR
TI  - Umbilical cord MSC transplantation in systemic lupus erythematosus: a randomised trial
AU  - Zhang, Wei
AU  - Li, Na
PY  - 2020
LA  - eng
AB  - Registered at ChiCTR-IPR-15006290.
ER  - 
"""


def _extraction(store: Store, folder: Path, ids: dict[str, int]) -> None:
    form_id, form = use_test_form(store, folder)
    alpha = new_study(store, "Alpha 2010", [1]).id
    beta = new_study(store, "Beta 2011", [2]).id
    for who, size in (("ann", "40"), ("bob", "42")):  # sample size disputed
        save_values(store, form, form_id, ids[who], [
            (alpha, "study/country", "China"), (alpha, "study/sample_size", size),
            (alpha, "study/design", "parallel RCT")])
    save_values(store, form, form_id, ids["ann"], [(beta, "study/country", "Iran")])
    save_values(store, form, form_id, ids["ari"], [(alpha, "study/design", "cluster RCT")],
                consensus=True)
    for who, seq in (("ann", "low"), ("bob", "high")):
        save_judgements(store, ROB1, ids[who], [
            (alpha, "random_sequence", seq, f"{who}: list"),
            (alpha, "allocation_concealment", "low", "sealed envelopes")])
    save_judgements(store, ROB1, ids["ari"], [(beta, "blinding_participants", "high", None)],
                    consensus=True)
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    with store.write() as s:
        for domain, judgement, reason in (
                (Domain.RISK_OF_BIAS, Judgement.SERIOUS, "random sequence unclear"),
                (Domain.IMPRECISION, Judgement.NOT_SERIOUS, None),
                (Domain.INCONSISTENCY, Judgement.SERIOUS, "I2 80%")):
            row = record_grade(session=s, outcome="pain_vas", domain=domain,
                               judgement=judgement, reason=reason, reviewer_id=ids["ann"])
            row.at = at
    with store.write() as s:
        retract(session=s, outcome="pain_vas", domain=Domain.INCONSISTENCY,
                reviewer_id=ids["bob"], reason="pooled again")


def _votes(store: Store, ids: dict[str, int]) -> None:
    """Screening votes (bob's on record 2 unseen by him on 1's) and a resolution."""
    for rid, calls in ((1, (("ann", "include"), ("bob", "include"))),
                       (2, (("ann", "exclude"),)),
                       (3, (("ann", "include"), ("bob", "exclude")))):
        for who, call in calls:
            vote(store, record_id=rid, stage=TITLE_ABSTRACT, reviewer_id=ids[who],
                 decision=call)
    with store.session() as s:
        arbiter = s.get(models.Reviewer, ids["ari"])
    settle(store, ScreeningSettings(), record_id=3, stage=TITLE_ABSTRACT, decision="exclude",
           resolver=arbiter, method="arbiter")


def _dedup_and_fulltext(store: Store) -> None:
    with store.write() as s:
        pairs = [models.DedupPair(record_a_id=a, record_b_id=b, score=score, outcome=outcome,
                                  reason=why)
                 for a, b, score, outcome, why in (
                     (3, 4, 0.91, "possible", "title and year"),
                     (5, 6, 0.87, "possible", "title only"),
                     (7, 8, 0.5, "related", "erratum of the paper"))]
        s.add_all(pairs)
        s.flush()
        s.add(models.DedupDecision(pair_id=pairs[1].id, kept_record_id=5, merged_record_id=6,
                                   action="distinct", method="manual"))
        files = [models.FullTextFile(sha256=c * 64, size=1000, page_count=3, text_layer="yes",
                                     original_name=f"{name}.pdf", stored_as=f"{c}{c}/{name}.pdf",
                                     mode="copy", added_by="ann")
                 for c, name in (("c", "Author9 2018"), ("d", "Author10 2019"),
                                 ("e", "supplement"))]
        s.add_all(files)
        s.flush()
        s.add(models.FullTextEvent(record_id=10, file_id=files[1].id, action="attach",
                                   method="auto", evidence="doi", by="ann"))
        for file, rid, doubt in ((files[0], 9, Doubt.WEAK_EVIDENCE),
                                 (files[1], 11, Doubt.SEVERAL_RECORDS),  # owned: closed
                                 (files[2], 10, Doubt.RECORD_HAS_PDF),  # stays
                                 (files[2], 11, Doubt.SEVERAL_RECORDS)):  # rejected below
            s.add(models.FullTextCandidate(file_id=file.id, record_id=rid, evidence="title",
                                           doubt=doubt, title_score=71.5))
        s.add(models.FullTextEvent(record_id=11, file_id=files[2].id, action="reject",
                                   method="manual", by="bob"))
        mark_unobtainable(12, "no library holds it", session=s, by="ann")


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reading-more") / "rev"
    folder.mkdir()
    config = ReviewConfig(folder=folder, title="Reading commands")
    if BACKEND == "postgres":
        config.db_url = new_store_url(folder)
    fill(Store.create(config.database_url(), title="Reading commands"), N).dispose()
    config.save()
    for name in ("bob", "ann", "Cat"):
        cli_ok(folder, "reviewer", "add", name)
    cli_ok(folder, "reviewer", "add", "ari", "--role", "arbiter")
    cli_ok(folder, "policy", "--blind", "off", "--screeners", "1", "--verify", "0.25",
       "--stage", "full-text", "--by", "ari")
    with Store.open(load_config(folder).database_url()) as store:
        ids = {name: int(add_reviewer(store, name).id or 0) for name in ("ann", "bob", "ari")}
        _votes(store, ids)
    cli_ok(folder, "pilot", "start", "--stage", "title-abstract", "--size", "3", "--by", "ari")
    ris = folder.parent / "two.ris"
    ris.write_text(RIS, encoding="utf-8")
    cli_ok(folder, "import", str(ris), "--database", "CNKI")
    cli_ok(folder, "searches", "edit", "3", "--searched", "2024-02-29", "--query", "MSC AND lupus")
    with Store.open(load_config(folder).database_url()) as store:
        _extraction(store, folder, ids)
        _dedup_and_fulltext(store)
    cli_ok(folder, "policy", "--blind", "on", "--by", "ari")  # a screener's view is filtered
    return folder


# Each command with lines only the review's rows can produce (so two empty answers, or
# a loader that dropped a kind of row, fail).
CASES = [
    (("policy",), ["blind: on", "at full text: 1 (verification sample: 0.25"]),
    (("policy", "--history"), ["\tari\tblind = False", "\tari\tpilot:title_abstract: 3 records"]),
    (("reviewer", "list"), ["Cat\treviewer\nann\treviewer\nari\tarbiter\nbob\treviewer\n"]),
    (("searches",), ["3 searches", "CNKI", "2024-02-29", "MSC AND lupus"]),
    (("searches", "--json"), ['"searched_on": "2024-02-29"', '"stored": 2', '"stored": 12']),
    (("extraction", "status"), ["Alpha 2010\tann 3, bob 3\tagreed 2\topen 1",
                                "Beta 2011\tann 1\tagreed 0\topen 1",
                                "2 studies, 0 reconciled, 2 open discrepancies"]),
    (("extraction", "compare"), ["Alpha 2010 study/sample_size: ann: 40, bob: 42",
                                 "Beta 2011 study/country: ann: Iran (only one extractor)"]),
    (("extraction", "form"), ["MSC RCTs (extraction tests) (stored form id 1)",
                              "Outcome pain_vas: Pain (VAS)"]),
    (("extraction", "study", "list"), ["\tAlpha 2010\treports: 1\n", "\tBeta 2011\treports: 2"]),
    (("same-study",), [f"records {N + 1} and {N + 2}", "same trial registration number",
                       "same authors across transliteration", "[chi]", "1 pair:"]),
    (("dedup", "--queue"), ["pair 1  score 0.910  (title and year)", "record 3:",
                            "[2012; Journal of Trials]", "1 pair waiting"]),
    (("dedup", "--related"), ["records 7 and 8: erratum of the paper", "1 related pair"]),
    (("fulltext", "list"), ["attached      Author10 2019.pdf", "unobtainable  no library",
                            f"{N + 2} records"]),
    (("fulltext", "list", "--format", "csv"), ["10,", "Author10 2019.pdf,attached"]),
    (("fulltext", "list", "--format", "ris", "--missing"), ["ID  - 9", "AU  - Zhang, Wei"]),
    (("fulltext", "match", "--review"), ["Author9 2018.pdf\n       -> record 9",
                                         "supplement.pdf\n       -> record 10", "2 waiting"]),
    (("rob", "compare"), ["Alpha 2010 random_sequence: ann: low, bob: high",
                          "1 unresolved discrepancies"]),
    (("grade", "show"), ["pain_vas:", "Risk of bias", "random sequence unclear (ann, "
                         "2026-03-04 05:06)"]),
    (("grade", "show", "--json"), ['"at": "2026-03-04T05:06:07+00:00"', '"imprecision"']),
    (("grade", "history", "pain_vas"), ["ann: Risk of bias -> serious",
                                        "bob: Inconsistency -> retracted (pooled again)"]),
    (("export", "decisions", "--as", "ari"), ["decision,2,title_abstract,ann,exclude",
                                              "resolution,3,title_abstract,ari,exclude"]),
    (("export", "records"), ["ID  - 13\n", "TT  - Umbilical cord mesenchymal", "AU  - 张伟"]),
    (("export", "records", "--format", "csv"), ["\n14,Umbilical cord MSC", ",PubMed; Embase\n",
                                                ",CNKI\n"]),
    (("export", "records", "--stage", "full-text", "--format", "csv"), ["\n1,", " (1),"]),
    (("export", "decisions", "--as", "bob"), ["decision,1,title_abstract,ann,include",
                                              "decision,3,title_abstract,bob,exclude"]),
]


@pytest.mark.parametrize(("args", "shown"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_moved_reading_commands_read_every_kind_of_row(
        review: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
        shown: list[str]) -> None:
    """Through a session (PostgreSQL in the PostgreSQL pass) each command reads the rows;
    on SQLite the read-only ``sqlite3`` path prints the same bytes."""
    slow = through_session(review, monkeypatch, *args)
    missing = [s for s in shown if s not in slow]
    assert not missing, (missing, slow)
    if BACKEND != "postgres":  # the sqlite3 path exists for SQLite files only
        assert through_sqlite3(review, monkeypatch, *args) == slow


def test_export_decisions_keeps_blinding_through_the_read_seam(review: Path) -> None:
    """A screener's export leaves out a vote on a record they have not decided (bob has
    not decided record 2); the arbiter's has it."""
    assert ",2,title_abstract,ann,exclude" not in cli_ok(review, "export", "decisions", "--as",
                                                     "bob")
    assert ",2,title_abstract,ann,exclude" in cli_ok(review, "export", "decisions", "--as", "ari")


def test_export_records_at_full_text_holds_only_what_moved_on(review: Path) -> None:
    """Record 1 alone was included at title/abstract by both its screeners."""
    out = cli_ok(review, "export", "records", "--stage", "full-text", "--format", "csv")
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["1"]
