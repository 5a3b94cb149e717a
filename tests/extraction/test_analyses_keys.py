"""The keys of analyses.toml stand in one schema; everything that lists them must agree.

The schema (``AnalysisEntry``) validates, the ``Analysis`` dataclass is what the rest
of the code reads, and three texts tell a reviewer the keys. A key added to the schema
and forgotten in any of them fails here.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from forms import TEST_FORM_TEXT

from reviewflow.errors import ReviewflowError
from reviewflow.extraction import analyses as analyses_module
from reviewflow.extraction.analyses import Analysis, parse_analyses
from reviewflow.extraction.analyses_schema import AnalysisEntry
from reviewflow.extraction.analyses_starter import HEADER
from reviewflow.extraction.form import parse_form

SCHEMA_KEYS = set(AnalysisEntry.model_fields)
GENERIC_OUTCOME = """
[[outcomes]]
id = "rom"
label = "Ratio of means"
type = "generic"
ratio = true
"""
DOCS = Path(__file__).resolve().parents[2] / "docs" / "extraction.md"


def test_analysis_has_exactly_the_schema_keys() -> None:
    fields = {f.name for f in dataclasses.fields(Analysis)}
    assert sorted(SCHEMA_KEYS - fields) == [], "schema keys the Analysis dataclass lacks"
    assert sorted(fields - SCHEMA_KEYS) == [], "Analysis fields no analyses.toml key sets"


def test_defaults_agree() -> None:
    """An analysis declaring only the required keys equals the dataclass's defaults."""
    required = {"name": "vas", "outcome": "pain_vas", "measure": "SMD"}
    assert Analysis.from_entry(AnalysisEntry(**required)) == Analysis(**required)


def test_every_key_reaches_the_analysis() -> None:
    """Each key set in the file changes the parsed analysis (none is dropped on the way)."""
    form = parse_form(TEST_FORM_TEXT)
    base = 'name = "vas"\noutcome = "pain_vas"\nmeasure = "MD"\n'
    plain = parse_analyses(f"[[analysis]]\n{base}", form)[0]
    settings = {
        "method": '"MH"', "model": '"fixed"', "title": '"Pain"', "subgroup": '"cell_source"',
        "tau2": '"REML"', "hksj": "true", "smd_convention": '"metafor"',
        "where": '{ cell_source = "bone marrow" }', "exclude": '["Alda 2018"]',
        "leave_one_out": "true", "intervention": '"treat"', "comparator": '"ctrl"',
        "multi_arm": '"combine"', "convert": '"luo2018"', "reported_only": "true",
        "correlation": "0.5", "icc": "0.05", "lower_bound": "0", "rob_columns": '"rob2"',
        "prediction_interval": "true", "level": "0.9", "swap_events": "true",
        "revman": '{ totals = "NO" }',
        "repeated_study_entries": '"as entered in RevMan"',
        # needs the key above to be accepted
        "entry_outcomes": '["womac"]\nrepeated_study_entries = "as entered in RevMan"',
    }
    generic = parse_form(TEST_FORM_TEXT + GENERIC_OUTCOME)
    named = 'name = "rom"\noutcome = "rom"\nmeasure = "RATIO"\n'
    assert parse_analyses(f"[[analysis]]\n{named}measure_label = 'Ratio of means'\n",
                          generic)[0].measure_label == "Ratio of means"
    assert parse_analyses(f"[[analysis]]\n{named}", generic)[0].measure_label == ""
    settings["measure_label"] = "checked above: it needs a generic outcome"
    assert sorted(SCHEMA_KEYS - {"name", "outcome", "measure"} - set(settings)) == [], \
        "a new key needs a value here"
    del settings["measure_label"]
    for key, value in settings.items():
        changed = parse_analyses(f"[[analysis]]\n{base}{key} = {value}\n", form)[0]
        assert getattr(changed, key) != getattr(plain, key), key


def test_measure_label_is_only_for_a_named_generic_measure() -> None:
    form = parse_form(TEST_FORM_TEXT + GENERIC_OUTCOME)
    text = ('[[analysis]]\nname = "rom"\noutcome = "rom"\nmeasure = "HR"\n'
            'measure_label = "Ratio of means"\n')
    with pytest.raises(ReviewflowError, match=r"measure_label names a generic RATIO"):
        parse_analyses(text, form)
    with pytest.raises(ReviewflowError, match=r"does not fit generic outcome 'rom'"):
        parse_analyses(text.replace('"HR"', '"DIFFERENCE"'), form)


def test_a_bad_value_names_the_file_and_analysis() -> None:
    form = parse_form(TEST_FORM_TEXT)
    text = '[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "MD"\nrob_columns = "x"\n'
    with pytest.raises(ReviewflowError, match=r"^a\.toml, analysis 'vas': rob_columns must"):
        parse_analyses(text, form, "a.toml")


# how each text declares a key: a TOML assignment, or the starter's "#   key  meaning"
ASSIGNED = r"(^|[\s#,]){key}\s*="
LISTED = r"^#\s+{key}\s"


@pytest.mark.parametrize(("where", "pattern"), [("module docstring", ASSIGNED),
                                                ("analyse --init starter", LISTED),
                                                ("docs/extraction.md", ASSIGNED)],
                         ids=["docstring", "starter", "docs"])
def test_every_key_is_documented(where: str, pattern: str) -> None:
    text = {"module docstring": analyses_module.__doc__ or "",
            "analyse --init starter": HEADER,
            "docs/extraction.md": DOCS.read_text(encoding="utf-8")}[where]
    undocumented = sorted(k for k in SCHEMA_KEYS
                          if not re.search(pattern.format(key=re.escape(k)), text, re.M))
    assert undocumented == [], f"keys missing from the {where}"
