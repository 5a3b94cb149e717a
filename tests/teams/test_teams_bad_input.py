"""Bad input never becomes a traceback or a partial write.

Hypothesis feeds ``reviewflow decide --from`` CSV files built from valid and
hostile pieces (wrong headers, unknown ids, odd decisions, quotes, newlines,
non-UTF-8 bytes). Every file is either loaded in full (exit 0) or refused with
one error line (exit 1) and nothing stored. A review from a newer reviewflow is
refused by every command and left byte-for-byte untouched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import ReviewflowError
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import load_config
from tests.screening.support import make_review

runner = CliRunner()
EXAMPLES = 120

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
_ids = st.one_of(st.integers(1, 10).map(str), st.integers(-5, 10**12).map(str), _text)
_decisions = st.one_of(
    st.sampled_from(["include", "Exclude", "maybe", "excluded", "not retrieved", "retracted"]),
    _text)
_row = st.tuples(_ids, _decisions, _text, _text)
_header = st.one_of(
    st.just(["record_id", "decision", "reason", "note"]),
    st.just(["Record_ID ", "DECISION"]),
    st.permutations(["record_id", "decision", "reason", "note"]).map(list),
    st.lists(_text, min_size=1, max_size=4),
)


def _csv(header: list[str], rows: list[tuple[str, ...]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


_files = st.one_of(
    st.builds(_csv, _header, st.lists(_row, max_size=8)),
    st.binary(max_size=200),
    st.builds(lambda b, junk: b + junk, st.builds(_csv, _header, st.lists(_row, max_size=3)),
              st.binary(min_size=1, max_size=20)),
)


def _count(url: str) -> int:
    with Store.open(url) as store, store.session() as s:
        return int(s.exec(select(func.count()).select_from(models.ScreeningDecision)).one())


def test_decide_csv_is_loaded_whole_or_refused(tmp_path: Path) -> None:
    """Random CSV files: each is loaded whole (the count it prints is what was stored) or
    refused with one line and nothing stored; both outcomes must occur, or the generator
    exercised only one path."""
    review = make_review(tmp_path / "review", n_records=10, screeners=("fuzzer",))
    url = load_config(review).database_url()
    counts = {"tried": 0, "accepted": 0, "refused": 0}

    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(content=_files, stage=st.sampled_from(["title-abstract", "full-text"]))
    def one_file(content: bytes, stage: str) -> None:
        counts["tried"] += 1
        path = tmp_path / f"fuzz-{hashlib.sha256(content).hexdigest()[:10]}.csv"
        path.write_bytes(content)
        before = _count(url)
        res = runner.invoke(app, ["decide", "--reviewer", "fuzzer", "--stage", stage,
                                  "--from", str(path), "--review", str(review)])
        after = _count(url)
        if res.exit_code == 0:
            m = re.search(r"(\d+) decisions? stored", res.output)
            assert m, res.output
            assert after - before == int(m.group(1))
            counts["accepted"] += 1
        else:
            assert res.exit_code == 1, (res.exit_code, res.output, res.exception)
            assert isinstance(res.exception, ReviewflowError), repr(res.exception)
            assert "\n" not in str(res.exception).strip(), "error must be one line"
            assert after == before, "a refused file must store nothing"
            counts["refused"] += 1

    one_file()
    print(f"\ndecide CSV fuzz: {counts['tried']} inputs tried, {counts['accepted']} loaded, "
          f"{counts['refused']} refused with a one-line error")
    assert counts["tried"] >= EXAMPLES // 2
    assert counts["accepted"] > 0 and counts["refused"] > 0


def _file_digest(folder: Path) -> str:
    return hashlib.sha256((folder / "reviewflow.db").read_bytes()).hexdigest()


def _make_newer(url: str) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    eng.dispose()


@pytest.mark.parametrize("command", [
    ["status"], ["history", "1"], ["export", "decisions"], ["export", "bundle", "X"],
    ["decide", "--reviewer", "a", "--stage", "title-abstract", "--from", "F"],
])
def test_newer_review_is_refused_by_every_command_and_untouched(
        review_dir: Path, tmp_path: Path, command: list[str]) -> None:
    url = load_config(review_dir).database_url()
    _make_newer(url)
    sqlite = url.startswith("sqlite")
    before = _file_digest(review_dir) if sqlite else None
    (tmp_path / "F").write_text("record_id,decision\n1,include\n")
    args = [str(tmp_path / a) if a in ("X", "F") else a for a in command]
    res = runner.invoke(app, [*args, "--review", str(review_dir)])
    assert res.exit_code == 1, res.output
    assert "newer reviewflow" in str(res.exception)
    assert not (tmp_path / "X").exists()
    if sqlite:
        assert _file_digest(review_dir) == before
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == (
            "ffff_future")
    eng.dispose()
