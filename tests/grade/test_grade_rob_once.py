"""GRADE reads the whole-study risk-of-bias tables (RoB 1, RoB 2 for the whole study)
once per review, not once per outcome (issue 22: ``report`` reconciled them 21 times),
and every outcome still gets the judgements it got when each read its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reviewflow.extraction import rob
from reviewflow.grade.evidence import review_outcomes, study_rob
from reviewflow.grade.rules import Rob
from reviewflow.pooling.forest_rob import trial_of
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from reviewflow.store.reader import store_reader


def test_whole_study_rob_is_read_once(demo_build: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shutil.copytree(demo_build, tmp_path / "demo")
    store = Store.open(load_config(folder).database_url())
    try:
        real = rob.read_rob_table
        reads: list[tuple[str, str | None]] = []

        def counted(reader, tool, outcome=None):
            reads.append((tool.id, outcome))
            return real(reader, tool, outcome)

        monkeypatch.setattr(rob, "read_rob_table", counted)
        with store_reader(store) as reader:
            reviews = review_outcomes(reader, folder)
        assert len(reviews) > 2
        whole = [r for r in reads if r[1] is None]
        assert sorted(whole) == sorted({(rob.ROB1.id, None), (rob.ROB2.id, None)})
        assert len(reads) == 2 + len(reviews)  # and RoB 2 per outcome, once each

        monkeypatch.setattr(rob, "read_rob_table", real)
        judged = 0
        for review in reviews:
            with store_reader(store) as reader:  # read for this one only
                alone = study_rob(reader, review.run.analysis.outcome)
            for s in review.evidence.studies:
                assert s.rob == (alone.get(s.study) or alone.get(trial_of(s.study), Rob.UNKNOWN))
                judged += s.rob is not Rob.UNKNOWN
        assert judged  # the demo's studies are judged: the comparison compared something
    finally:
        store.dispose()
