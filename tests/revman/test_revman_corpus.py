"""Every outcome of the real RevMan 5 files against RevMan's own stored results.

RevMan stored its computed numbers (per study, per subgroup, per total, and
the test for subgroup differences) in each ``.rm5`` of ``../shared/corpus/revman``;
the engine re-runs every analysis and must agree with all of them. Skips
cleanly when the corpus is absent.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reviewflow.revman.check import CSV_TOLERANCE, Verdict, check_file, check_outcome
from reviewflow.revman.csv_export import read_revman_csv
from reviewflow.revman.reader import read_rm5

pytestmark = pytest.mark.corpus

# outcomes per file: (agree, skipped). Skipped = RevMan never calculated the
# outcome (Fleiss 1.2) or no study has data (outcomes holding no trial yet).
EXPECTED = {
    "Benzodiazepines_versus_pregabalin_for_GAD.rm5": (15, 11),
    "CD000023_antibiotics-for-sore-throat.rm5": (21, 0),
    "CD003188StatsDataOnly.rm5": (19, 0),
    "CD004976StatsDataOnly.rm5": (19, 0),
    "CD007419StatsDataOnly.rm5": (1, 0),
    "CD007868StatsDataOnly.rm5": (41, 0),
    "CD008521StatsDataOnly.rm5": (3, 0),
    "CD008625StatsDataOnly.rm5": (74, 0),
    "CD010590StatsDataOnly.rm5": (11, 0),
    "CD011381StatsDataOnly.rm5": (6, 0),
    "CD011564StatsDataOnly.rm5": (31, 2),
    "CD012692StatsDataOnly.rm5": (11, 0),
    "CD012859StatsDataOnly.rm5": (113, 0),
    "CD013210StatsDataOnly.rm5": (68, 0),
    "CD013437StatsDataOnly.rm5": (11, 0),
    "CD013656StatsDataOnly.rm5": (33, 0),
    "Fleiss1993.rm5": (1, 1),
}


@pytest.fixture(scope="module")
def rm5_dir(corpus: Path) -> Path:
    path = corpus / "revman" / "rm5"
    if not path.is_dir():
        pytest.skip(f"{path} not in the corpus")
    return path


@pytest.fixture(scope="module")
def checks(rm5_dir: Path):
    return {f.name: check_file(read_rm5(f)) for f in sorted(rm5_dir.glob("*.rm5"))}


def test_every_outcome_of_every_file_agrees_with_revman(checks) -> None:
    assert set(checks) == set(EXPECTED)
    got = {name: (c.count(Verdict.AGREES), c.count(Verdict.SKIPPED)) for name, c in checks.items()}
    differing = [(name, o.label, o.reason, o.differences[:3]) for name, c in checks.items()
                 for o in c.outcomes if o.verdict is Verdict.DIFFERS]
    assert differing == []
    assert got == EXPECTED
    assert sum(a for a, _ in got.values()) == 478
    # Not a vacuous agreement: thousands of RevMan's numbers were compared.
    assert sum(o.compared for c in checks.values() for o in c.outcomes) > 15000


def test_skipped_outcomes_say_why(checks) -> None:
    reasons = {o.reason for c in checks.values() for o in c.outcomes
               if o.verdict is Verdict.SKIPPED}
    assert reasons == {"RevMan never calculated this outcome", "no study has data"}


def test_outcomes_with_no_estimable_study_agree_as_not_estimable(rm5_dir) -> None:
    # The engine used to refuse these; RevMan shows studies and total "Not estimable".
    found = 0
    for path in sorted(rm5_dir.glob("*.rm5")):
        review = read_rm5(path)
        names = review.study_names()
        for c, o in review.outcomes():
            if o.stored.estimable is False and o.stored.studies and o.settings.totals == "YES":
                found += 1
                assert check_outcome(f"{c.no}.{o.no}", o, names).verdict is Verdict.AGREES
    assert found == 27


def test_rd_single_study_with_zero_cells_uses_the_study_ci(rm5_dir) -> None:
    review = read_rm5(rm5_dir / "CD008625StatsDataOnly.rm5")
    names = review.study_names()
    outcomes = {f"{c.no}.{o.no}": o for c, o in review.outcomes()}
    deaths = outcomes["9.3"]
    assert deaths.settings.measure == "RD" and not deaths.settings.random
    assert check_outcome("9.3", deaths, names).verdict is Verdict.AGREES


def test_a_changed_stored_number_is_reported(rm5_dir) -> None:
    review = read_rm5(rm5_dir / "Fleiss1993.rm5")
    outcome = review.comparisons[0].outcomes[0]
    names = review.study_names()
    assert check_outcome("1.1", outcome, names).verdict is Verdict.AGREES
    stored = dataclasses.replace(outcome.stored, ci_end=outcome.stored.ci_end * (1 + 1e-8))
    changed = dataclasses.replace(outcome, stored=stored)
    result = check_outcome("1.1", changed, names)
    assert result.verdict is Verdict.DIFFERS
    assert [(d.where, d.field) for d in result.differences] == [("total", "CI end")]
    # P within RevMan's 5e-7 excess still agrees; beyond it does not.
    for shift, verdict in ((4e-7, Verdict.AGREES), (2e-6, Verdict.DIFFERS)):
        stored = dataclasses.replace(outcome.stored, p_z=outcome.stored.p_z + shift)
        assert check_outcome("1.1", dataclasses.replace(outcome, stored=stored),
                             names).verdict is verdict


@pytest.mark.parametrize("name,agree,skipped,outcomes,subgroups", [
    ("Fleiss1993_CR.csv", 2, 0, 2, 0),  # numbered layout
    # semicolons, no number columns; one outcome without totals is checked per study
    ("PRP_elbow_PRPData-22-11.csv", 47, 1, 48, 116),
])
def test_revman_csv_exports_agree_to_their_8_decimals(corpus, name, agree, skipped, outcomes,
                                                      subgroups) -> None:
    path = corpus / "revman" / "csv" / name
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    review = read_revman_csv(path)
    assert len(review.outcomes()) == outcomes
    assert sum(len(o.subgroups) for _, o in review.outcomes()) == subgroups
    report = check_file(review, CSV_TOLERANCE)
    assert [o.label for o in report.outcomes if o.verdict is Verdict.DIFFERS] == []
    assert (report.count(Verdict.AGREES), report.count(Verdict.SKIPPED)) == (agree, skipped)
