"""A Chinese record is found and listed by its English title too (issue 18): the queue's
search and ``reviewflow rank``'s list, beside the original title and the language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.screening.prioritise import record_texts
from reviewflow.screening.queue import ScreeningQueue
from reviewflow.screening.settings import ScreeningSettings
from reviewflow.stages import TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import make_review, make_store, viewer

pytestmark = pytest.mark.store
ZH = "间充质干细胞治疗类风湿关节炎的随机对照研究"
EN = "Mesenchymal stem cells in rheumatoid arthritis"


def _chinese(store: Store, record_id: int) -> None:
    with store.write() as s:
        row = s.get(models.RecordRow, record_id)
        row.title, row.translated_title, row.language = ZH, f"{EN}: a randomised trial", "chi"
        row.abstract = "目的 观察疗效。"


def test_queue_search_finds_a_chinese_record_by_its_english_title(tmp_path: Path) -> None:
    store = make_store(tmp_path, 6)
    try:
        _chinese(store, 4)
        queue = ScreeningQueue(store, viewer(store, "ann"), TITLE_ABSTRACT, ScreeningSettings())
        assert queue.search("a randomised trial") == 4  # only record 4's English title says so
        assert queue.search("类风湿") == 4
        with store.session() as s:  # the ranking reads the English title too
            texts = record_texts(s, [4, 5])
        assert texts[0] == f"{ZH} {EN}: a randomised trial. 目的 观察疗效。"
        assert texts[1].startswith("Cost of biologic therapy in Crohn disease (5). Abstract 5")
    finally:
        store.dispose()


def test_rank_lists_the_original_and_the_english_title(tmp_path: Path) -> None:
    review = make_review(tmp_path / "rev", 5)
    with Store.open(load_config(review).database_url()) as store:
        _chinese(store, 2)
    runner = CliRunner()
    res = runner.invoke(app, ["--review", str(review), "rank", "--reviewer", "ann", "-n", "3"])
    assert res.exit_code == 0, res.output
    assert f"{ZH} / {EN}: a randomised trial [chi]" in res.output
    out = json.loads(runner.invoke(app, ["--review", str(review), "rank", "--reviewer", "ann",
                                         "--json", "-n", "3"]).output)
    assert out["next"][1]["title"].startswith(f"{ZH} / {EN}")
