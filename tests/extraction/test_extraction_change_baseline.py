"""Change from baseline through extraction: a paper giving baseline and final means and
SDs (no change SD) imports as it is; the analysis names the correlation (Handbook
6.5.2.8) and the change SD it gives is imputed and marked."""

from __future__ import annotations

import math
import re

import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import parse_analyses
from tests.extraction.forms import extracted_with, input_of

FORM = """
[[arms]]
id = "msc"
label = "MSC"
[[arms]]
id = "ctrl"
label = "Control"
[[outcomes]]
id = "das28"
type = "continuous"
reported = ["mean_baseline", "sd_baseline", "mean_final", "sd_final"]
"""

ROWS = [
    {"study": "Final only 2020", "outcome": "das28", "n_msc": "35", "mean_baseline_msc": "12.4",
     "sd_baseline_msc": "4.2", "mean_final_msc": "15.2", "sd_final_msc": "3.8", "n_ctrl": "38",
     "mean_baseline_ctrl": "10.7", "sd_baseline_ctrl": "4.0", "mean_final_ctrl": "13.8",
     "sd_final_ctrl": "4.4"},
    {"study": "Change 2019", "outcome": "das28", "n_msc": "30", "mean_msc": "-1.2",
     "sd_msc": "1.0", "n_ctrl": "30", "mean_ctrl": "-0.4", "sd_ctrl": "1.1"},
]


@pytest.fixture
def change_review(review, tmp_path):
    folder, store = review
    return store, extracted_with(store, folder, FORM, ROWS, tmp_path / "x.csv")


def test_change_sd_needs_the_correlation_the_analysis_names(change_review) -> None:
    store, form = change_review
    text = '[[analysis]]\nname="d"\noutcome="das28"\nmeasure="MD"\n'
    with pytest.raises(ReviewflowError, match=re.escape(
            "analysis 'd': study 'Final only 2020', arm 'MSC', field sd: missing; a "
            "change-from-baseline SD from baseline and final SDs needs a correlation")):
        input_of(store, parse_analyses(text, form)[0], form=form)
    data = input_of(store, parse_analyses(text + "correlation=0.8\n", form)[0], form=form)
    c = next(c for c in data.comparisons if c.study == "Final only 2020")
    assert c.treat.mean.value == pytest.approx(15.2 - 12.4)
    assert c.treat.sd.value == pytest.approx(math.sqrt(4.2**2 + 3.8**2 - 2 * 0.8 * 4.2 * 3.8))
    assert c.treat.sd.method == "change_sd_corr" and str(c.origin) == "imputed"
    assert data.marks() == {"Final only 2020": "‡"}
