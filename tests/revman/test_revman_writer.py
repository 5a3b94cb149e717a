"""Writing RevMan 5 files: lossless for what the reader reads, results RevMan-shaped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reviewflow.revman.check import Verdict, check_file
from reviewflow.revman.model import RevManFile
from reviewflow.revman.reader import read_rm5
from reviewflow.revman.writer import write_rm5

SMALL = Path(__file__).parent / "fixtures" / "small.rm5"


def content(r: RevManFile):
    """Everything but RevMan's stored results and source lines."""
    def rows(rs):
        return [dataclasses.replace(x, stored=None, line=None) for x in rs]

    return (r.title, r.studies, r.risk_of_bias, [
        (c.id, c.no, c.name, o.id, o.no, o.name, o.kind, o.settings, o.has_subgroups,
         o.group_labels, o.graph_labels, rows(o.rows),
         [(s.id, s.no, s.name, rows(s.rows)) for s in o.subgroups])
        for c in r.comparisons for o in c.outcomes])


def round_trip(review: RevManFile, tmp_path: Path) -> RevManFile:
    path = tmp_path / "out.rm5"
    path.write_bytes(write_rm5(review))
    return read_rm5(path)


def test_hand_made_file_round_trips_and_its_results_check(tmp_path: Path) -> None:
    original = read_rm5(SMALL)
    again = round_trip(original, tmp_path)
    assert content(again) == content(original)
    assert again.calculated
    report = check_file(again)
    assert [o.verdict for o in report.outcomes] == [Verdict.AGREES] * 3
    dich = again.comparisons[0].outcomes[0]
    ruiz = dich.subgroups[1].rows[1]
    assert ruiz.stored.estimable is False  # 0/10 vs 0/11: RR not estimable
    assert dich.stored.effect is not None and dich.stored.weight == 100.0
    # Subtotals only, no subgroups: RevMan stores an (unshown) total with weight 0,
    # the pooled values in CD007868 (zeros in CD013210); meta reads it.
    iv = again.comparisons[0].outcomes[2]
    assert iv.stored.estimable is True and iv.stored.weight == 0.0
    assert iv.stored.df == 1.0


@pytest.mark.corpus
def test_every_corpus_file_round_trips_and_our_results_agree(corpus: Path,
                                                             tmp_path: Path) -> None:
    files = sorted((corpus / "revman" / "rm5").glob("*.rm5"))
    if not files:
        pytest.skip("no .rm5 files in the corpus")
    agree = 0
    for f in files:
        original = read_rm5(f)
        again = round_trip(original, tmp_path)
        assert content(again) == content(original), f.name
        report = check_file(again)
        assert report.agrees, (f.name, [o.label for o in report.outcomes
                                        if o.verdict is Verdict.DIFFERS])
        agree += report.count(Verdict.AGREES)
    # 478 RevMan calculated, plus Fleiss 1.2 (never calculated by RevMan, now by us)
    assert agree == 479


def test_check_command_exits_1_and_names_each_difference(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from reviewflow.cli.main import app

    good = tmp_path / "good.rm5"
    good.write_bytes(write_rm5(read_rm5(SMALL)))
    res = CliRunner().invoke(app, ["revman", "check", str(good), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["agrees"] and doc["counts"] == {"agrees": 3, "differs": 0, "skipped": 0}
    text = good.read_text(encoding="utf-8")
    start = text.index("<CONT_OUTCOME")
    head, tail = text[:start], text[start:]
    i = tail.index('CI_END="') + len('CI_END="')
    j = tail.index('"', i)
    bad = tmp_path / "bad.rm5"
    bad.write_text(head + tail[:i] + repr(float(tail[i:j]) + 0.001) + tail[j:],
                   encoding="utf-8")
    res = CliRunner().invoke(app, ["revman", "check", str(bad)])
    assert res.exit_code == 1
    assert "differs" in res.output
    assert "total: CI end RevMan" in res.output
    assert "2 outcomes agree, 1 differ, 0 skipped" in res.output
