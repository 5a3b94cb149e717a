"""The committed sample exports: reproducible, well-formed and agreeing with their ground truth.

These tests read the files as plain text (no reviewflow importer), so they hold
whatever state the importers are in.
"""

from __future__ import annotations

import csv
import math
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_exports"
GENERATED = ["pubmed_medline.txt", "embase_ovid.ris", "wos_savedrecs.txt", "cochrane_central.ris",
             "cnki.ris", "cnki_noteexpress.net", "truth.csv", "extraction.csv", "rob.csv",
             "review.toml"]
REASONS = {"wrong population", "wrong intervention", "not randomised", "wrong outcome",
           "duplicate report", "not retrievable"}


def _generate(out: Path, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(out)],
                   check=True, capture_output=True, env=env, cwd=REPO)


@pytest.fixture(scope="module")
def truth() -> list[dict[str, str]]:
    with (SAMPLES / "truth.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def groups(truth: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in truth:
        out[row["duplicate_group"]].append(row)
    return out


def _text(name: str) -> str:
    data = (SAMPLES / name).read_bytes()
    return data.decode("gb18030" if name == "cnki.ris" else "utf-8")


def test_generator_reproduces_committed_files_byte_for_byte(tmp_path: Path) -> None:
    _generate(tmp_path / "a", "1")
    _generate(tmp_path / "b", "4242")  # must not depend on str hashing
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(GENERATED)
    for name in GENERATED:
        fresh = (tmp_path / "a" / name).read_bytes()
        assert fresh == (tmp_path / "b" / name).read_bytes(), f"{name} varies between runs"
        assert fresh == (SAMPLES / name).read_bytes(), f"{name} differs from a fresh run"


def test_a_different_seed_gives_different_records(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(tmp_path),
                    "--seed", "7"], check=True, capture_output=True, cwd=REPO)
    assert (tmp_path / "pubmed_medline.txt").read_bytes() != (
        SAMPLES / "pubmed_medline.txt").read_bytes()


RECORD_START = {
    "pubmed_medline.txt": r"^PMID- ",
    "embase_ovid.ris": r"^TY  - ",
    "wos_savedrecs.txt": r"^PT J$",
    "cochrane_central.ris": r"^TY  - ",
    "cnki.ris": r"^TY  - ",
    "cnki_noteexpress.net": r"^\{Reference Type\}: ",
}


@pytest.mark.parametrize("name", sorted(RECORD_START))
def test_record_count_matches_truth(name: str, truth: list[dict[str, str]]) -> None:
    n = len(re.findall(RECORD_START[name], _text(name), flags=re.M))
    rows = [r for r in truth if r["file"] == name]
    assert n == len(rows) > 0
    assert sorted(int(r["position"]) for r in rows) == list(range(1, n + 1))


def test_overall_size_is_a_few_hundred_records(truth: list[dict[str, str]],
                                               groups: dict[str, list]) -> None:
    main_files = [r for r in truth if r["file"] != "cnki_noteexpress.net"]
    assert 300 <= len(main_files) <= 450
    assert 110 <= len(groups) <= 150
    assert sum(1 for rows in groups.values() if len({r["file"] for r in rows}) > 1) >= 60


ACCESSION = {  # how to read each record's accession in file order
    "pubmed_medline.txt": r"^PMID- (\S+)",
    "embase_ovid.ris": r"^ID  - (\S+)",
    "wos_savedrecs.txt": r"^UT (\S+)",
    "cochrane_central.ris": r"^AN  - (\S+)",
    "cnki.ris": r"^UR  - .*FileName=(\w+)&",
}


@pytest.mark.parametrize("name", sorted(ACCESSION))
def test_truth_positions_point_at_the_right_records(name: str,
                                                    truth: list[dict[str, str]]) -> None:
    in_file = re.findall(ACCESSION[name], _text(name), flags=re.M)
    rows = sorted((r for r in truth if r["file"] == name), key=lambda r: int(r["position"]))
    assert in_file == [r["accession"] for r in rows]


def test_cnki_ris_is_gb18030_with_chinese_text() -> None:
    raw = (SAMPLES / "cnki.ris").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    assert "中国组织工程研究" in text and "中华风湿病学杂志" in text
    assert re.search(r"^TT  - [A-Z][a-z]", text, flags=re.M), "some records carry English titles"
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in re.findall(r"^TI  - (.*)$", text, re.M))


def test_layout_envelopes() -> None:
    wos = (SAMPLES / "wos_savedrecs.txt").read_bytes()
    assert wos.startswith(b"\xef\xbb\xbfFN Clarivate Analytics Web of Science\nVR 1.0\n")
    assert wos.endswith(b"\nER\n\nEF")
    assert _text("pubmed_medline.txt").startswith("\nPMID- ")
    assert re.search(r"^      \S", _text("pubmed_medline.txt"), flags=re.M)  # 6-space wrap
    embase = _text("embase_ovid.ris")
    assert embase.startswith("1.\nTY  - JOUR\n")
    assert embase.count("Link to the Ovid Full Text") == embase.count("\nER  -\n")
    assert "DO  - http://dx.doi.org/10." in embase
    assert all(line.endswith("//") for line in re.findall(r"^Y1  - .*$", embase, flags=re.M))
    central = _text("cochrane_central.ris")
    assert re.findall(r"^AN  - (.*)$", central, re.M) and all(
        re.fullmatch(r"CN-0\d{7}", an) for an in re.findall(r"^AN  - (.*)$", central, re.M))


def test_truth_rows_are_consistent(truth: list[dict[str, str]], groups: dict[str, list]) -> None:
    for key, rows in groups.items():
        for col in ("study_key", "relevant_ta", "relevant_ft", "ft_exclusion_reason",
                    "ta_reviewer_a", "ta_reviewer_b", "ft_reviewer_a", "ft_reviewer_b"):
            assert len({r[col] for r in rows}) == 1, f"{key} disagrees on {col}"
    for r in truth:
        assert r["relevant_ta"] in {"0", "1"}
        if r["relevant_ta"] == "0":
            assert r["relevant_ft"] == "" and r["ft_exclusion_reason"] == ""
        elif r["relevant_ft"] == "0":
            assert r["ft_exclusion_reason"] in REASONS
        else:
            assert r["relevant_ft"] == "1" and r["ft_exclusion_reason"] == ""
    used = {r["ft_exclusion_reason"] for r in truth} - {""}
    assert used == REASONS


def test_reviewers_agree_on_about_92_percent(groups: dict[str, list]) -> None:
    first = [rows[0] for rows in groups.values()]
    agree = sum(r["ta_reviewer_a"] == r["ta_reviewer_b"] for r in first) / len(first)
    assert 0.88 <= agree <= 0.96
    for r in first:  # whenever they agree, they agree with the truth
        if r["ta_reviewer_a"] == r["ta_reviewer_b"]:
            assert (r["ta_reviewer_a"] == "include") == (r["relevant_ta"] == "1")
    flips = Counter((r["ta_reviewer_a"], r["ta_reviewer_b"]) for r in first)
    assert flips[("include", "exclude")] and flips[("exclude", "include")]


def test_seeded_dedup_traps(groups: dict[str, list]) -> None:
    by_study: dict[str, set[str]] = defaultdict(set)
    for key, rows in groups.items():
        by_study[rows[0]["study_key"]].add(key)
    # a conference abstract and the full paper of one trial are two groups
    assert len(by_study["OA-BM-1"]) == 2
    # the same Chinese article is in CNKI and PubMed, as one group
    files = {f for k in by_study["OA-UC-2"] for f in (r["file"] for r in groups[k])}
    assert {"cnki.ris", "pubmed_medline.txt"} <= files and len(by_study["OA-UC-2"]) == 1
    # the erratum is its own group and study
    assert by_study["ERR-SLE-1"] and by_study["ERR-SLE-1"].isdisjoint(by_study["SLE-1"])
    # two different trials with near-identical titles
    assert by_study["OA-UC-1"].isdisjoint(by_study["OA-UC-4"])
    # Embase holds a couple of articles twice
    in_embase = Counter(r["duplicate_group"] for rows in groups.values() for r in rows
                        if r["file"] == "embase_ovid.ris")
    assert sorted(in_embase.values())[-2:] == [2, 2]


def test_doi_and_year_quirks_are_present() -> None:
    central = _text("cochrane_central.ris")
    assert "DO  - https://doi.org/10." in central
    assert re.search(r"^SP  - \d+-\d+$", central, flags=re.M)
    wos = _text("wos_savedrecs.txt")
    assert re.search(r"^DI 10\.5555/[A-Z0-9.]+$", wos, flags=re.M)
    assert re.search(r"^EA [A-Z]{3} \d{4}$", wos, flags=re.M)
    assert re.search(r"^PG  - (\d+)-(\d)$", _text("pubmed_medline.txt"), flags=re.M)


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLES / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _smd(r: dict[str, str]) -> tuple[float, float]:
    n1, n2 = int(r["n_treat"]), int(r["n_ctrl"])
    s1, s2 = float(r["sd_treat"]), float(r["sd_ctrl"])
    s = math.sqrt(((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2))
    g = (float(r["mean_treat"]) - float(r["mean_ctrl"])) / s * (1 - 3 / (4 * (n1 + n2) - 9))
    return g, (n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2 - 3.94))


def _log_rr(r: dict[str, str]) -> tuple[float, float]:
    a, c = float(r["events_treat"]), float(r["events_ctrl"])
    n1, n2 = float(r["n_treat"]), float(r["n_ctrl"])
    if 0 in (a, c):
        a, c, n1, n2 = a + 0.5, c + 0.5, n1 + 1, n2 + 1
    return math.log(a / n1 / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2


def _random_effects_ci(effects: list[tuple[float, float]]) -> tuple[float, float, float]:
    """DerSimonian-Laird estimate and 95% CI (written out again: the check is independent)."""
    w = [1 / v for _, v in effects]
    fixed = sum(wi * y for wi, (y, _) in zip(w, effects, strict=True)) / sum(w)
    q = sum(wi * (y - fixed) ** 2 for wi, (y, _) in zip(w, effects, strict=True))
    tau2 = max(0.0, (q - len(w) + 1) / (sum(w) - sum(x * x for x in w) / sum(w)))
    wr = [1 / (v + tau2) for _, v in effects]
    est = sum(wi * y for wi, (y, _) in zip(wr, effects, strict=True)) / sum(wr)
    half = 1.959964 * math.sqrt(1 / sum(wr))
    return est, est - half, est + half


def _random_effects(effects: list[tuple[float, float]]) -> float:
    return _random_effects_ci(effects)[0]


@pytest.mark.parametrize(("disease", "outcome", "source", "target", "ci"), [
    ("osteoarthritis", "Pain VAS", "bone marrow", -0.95, (-1.55, -0.36)),
    ("osteoarthritis", "Pain VAS", "umbilical cord", -1.25, (-2.04, -0.46)),
    ("osteoarthritis", "Pain VAS", "adipose tissue", -1.26, (-1.99, -0.52)),
    ("systemic lupus erythematosus", "SLEDAI", None, -2.32, (-3.59, -1.06)),
])
def test_continuous_analyses_resemble_the_model_case(
        disease: str, outcome: str, source: str | None, target: float,
        ci: tuple[float, float]) -> None:
    """Point estimate and 95% CI as Zeng 2025 published them (the generator aims at both)."""
    rows = [r for r in _rows("extraction.csv") if r["disease"] == disease
            and r["outcome"] == outcome and source in (None, r["cell_source"])]
    assert len(rows) >= 4
    est, lo, hi = _random_effects_ci([_smd(r) for r in rows])
    assert est == pytest.approx(target, abs=0.05)
    assert (lo, hi) == pytest.approx(ci, abs=0.02)


@pytest.mark.parametrize(("disease", "outcome", "target"), [
    ("inflammatory bowel disease", "Clinical response", 2.02),
    ("osteoarthritis", "Adverse events", 1.23),
    ("systemic lupus erythematosus", "Adverse events", 0.83),
    ("inflammatory bowel disease", "Adverse events", 0.99),
    ("multiple sclerosis", "Adverse events", 1.12),
])
def test_risk_ratios_resemble_the_model_case(disease: str, outcome: str, target: float) -> None:
    rows = [r for r in _rows("extraction.csv") if r["disease"] == disease
            and r["outcome"] == outcome]
    assert len(rows) >= 4
    assert math.exp(_random_effects([_log_rr(r) for r in rows])) == pytest.approx(target, abs=0.05)


def test_extraction_covers_exactly_the_included_trials(truth: list[dict[str, str]]) -> None:
    included = {(r["study_key"], r["duplicate_group"]) for r in truth if r["relevant_ft"] == "1"}
    rows = _rows("extraction.csv")
    assert {(r["study_key"], r["main_report"]) for r in rows} == included
    assert 28 <= len(included) <= 36
    assert {r["cell_source"] for r in rows} == {"bone marrow", "umbilical cord", "adipose tissue"}
    labels = {r["study_key"]: r["study"] for r in rows}
    assert len(set(labels.values())) == len(labels), "study labels must be unique"
    for r in rows:
        numbers = ("mean_treat", "sd_treat", "mean_ctrl", "sd_ctrl") if r[
            "outcome_type"] == "continuous" else ("events_treat", "events_ctrl")
        if r["median_treat"]:  # a trial reporting medians and IQRs instead (issue 17)
            numbers = tuple(f"{s}_{a}" for a in ("treat", "ctrl") for s in ("median", "q1", "q3"))
        assert all(r[c] != "" for c in (*numbers, "n_treat", "n_ctrl")), r


def test_rob_has_seven_domains_per_included_trial() -> None:
    rob = _rows("rob.csv")
    per_study = Counter(r["study_key"] for r in rob)
    assert set(per_study) == {r["study_key"] for r in _rows("extraction.csv")}
    assert set(per_study.values()) == {7}
    assert {r["judgement"] for r in rob} == {"low", "unclear", "high"}
    assert all(r["support"] for r in rob)


def test_review_toml_lists_the_sources_and_reasons() -> None:
    review = tomllib.loads(_text("review.toml"))
    assert {s["file"] for s in review["sources"]} <= set(GENERATED)
    assert set(review["screening"]["exclusion_reasons"]) == REASONS
    assert review["highlight"]["include"] and review["highlight"]["exclude"]


def test_every_seeded_quirk_lands_in_its_database(truth: list[dict[str, str]]) -> None:
    sys.path.insert(0, str(SAMPLES))
    try:
        from samplegen.quirks import SEEDED
    finally:
        sys.path.remove(str(SAMPLES))
    files = {"embase": "embase_ovid.ris", "central": "cochrane_central.ris",
             "wos": "wos_savedrecs.txt", "pubmed": "pubmed_medline.txt"}
    where: dict[str, set[str]] = defaultdict(set)
    for r in truth:
        if r["category"] == "included RCT":
            where[r["study_key"]].add(r["file"])
    for quirk, (db, keys) in SEEDED.items():
        for key in keys:
            assert files[db] in where[key], f"{quirk}: {key} is not in {db}"
    wos = {re.search(r"^UT (\S+)", rec, re.M).group(1): rec
           for rec in _text("wos_savedrecs.txt").split("\nER\n") if "\nUT " in rec}
    for key in SEEDED["hyphen_given"][1]:
        row = next(r for r in truth if r["study_key"] == key and r["category"] == "included RCT"
                   and r["file"] == "wos_savedrecs.txt")
        assert re.search(r"^(AF |   )\w+, [A-Z][a-z]+-[A-Z][a-z]+$", wos[row["accession"]],
                         flags=re.M), key


def test_readme_counts_match_the_files(truth: list[dict[str, str]]) -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    counts = Counter(r["file"] for r in truth)
    for name in RECORD_START:
        row = re.search(rf"^\| `{re.escape(name)}` \|.*\| (\d+) \|$", readme, flags=re.M)
        assert row, f"README has no row for {name}"
        assert int(row.group(1)) == counts[name], name
    main = sum(n for f, n in counts.items() if f != "cnki_noteexpress.net")
    reports = len({r["duplicate_group"] for r in truth})
    assert f"The five main files hold {main} records of {reports} distinct reports" in readme


@pytest.mark.parametrize(("name", "empty_tag"), [
    ("pubmed_medline.txt", r"^[A-Z]{2,4} *- *$"),
    ("embase_ovid.ris", r"^(?!ER)[A-Z][A-Z0-9]  - *$"),
    ("cochrane_central.ris", r"^(?!ER)[A-Z][A-Z0-9]  - *$"),
    ("cnki.ris", r"^(?!ER)[A-Z][A-Z0-9]  - *\r?$"),
    ("wos_savedrecs.txt", r"^(?!ER|EF)[A-Z][A-Z0-9] *$"),
    ("cnki_noteexpress.net", r"^\{[^}]+\}: *$"),
])
def test_no_tag_is_written_without_a_value(name: str, empty_tag: str) -> None:
    assert re.findall(empty_tag, _text(name), flags=re.M) == []


LINE_GRAMMAR = {  # every line of the file must match one of these
    "pubmed_medline.txt": r"|[A-Z]{2,4} {0,2}- .+|      \S.*",
    "embase_ovid.ris": r"|\d+\.|[A-Z][A-Z0-9]  - .+|ER  -|Link to the Ovid Full Text or citation: "
                       r".+",
    "cochrane_central.ris": r"|[A-Z][A-Z0-9]  - .+|ER  - ",
    "cnki.ris": r"|[A-Z][A-Z0-9]  - .+|ER  - ",
    "wos_savedrecs.txt": r"|\ufeffFN .+|[A-Z][A-Z0-9] .+|   \S.*|ER|EF",
    "cnki_noteexpress.net": r"|\{[^}]+\}: .+",
}


@pytest.mark.parametrize("name", sorted(LINE_GRAMMAR))
def test_every_line_follows_the_layout(name: str) -> None:
    text = _text(name)
    lines = text.split("\r\n" if name == "cnki.ris" else "\n")
    bad = [(i + 1, line) for i, line in enumerate(lines)
           if not re.fullmatch(LINE_GRAMMAR[name], line)]
    assert bad == []
