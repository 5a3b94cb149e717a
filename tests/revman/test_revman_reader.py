"""The RevMan 5 reader on a hand-made file, and its refusals of unsafe or broken XML."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewflow.cli.main import app
from reviewflow.errors import InputError
from reviewflow.revman.model import OutcomeKind, StudyStatus, Totals
from reviewflow.revman.reader import read_rm5

SMALL = Path(__file__).parent / "fixtures" / "small.rm5"


def test_studies_references_characteristics_and_risk_of_bias() -> None:
    r = read_rm5(SMALL)
    assert r.title == "Stem cells for lupus (hand-made test file)"
    assert r.revman_version == "5.4.1" and not r.calculated
    by_id = {s.id: s for s in r.studies}
    assert [s.status for s in r.studies] == [StudyStatus.INCLUDED] * 3 + [
        StudyStatus.EXCLUDED, StudyStatus.ONGOING]
    li = by_id["STD-Li_x002d_2019"]
    assert (li.name, li.year) == ("Li 2019", "2019")
    ref = li.references[0]
    assert ref.primary and ref.authors == "Li X, Wang Y" and ref.issue == "3"
    assert ref.identifier("DOI") == "10.1000/lupus.2019.1"
    assert ref.identifier("PUBMED") == "30000001"
    assert by_id["STD-Chen-2020"].references[0].source == "中华风湿病学杂志"
    chars = dict(li.characteristics)
    assert chars["CHAR_METHODS"] == "Parallel RCT,\nsingle centre"
    assert chars["CHAR_PARTICIPANTS"] == "40 adults with active lupus nephritis"
    assert dict(by_id["STD-Old-1999"].characteristics) == {
        "CHAR_REASON_FOR_EXCLUSION": "Not randomised"}
    item = r.risk_of_bias[0]
    assert item.name.startswith("Random sequence generation")
    assert [(e.study_id, e.result, e.support) for e in item.entries][0] == (
        "STD-Li_x002d_2019", "YES", "Computer-generated list")


def test_outcomes_subgroups_and_settings() -> None:
    r = read_rm5(SMALL)
    dich, cont, iv = r.comparisons[0].outcomes
    assert dich.kind is OutcomeKind.DICHOTOMOUS and dich.has_subgroups
    assert [s.name for s in dich.subgroups] == ["Umbilical cord", "Bone marrow"]
    assert [(x.study_id, x.events_1, x.total_2) for x in dich.all_rows()] == [
        ("STD-Li_x002d_2019", 12, 20), ("STD-Chen-2020", 9, 28), ("STD-Ruiz-2021", 0, 11)]
    s = dich.settings
    assert (s.measure, s.method, s.random, s.totals) == ("RR", "MH", True, Totals.YES)
    assert dich.group_labels == ("MSC", "Placebo")
    assert cont.settings.measure == "SMD" and not cont.settings.random
    assert cont.settings.units == "points"
    assert iv.kind is OutcomeKind.GENERIC and iv.settings.log_data
    assert (iv.settings.ci_total, iv.settings.totals) == (90, Totals.SUB)
    assert [(x.estimate, x.se, x.total_1) for x in iv.rows] == [(-0.35, 0.2, 20), (-0.1, 0.25,
                                                                                    None)]


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "broken.rm5"
    path.write_text(SMALL.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,message", [
    ('EVENTS_1="12"', 'EVENTS_1="twelve"',
     'line 61: <DICH_DATA STUDY_ID="STD-Li_x002d_2019">: attribute EVENTS_1=\'twelve\' is not '
     "a number"),
    ('TOTALS="SUB"', 'TOTALS="SOME"', "TOTALS='SOME' is not YES, SUB or NO"),
    ('EFFECT_MEASURE="RR"', 'EFFECT_MEASURE="XX"', "is not RR, OR, RD or PETO_OR"),
    ("</CONT_OUTCOME>", "", "not well-formed XML inside <CONT_OUTCOME>: mismatched tag"),
    ("COCHRANE_REVIEW", "OTHER_DOC", "<OTHER_DOC> is not a RevMan 5 review"),
])
def test_bad_files_give_one_line_naming_the_element(tmp_path, old, new, message) -> None:
    with pytest.raises(InputError) as exc:
        read_rm5(_broken(tmp_path, old, new))
    assert message in str(exc.value)
    assert str(exc.value).startswith(str(tmp_path / "broken.rm5"))
    assert "\n" not in str(exc.value)


def test_truncated_file_names_the_open_element(tmp_path: Path) -> None:
    data = SMALL.read_bytes()
    path = tmp_path / "cut.rm5"
    path.write_bytes(data[: data.index(b"<NAME>SLEDAI")])
    with pytest.raises(InputError, match=r"ends inside <CONT_OUTCOME> \(opened on line \d+\): "
                                         "it is truncated"):
        read_rm5(path)


@pytest.mark.parametrize("doctype", [
    # billion laughs
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    # external entity (would read a local file)
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE COCHRANE_REVIEW SYSTEM "http://example.org/rm5.dtd">',
])
def test_dtds_and_entities_are_refused(tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "evil.rm5"
    path.write_text(f'<?xml version="1.0"?>\n{doctype}\n<COCHRANE_REVIEW>&b;</COCHRANE_REVIEW>')
    with pytest.raises(InputError, match="document type declaration .* refused"):
        read_rm5(path)


def test_check_command_on_a_file_without_results_lists_everything_skipped() -> None:
    res = CliRunner().invoke(app, ["revman", "check", str(SMALL)])
    assert res.exit_code == 0, res.output
    assert res.output.count("skipped") == 4  # three outcomes and the summary line
    assert "the file stores no calculated results" in res.output


def test_any_cut_or_corrupted_file_gives_one_input_error(tmp_path: Path) -> None:
    """Never a traceback: a file cut anywhere, or with a byte changed, reads or fails
    with one InputError."""
    import random

    data = SMALL.read_bytes()
    rng = random.Random(19)
    variants = [data[:cut] for cut in range(0, len(data), 37)]
    for _ in range(150):
        pos = rng.randrange(len(data))
        variants.append(data[:pos] + bytes([rng.choice(b'<>"=&/0x \xff')]) + data[pos + 1:])
    failures = 0
    for i, blob in enumerate(variants):
        path = tmp_path / f"v{i}.rm5"
        path.write_bytes(blob)
        try:
            read_rm5(path)
        except InputError as exc:
            failures += 1
            assert "\n" not in str(exc) and str(exc).startswith(str(path))
    assert failures > len(variants) // 2


def test_an_unknown_declared_encoding_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rm5"
    bad.write_bytes(SMALL.read_bytes().replace(b'encoding="UTF-8"', b'encoding="TF-8"', 1))
    with pytest.raises(InputError) as err:
        read_rm5(bad)
    assert str(err.value).startswith(f"{bad}, line 1: ") and "TF-8" in str(err.value)


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('TOTAL_1="20"', 'TOTAL_1="2.5"', "TOTAL_1=2.5 is not a whole number of participants"),
    ('TOTAL_1="20"', 'TOTAL_1="-20"', "TOTAL_1=-20 is not a whole number of participants"),
    ('EVENTS_1="12"', 'EVENTS_1="99"', "EVENTS_1=99 is more than TOTAL_1="),
    ('METHOD="MH"', 'METHOD="XMH"', "METHOD='XMH' is not MH or IV or PETO"),
    ('CI_TOTAL="90"', 'CI_TOTAL="900"', "CI_TOTAL='900' is not a percentage"),
])
def test_values_revman_never_writes_are_refused_naming_the_element(
        tmp_path: Path, old: str, new: str, problem: str) -> None:
    text = SMALL.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "bad.rm5"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_rm5(bad)
    assert str(err.value).startswith(f"{bad}, line ") and problem in str(err.value)
    assert 'ID="' in str(err.value) and "\n" not in str(err.value)
