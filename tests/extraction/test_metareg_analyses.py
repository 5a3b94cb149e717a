"""[[meta_regression]] in analyses.toml: parsing, and moderator values per pooled row."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import Analysis
from reviewflow.extraction.form import FieldDef
from reviewflow.extraction.metareg_analyses import (
    MetaRegressionSpec,
    _values,
    parse_metaregressions,
)
from reviewflow.extraction.values import Reconciled

SPEC = MetaRegressionSpec("m", "ra", ("cell_source",))


def test_an_arm_column_of_the_input_wins_over_the_trials_field() -> None:
    run = SimpleNamespace(data=pd.DataFrame({"study": ["Hu 2017 (bone marrow)",
                                                       "Hu 2017 (umbilical cord)", "Choi 2020"],
                                             "cell_source": ["bone marrow", "umbilical cord",
                                                             ""]}))
    rec = Reconciled(values={"Hu 2017": {"study/cell_source": "mixed"},
                             "Choi 2020": {"study/cell_source": "adipose tissue",
                                           "study/dose": "2.5"}})
    studies = tuple(run.data["study"])
    assert _values(SPEC, "cell_source", run, studies, rec) == (
        "bone marrow", "umbilical cord", "adipose tissue")
    dose = MetaRegressionSpec("m", "ra", ("dose",))
    with pytest.raises(ReviewflowError, match="'Hu 2017 \\(bone marrow\\)' has no reconciled"):
        _values(dose, "dose", run, studies, rec)


def form_with(*names: str):
    def study_field(name: str) -> FieldDef:
        if name not in names:
            raise ReviewflowError(f"unknown study field {name!r}")
        return FieldDef(name, name)

    return SimpleNamespace(study_field=study_field)


@pytest.mark.parametrize(("toml", "message"), [
    ('[[meta_regression]]\nname="m"\nanalysis="nope"\nmoderators=["dose"]', "no analysis"),
    ('[[meta_regression]]\nname="m"\nanalysis="ra"\nmoderators=[]', "list of study fields"),
    ('[[meta_regression]]\nname="m"\nanalysis="ra"\nmoderators=["colour"]', "unknown study"),
    ('[[meta_regression]]\nname="m"\nanalysis="ra"\nmoderators=["dose"]\ntau2="ML"', "tau2"),
    ('[[meta_regression]]\nname="m"\nanalysis="ra"', "missing key 'moderators'"),
])
def test_bad_declarations_are_one_line_errors(toml: str, message: str) -> None:
    analyses = [Analysis(name="ra", outcome="das28", measure="SMD")]
    with pytest.raises(ReviewflowError, match=message) as exc:
        parse_metaregressions(toml, analyses, form_with("dose"), "a.toml")  # type: ignore[arg-type]
    assert str(exc.value).startswith("a.toml, meta_regression")


def test_defaults_are_reml_without_knapp_hartung() -> None:
    analyses = [Analysis(name="ra", outcome="das28", measure="SMD")]
    (spec,) = parse_metaregressions('[[meta_regression]]\nname="m"\nanalysis="ra"\n'
                                    'moderators=["dose"]', analyses, form_with("dose"))
    assert (spec.tau2, spec.hksj, spec.moderators) == ("REML", False, ("dose",))

