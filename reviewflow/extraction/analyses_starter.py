"""A commented analyses.toml built from the review's own form: ``reviewflow analyse --init``.

A new reviewer should not have to learn the file's keys from the documentation before
the first forest plot: the starter declares one analysis per outcome of the form, with
the measure and method RevMan would suggest, and every optional key written out as a
comment beside the form's own field names.
"""

from __future__ import annotations

import json

from reviewflow.extraction.form import Form, OutcomeDef

HEADER = """\
# analyses.toml: the meta-analyses of this review, one [[analysis]] table each.
# Written by 'reviewflow analyse --init' from the extraction form; edit freely, then
# 'reviewflow analyse --all' (or 'reviewflow analyse NAME').
#
# Keys (name, outcome and measure are required):
#   name          a short id: names the output files (<name>_forest.png ...)
#   title         the forest plot's title
#   outcome       an outcome id of the extraction form
#   measure       continuous: MD (one scale) or SMD (several scales);
#                 dichotomous: RR, OR or RD; generic: HR, RATIO, DIFFERENCE too
#   measure_label the author's name of a generic RATIO or DIFFERENCE, e.g. "Ratio of means"
#   method        IV (inverse variance), MH (Mantel-Haenszel) or Peto   [IV]
#   model         random or fixed                                       [random]
#   tau2          DL, REML or PM (random effects)                      [DL]
#   hksj          true: Hartung-Knapp-Sidik-Jonkman CI                  [false]
#   subgroup      a study field (a choice field): subgroups and the test for differences
#   where         only studies whose fields match, e.g. where = {{ {where_example} }}
#   exclude       studies left out (a sensitivity analysis), e.g. ["Smith 2019"]
#   leave_one_out true: also pool leaving out each study in turn        [false]
#   smd_convention  revman (Hedges' adjusted g as RevMan) or metafor    [revman]
#   intervention  the arm ids compared, e.g. ["bm", "uc"]   [the form's intervention arms]
#   comparator    the comparator arm ids                      [the form's control arms]
#   multi_arm     split or combine: several intervention arms, one control   [split]
#   convert       median/IQR/range -> mean/SD method, e.g. "luo2018" (reviewflow pool --help)
#   correlation   baseline-final correlation for change SDs, or "studies"
#   icc           assumed ICC for cluster-trial arms that report none (imputed)
#   reported_only true: also pool without converted or imputed values   [false]
#   lower_bound   the scale's minimum: warns of skewed means (Altman & Bland 1996)
#   rob_columns   rob1, rob2 or false: risk-of-bias columns on the forest plot  [false]
#   prediction_interval  true: drawn under the random-effects diamond   [false]
#   level         confidence level of every CI                          [0.95]
#   swap_events   true: pool non-events (RevMan's "swap events")        [false]
#   revman        RevMan presentation settings kept for 'reviewflow revman export'
#   repeated_study_entries  "as entered in RevMan": a study entered twice is pooled twice
#   entry_outcomes  with it: the form outcomes holding the further entries
"""


def _measure(outcome: OutcomeDef) -> tuple[str, str, str]:
    """(measure, method, why) as RevMan would suggest for the outcome's type."""
    if outcome.type == "dichotomous":
        return "RR", "MH", "risk ratio, Mantel-Haenszel (OR or RD also fit)"
    if outcome.unit:
        return "MD", "IV", f"mean difference in {outcome.unit} (SMD if studies use other scales)"
    return "SMD", "IV", "standardised mean difference (MD if every study uses one scale)"


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def starter_analyses(form: Form) -> str:
    """The commented starter text; it parses as it stands (one analysis per outcome)."""
    choices = [f for f in form.study_fields if f.type == "choice"]
    texts = [f for f in form.study_fields if f.type == "text"]
    example_field = texts[0].name if texts else "country"
    parts = [HEADER.format(where_example=f'{example_field} = "..."')]
    for outcome in form.outcomes:
        measure, method, why = _measure(outcome)
        parts.append(f"""
[[analysis]]
name = {_q(outcome.id)}
title = {_q(outcome.label)}
outcome = {_q(outcome.id)}
measure = "{measure}"   # {why}
method = "{method}"
model = "random"
""")
        if choices:
            names = ", ".join(f.name for f in choices)
            parts.append(f'# subgroup = "{choices[0].name}"   # choice fields: {names}\n')
        parts.append(f'# where = {{ {example_field} = "..." }}\n'
                     '# exclude = ["Smith 2019"]\n# leave_one_out = true\n')
    if not form.outcomes:
        parts.append("\n# The form declares no outcomes yet: add [[outcomes]] to "
                     "extraction_form.toml, then run 'reviewflow analyse --init' again.\n")
    return "".join(parts)
