"""The TUI's text forest plot shows what the PNG plot shows, as RevMan would.

Each arm's data as typed ("32.0", not "32"), totals and events under their columns,
the prediction interval dotted through the overall row, and the risk-of-bias columns
with their legend when the analysis declares them.
"""

from __future__ import annotations

import pytest
from rich.console import Console

from reviewflow.extraction.analyses import parse_analyses
from reviewflow.extraction.analysis_outputs import forest_extras
from reviewflow.extraction.entered import entered_cells
from reviewflow.extraction.run_analysis import pool, text_forest
from reviewflow.extraction.values import reconcile
from reviewflow.store.reader import store_reader
from tests.extraction.forms import form_now, input_of

VAS = ('[[analysis]]\nname = "vas"\noutcome = "pain_vas"\nmeasure = "MD"\n'
       'subgroup = "cell_source"\n')


def _shown(store, text: str, width: int = 220) -> str:
    form = form_now(store)[1]
    analysis = parse_analyses(text, form)[0]
    rec = reconcile(store)
    run = pool(analysis, input_of(store, analysis, form=form, reconciled=rec))
    console = Console(width=width, record=True, color_system=None)
    with store_reader(store) as reader:
        extras = forest_extras(reader, analysis)
    console.print(text_forest(run, form, entered=entered_cells(run, form, rec), **extras))
    return console.export_text()


def _row(text: str, study: str) -> list[str]:
    return next(line for line in text.splitlines() if line.startswith(study)).split()


def test_cells_as_typed_with_totals(extracted) -> None:
    _folder, store, _ids = extracted
    shown = _shown(store, VAS)
    # Alda 2018: 32.0 (14.0) n 20 against 48.0 (16.0) n 20, typed with their decimals
    assert _row(shown, "Alda 2018")[2:8] == ["32.0", "14.0", "20", "48.0", "16.0", "20"]
    assert "Mean" in shown and "SD" in shown and "Total" in shown
    total = _row(shown, "Total (95% CI)")
    assert total[3:5] == ["147", "147"]  # participants per arm, under the Total columns


def test_events_row_for_dichotomous(extracted) -> None:
    _folder, store, _ids = extracted
    shown = _shown(store, '[[analysis]]\nname = "ae"\noutcome = "adverse_events"\n'
                          'measure = "RR"\nmethod = "MH"\n')
    assert _row(shown, "Alda 2018")[2:6] == ["4", "20", "3", "20"]
    assert _row(shown, "Total events")[2:4] == ["33", "24"]


def test_prediction_interval_stated_when_asked(extracted) -> None:
    _folder, store, _ids = extracted
    plain = _shown(store, VAS)
    shown = _shown(store, VAS + "prediction_interval = true\n")
    assert "95% prediction interval: " in shown and "prediction interval" not in plain


@pytest.mark.parametrize("answer", ["low", "high"])
def test_rob_columns_and_legend(extracted, answer: str) -> None:
    from reviewflow.extraction.rob import ROB1
    from tests.extraction.forms import save_judgements
    from tests.screening.support import add_reviewer

    _folder, store, ids = extracted
    for reviewer in ("alice", "bob"):
        rid = int(add_reviewer(store, reviewer).id or 0)
        save_judgements(store, ROB1, rid, [(ids["Alda 2018"], "D1", answer, None)])
    shown = _shown(store, VAS + 'rob_columns = "rob1"\n')
    symbol = {"low": "+", "high": "−"}[answer]
    assert symbol in _row(shown, "Alda 2018")[-8:]
    assert "Risk of bias legend" in shown and "(A) " in shown
