"""A small review with something in every kind of table, for audit and bundle tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.store import models
from reviewflow.store.db import Store
from tests.screening.support import vote

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def fill(store: Store, records: int = 6) -> dict[str, int]:
    """Records from one import, dual decisions with a change of mind, a resolution,
    a merge then an un-merge, a study with extraction and risk of bias."""
    with store.write() as s:
        alice = ensure_reviewer(session=s, name="alice").id
        bob = ensure_reviewer(session=s, name="bob").id
        carol = ensure_reviewer(session=s, name="carol", role="arbiter").id
    assert alice and bob and carol
    with store.write() as s:
        imp = models.SearchImport(database="MEDLINE", file_name="medline.nbib",
                                  file_sha256="ab" * 32, format="nbib", encoding="utf-8",
                                  searched_on=date(2026, 2, 1), record_count=records)
        s.add(imp)
        s.flush()
        ids = []
        for pos in range(1, records + 1):
            rec = models.RecordRow(title=f"MSC trial {pos} – ünïcode", year=2010 + pos,
                                   authors_json='["Lee, K."]', doi=f"10.1/{pos}")
            s.add(rec)
            s.flush()
            ids.append(rec.id)
            s.add(models.RecordProvenance(record_id=rec.id, import_id=imp.id, position=pos))
    first = ids[0]
    # bob changes his mind before alice's vote reveals his (afterwards it would be locked)
    vote(store, record_id=first, stage="title_abstract", reviewer_id=bob,
                    decision="exclude", reason="not RCT")
    vote(store, record_id=first, stage="title_abstract", reviewer_id=bob,
                    decision="maybe", note="changed my mind")
    vote(store, record_id=first, stage="title_abstract", reviewer_id=alice,
                    decision="include", note="looks randomised")
    for rid in ids[1:]:
        vote(store, record_id=rid, stage="title_abstract", reviewer_id=alice,
                        decision="exclude", reason="wrong population")
    with store.write() as s:
        s.add(models.ConflictResolution(record_id=first, stage="title_abstract",
                                        decision="include", method="arbiter",
                                        resolved_by_id=carol, at=T0 + timedelta(days=400)))
        pair = models.DedupPair(record_a_id=first, record_b_id=ids[1], score=0.97,
                                outcome="possible")
        s.add(pair)
        s.flush()
        s.add(models.DedupDecision(pair_id=pair.id, kept_record_id=first,
                                   merged_record_id=ids[1], action="merge", method="auto",
                                   score=0.97, at=T0))
        s.add(models.DedupDecision(pair_id=pair.id, kept_record_id=first,
                                   merged_record_id=ids[1], action="unmerge", method="manual",
                                   reviewer_id=alice, reason="different trial",
                                   at=T0 + timedelta(hours=2)))
        study = models.Study(label="Lee 2011")
        s.add(study)
        s.flush()
        s.add(models.StudyRecord(study_id=study.id, record_id=first, is_primary=True))
        form = models.ExtractionForm(name="main", definition="[study]\ncountry = 'text'\n")
        s.add(form)
        s.flush()
        s.add(models.ExtractionValue(study_id=study.id, form_id=form.id, reviewer_id=alice,
                                     field_path="study/country", value="Korea"))
        s.add(models.RobJudgement(study_id=study.id, tool="rob2", domain="D1",
                                  judgement="low", reviewer_id=bob, is_consensus=True))
        s.add(models.GradeJudgement(outcome="pain_vas", domain="imprecision",
                                    judgement="serious", reason="CI crosses 0.5 – ünïcode",
                                    reviewer_id=alice))
    return {"first": first, "second": ids[1], "records": records}
