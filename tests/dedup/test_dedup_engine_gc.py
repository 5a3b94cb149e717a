"""The run pauses the cycle collector for speed; it must hand it back as it found it."""

from __future__ import annotations

import gc

import pytest

from reviewflow.dedup import deduplicate, engine
from reviewflow.records import Record

RECORDS = [Record(title="Mesenchymal stem cells in lupus nephritis: a randomised trial",
                  authors=["Wang, D"], year=2014, volume="16", pages="79-85")] * 2


def test_collector_is_restored_after_a_run_and_after_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert gc.isenabled()
    assert len(deduplicate(RECORDS).groups) == 1
    assert gc.isenabled()

    def broken(*_: object) -> None:
        assert not gc.isenabled()  # paused while the run works
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "_deduplicate", broken)
    with pytest.raises(RuntimeError):
        engine.deduplicate(RECORDS)
    assert gc.isenabled()


def test_a_caller_that_disabled_the_collector_keeps_it_disabled() -> None:
    gc.disable()
    try:
        deduplicate(RECORDS)
        assert not gc.isenabled()
    finally:
        gc.enable()
