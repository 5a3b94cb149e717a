"""``reviewflow dedup --input ... --groups-out ... --pairs-out ...`` (stateless mode)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

import reviewflow.cli.dedup as dedup_cli
from reviewflow.cli.main import app
from reviewflow.records import Record

PUBMED_RIS = """TY  - JOUR
TI  - Mesenchymal stem cell transplantation for refractory systemic lupus erythematosus
AU  - Wang, Dandan
AU  - Sun, Lingyun
PY  - 2014
JO  - Arthritis Research & Therapy
VL  - 16
SP  - 221
EP  - 229
ER  - 

TY  - JOUR
TI  - Autologous haematopoietic stem cell transplantation in diffuse cutaneous scleroderma
AU  - van Laar, Jacob M.
PY  - 2014
JO  - JAMA
VL  - 311
SP  - 2490
EP  - 2498
ER  - 
"""
EMBASE_RIS = """TY  - JOUR
TI  - Mesenchymal stem-cell transplantation for refractory systemic lupus erythematosus.
AU  - Wang, D.
AU  - Sun, L.
PY  - 2014
JO  - Arthritis Res Ther
VL  - 16
SP  - 221
EP  - 9
ER  - 

TY  - JOUR
TI  - Umbilical cord mesenchymal stem cells for lupus nephritis: a multicentre study
AU  - Zhang, Huayong
PY  - 2016
ER  - 

TY  - JOUR
TI  - Umbilical cord mesenchymal stem cell for lupus nephritis, multicenter study
AU  - Zhang, Huayong
PY  - 2016
JO  - Lupus
ER  - 
"""


def _tiny_ris(path: Path) -> list[Record]:
    """Stand-in reader used only while reviewflow.importers is not on this branch."""
    records, current = [], Record(authors=[])
    for line in path.read_text(encoding="utf-8").splitlines():
        tag, value = line[:2], line[6:].strip()
        if tag == "ER":
            records.append(current)
            current = Record(authors=[])
        elif tag == "TI":
            current.title = value
        elif tag == "AU":
            current.authors.append(value)
        elif tag == "PY":
            current.year = int(value)
        elif tag == "JO":
            current.journal = value
        elif tag == "VL":
            current.volume = value
        elif tag == "SP":
            current.pages = value
        elif tag == "EP":
            current.pages = f"{current.pages}-{value}"
    return records


@pytest.fixture
def exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    if importlib.util.find_spec("reviewflow.importers") is None:
        monkeypatch.setattr(dedup_cli, "read_records", _tiny_ris)
    pubmed, embase = tmp_path / "pubmed.ris", tmp_path / "embase.ris"
    pubmed.write_text(PUBMED_RIS, encoding="utf-8")
    embase.write_text(EMBASE_RIS, encoding="utf-8")
    return pubmed, embase


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_groups_and_pairs_csv(exports: tuple[Path, Path], tmp_path: Path) -> None:
    pubmed, embase = exports
    groups, pairs = tmp_path / "groups.csv", tmp_path / "pairs.csv"
    result = CliRunner().invoke(app, ["dedup", "--input", str(pubmed), "--input", str(embase),
                                      "--groups-out", str(groups), "--pairs-out", str(pairs)])
    assert result.exit_code == 0, result.output
    assert "5 records" in result.output
    rows = _rows(groups)
    assert list(rows[0]) == ["file", "position", "group"]
    assert [(r["file"], r["position"]) for r in rows] == [
        (str(pubmed), "1"), (str(pubmed), "2"), (str(embase), "1"), (str(embase), "2"),
        (str(embase), "3")]
    label = {(Path(r["file"]).name, r["position"]): r["group"] for r in rows}
    assert label[("pubmed.ris", "1")] == label[("embase.ris", "1")]
    assert len(set(label.values())) == 4
    queued = _rows(pairs)
    assert list(queued[0]) == ["file_a", "position_a", "file_b", "position_b", "score"]
    assert [(q["position_a"], q["position_b"]) for q in queued] == [("2", "3")]
    assert 0 < float(queued[0]["score"]) <= 1


def test_missing_groups_out_is_a_usage_error(exports: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(app, ["dedup", "--input", str(exports[0])])
    assert result.exit_code == 2


def test_missing_input_file_is_a_one_line_user_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        from reviewflow.cli.main import main

        main(["dedup", "--input", str(tmp_path / "nope.ris"), "--groups-out",
              str(tmp_path / "g.csv")])
    assert exc.value.code == 1
