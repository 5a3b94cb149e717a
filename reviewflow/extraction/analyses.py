"""Analyses declared with the review, and the pooling input built from the store.

``analyses.toml`` in the review folder lists one ``[[analysis]]`` table each::

    [[analysis]]
    name = "vas"                      # used on the command line and in file names
    title = "Pain (VAS)"              # optional, for plots and output
    outcome = "pain_vas"              # an outcome id of the extraction form
    measure = "SMD"                   # RR | OR | RD (dichotomous), MD | SMD (continuous),
                                      #   HR | RATIO | DIFFERENCE | MD | SMD | RR | OR (generic)
    measure_label = "Ratio of means"  # optional: the author's name of a generic RATIO or
                                      #   DIFFERENCE, shown by every output and written
                                      #   back by 'reviewflow revman export'
    method = "IV"                     # MH | IV | Peto
    model = "random"                  # fixed | random
    subgroup = "cell_source"          # optional: a study-level field of the form
    tau2 = "DL"                       # optional: DL | REML | PM
    hksj = false                      # optional: Hartung-Knapp-Sidik-Jonkman
    smd_convention = "revman"         # optional: revman | metafor
    where = { disease = "osteoarthritis" }   # optional: only studies whose fields match
    exclude = ["Lee 2020"]            # optional sensitivity analysis: studies left out
    leave_one_out = true              # optional: also re-pool without each study in turn
    intervention = ["bm", "uc"]       # optional: the arms compared (default: every
                                      #   intervention arm of the form)
    comparator = "ctrl"               # optional: the comparator arm(s) (default: the
                                      #   form's control arms)
    multi_arm = "split"               # optional: split | combine, for studies with several
                                      #   intervention arms (Handbook 23.3.4 / 6.5.2.10)
    convert = "luo2018"               # optional: median -> mean/SD methods (see pool --convert)
    correlation = 0.5                 # optional: baseline-final correlation for change SDs
                                      #   from baseline and final SDs, or "studies" to impute
                                      #   it from arms reporting all three SDs
    icc = 0.05                        # optional: an assumed ICC for cluster-trial arms that
                                      #   give clusters or cluster_size but no ICC (imputed)
    reported_only = true              # optional: also pool without converted/imputed values
    lower_bound = 0                   # optional: the scale's minimum; warns when a mean is
                                      #   less than 2 SD above it (Altman & Bland 1996)
    rob_columns = "rob1"              # optional: RevMan's risk-of-bias columns on the
                                      #   forest plot (rob1 | rob2 | false)
    prediction_interval = true        # optional: drawn under the random-effects diamond
    level = 0.95                      # optional: confidence level of the CIs
    swap_events = false               # optional: pool non-events (RevMan's "swap events")
    revman = { totals = "YES" }       # optional: RevMan presentation settings kept for
                                      #   'reviewflow revman export' (not used in pooling)
    repeated_study_entries = "as entered in RevMan"   # optional: see below
    entry_outcomes = ["pain_e2"]      # optional: form outcomes holding studies' further
                                      #   entries (entry 2, 3 ...) of this outcome

``subgroup`` may name an arm field: each comparison then falls in the subgroup of
its intervention arm (a trial with bone-marrow and umbilical-cord arms appears in
both, its control split), the study's field of the same name filling arms without one.
It may also name an outcome field: the subgroup is then per study and outcome, as
RevMan keeps it (``reviewflow revman import`` writes ``subgroup = "subgroup"``).

``repeated_study_entries = "as entered in RevMan"`` pools a study once per entry, as a
RevMan author entered it (a multi-arm trial as independent pairs, each in its subgroup,
the shared control split by hand or not at all): entry 1 in ``outcome``, entry k in the
(k-1)-th of ``entry_outcomes``. ``reviewflow revman import`` writes it so that the review
reproduces RevMan's results; the output then says, per study, that a shared control may
be counted twice (Handbook 23.3.4). Every other analysis refuses that double counting.

The input is the *reconciled* extraction only; a discrepancy that touches the
analysis (its outcome, subgroup or ``where`` fields) stops it with the list of
what to resolve, because pooling one reviewer's unchecked number is how errors
reach a published forest plot.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewflow.config_schema import validated
from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses_schema import AnalysesFile, AnalysisEntry
from reviewflow.extraction.form import (
    Form,
    arm_field_path,
    effect_path,
    stat_path,
    study_path,
)
from reviewflow.extraction.form_versions import read_form_in_force
from reviewflow.extraction.reconcile import Reconciled, read_reconciled
from reviewflow.extraction.validation import (
    arm_report,
    column,
    effect_report,
    outcome_problems,
)
from reviewflow.pooling.formatting import level_is_valid
from reviewflow.store.reader import Reader

if TYPE_CHECKING:
    from reviewflow.pooling.trial_data import AnalysisInput

ANALYSES_FILE = "analyses.toml"
AS_ENTERED_IN_REVMAN = "as entered in RevMan"
MEASURES = {"continuous": ("MD", "SMD"), "dichotomous": ("RR", "OR", "RD"),
            "generic": ("MD", "SMD", "RR", "OR", "HR", "RATIO", "DIFFERENCE")}
GENERIC_RATIOS = ("RR", "OR", "HR", "RATIO")
NAMED_MEASURES = ("RATIO", "DIFFERENCE")  # the measures measure_label may name


@dataclass(frozen=True)
class Analysis:
    name: str
    outcome: str
    measure: str
    measure_label: str = ""  # the author's name of a generic RATIO or DIFFERENCE
    method: str = "IV"
    model: str = "random"
    title: str = ""
    subgroup: str | None = None
    tau2: str = "DL"
    hksj: bool = False
    smd_convention: str = "revman"
    where: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    leave_one_out: bool = False
    intervention: tuple[str, ...] = ()  # arm ids; () = the form's intervention arms
    comparator: tuple[str, ...] = ()  # arm ids; () = the form's control arms
    multi_arm: str = "split"
    convert: str | None = None
    reported_only: bool = False
    correlation: float | str | None = None
    icc: float | None = None  # assumed ICC for cluster arms reporting none (Handbook 23.1.4)
    lower_bound: float | None = None
    rob_columns: str | None = None  # "rob1" | "rob2": RevMan's RoB columns on the forest plot
    prediction_interval: bool = False  # drawn under the random-effects diamond
    level: float = 0.95
    swap_events: bool = False
    revman: dict[str, object] = field(default_factory=dict)
    repeated_study_entries: str | None = None  # AS_ENTERED_IN_REVMAN or None
    entry_outcomes: tuple[str, ...] = ()

    @property
    def measure_shown(self) -> str:
        """The measure as the one-line outputs name it: its code (SMD, RR, HR), a generic
        RATIO or DIFFERENCE by its author's name ("Ratio of means") or as "Ratio"."""
        from reviewflow.pooling.formatting import short_measure_name

        return short_measure_name(self.measure, self.measure_label)

    def outcomes(self) -> tuple[str, ...]:
        """The form outcomes this analysis reads: entry 1, then the further entries."""
        return (self.outcome, *self.entry_outcomes)

    @classmethod
    def from_entry(cls, entry: AnalysisEntry) -> Analysis:
        """The analysis a validated ``[[analysis]]`` table declares: every schema key is
        carried over, so a key added to the schema and not here fails at once."""
        keys = type(entry).model_fields
        return cls(**{k: _FROM_ENTRY.get(k, _same)(getattr(entry, k)) for k in keys})

    def conversion(self):  # -> Conversion
        from dataclasses import replace as with_

        from reviewflow.pooling.trial_data import Conversion

        conv = Conversion.parse(self.convert).with_correlation(self.correlation)
        return with_(conv.with_icc(self.icc), lower_bound=self.lower_bound)

    def arms(self, form: Form) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(intervention arm ids, comparator arm ids) of this analysis."""
        treat = self.intervention or tuple(a.id for a in form.arms if a.role == "intervention")
        ctrl = self.comparator or tuple(a.id for a in form.arms if a.role == "control")
        return treat, ctrl

    def options(self) -> dict[str, object]:
        """Keyword options for the pooling engine's ``meta_analysis``."""
        return {"measure": self.measure, "measure_label": self.measure_label,
                "method": self.method, "model": self.model,
                "tau2_method": self.tau2, "hksj": self.hksj,
                "smd_convention": self.smd_convention, "level": self.level}


def parse_analyses(text: str, form: Form, source: str = ANALYSES_FILE) -> list[Analysis]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewflowError(f"{source}: not valid TOML ({exc})") from None
    parsed = validated(AnalysesFile, data, source)
    out: list[Analysis] = []
    for d in parsed.analysis:
        where = f"{source}, analysis {d.name!r}"
        try:
            a = Analysis.from_entry(d)
        except ReviewflowError as exc:
            raise ReviewflowError(f"{where}: {exc}") from None
        _check(a, form, where)
        out.append(a)
    names = [a.name for a in out]
    if len(set(names)) != len(names):
        raise ReviewflowError(f"{source}: two analyses share a name")
    return out


def _same(value: Any) -> Any:
    return value


def _ids(value: object) -> tuple[str, ...]:
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)  # type: ignore


def _rob_columns(value: object) -> str | None:
    if value in (None, False):
        return None
    if value is True:
        return "rob1"
    text = str(value).lower().replace(" ", "").replace("-", "")
    if text not in ("rob1", "rob2"):
        raise ReviewflowError("rob_columns must be rob1, rob2 or false")
    return text


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


# How a validated key becomes its Analysis field, where the two differ (the rest are
# taken as validated). Keys are listed once, in the schema; Analysis mirrors them, and
# tests/extraction/test_analyses_keys.py fails when one side has a key the other lacks.
_FROM_ENTRY: dict[str, Callable[[Any], Any]] = {
    "measure": str.upper, "measure_label": str.strip, "model": str.lower, "multi_arm": str.lower,
    "where": lambda d: {k: str(v) for k, v in d.items()}, "exclude": tuple,
    "intervention": _ids, "comparator": _ids, "lower_bound": _float_or_none,
    "icc": _float_or_none,
    "rob_columns": _rob_columns, "level": float, "revman": dict, "entry_outcomes": tuple,
}


def _check(a: Analysis, form: Form, where: str) -> None:
    arm_fields = {f.name for f in form.arm_fields}
    try:
        outcome = form.outcome(a.outcome)
        if a.subgroup and a.subgroup not in arm_fields and not _is_outcome_field(form,
                                                                                  a.subgroup):
            form.study_field(a.subgroup)
        for name in a.where:
            form.study_field(name)
        treat, ctrl = a.arms(form)
        for arm in (*treat, *ctrl):
            form.arm(arm)
        a.conversion()
    except ReviewflowError as exc:
        raise ReviewflowError(f"{where}: {exc}") from None
    both = sorted(set(treat) & set(ctrl))
    if both:
        raise ReviewflowError(f"{where}: arm {both[0]!r} is both intervention and comparator; "
                              "its participants would be counted twice")
    if not treat or not ctrl:
        raise ReviewflowError(f"{where}: needs at least one intervention and one comparator arm")
    if a.multi_arm not in ("split", "combine"):
        raise ReviewflowError(f"{where}: multi_arm must be split or combine")
    if not level_is_valid(a.level):
        raise ReviewflowError(f"{where}: level must be between 0.5 and 1 (e.g. 0.95)")
    if outcome.type == "generic" and (a.measure in GENERIC_RATIOS) != outcome.ratio:
        kind = "ratios (ratio = true)" if outcome.ratio else "differences"
        raise ReviewflowError(f"{where}: measure {a.measure} does not fit generic outcome "
                              f"{outcome.id!r}, whose effects are {kind}")
    if a.measure not in MEASURES[outcome.type]:
        raise ReviewflowError(f"{where}: measure {a.measure} does not fit {outcome.type} outcome "
                              f"{outcome.id!r} (use {' or '.join(MEASURES[outcome.type])})")
    if a.measure_label and a.measure not in NAMED_MEASURES:
        raise ReviewflowError(f"{where}: measure_label names a generic RATIO or DIFFERENCE; "
                              f"{a.measure} keeps its standard name")
    if a.model not in ("fixed", "random"):
        raise ReviewflowError(f"{where}: model must be fixed or random")
    _check_entries(a, form, outcome, where)


def _check_entries(a: Analysis, form: Form, outcome, where: str) -> None:
    if a.repeated_study_entries not in (None, AS_ENTERED_IN_REVMAN):
        raise ReviewflowError(f"{where}: repeated_study_entries must be "
                              f"{AS_ENTERED_IN_REVMAN!r}")
    if a.entry_outcomes and a.repeated_study_entries is None:
        raise ReviewflowError(f"{where}: entry_outcomes pools studies more than once; add "
                              f"repeated_study_entries = {AS_ENTERED_IN_REVMAN!r} to say so")
    outcomes = a.outcomes()
    if len(set(outcomes)) != len(outcomes):
        raise ReviewflowError(f"{where}: an outcome is listed twice in outcome and "
                              "entry_outcomes")
    for oid in a.entry_outcomes:
        try:
            other = form.outcome(oid)
        except ReviewflowError as exc:
            raise ReviewflowError(f"{where}: entry_outcomes: {exc}") from None
        if (other.type, other.ratio) != (outcome.type, outcome.ratio):
            raise ReviewflowError(f"{where}: entry outcome {oid!r} is {other.type}, unlike "
                                  f"outcome {outcome.id!r} ({outcome.type})")


def _is_outcome_field(form: Form, name: str) -> bool:
    """A subgroup per study and outcome (RevMan's subgroups) rather than per study or arm."""
    taken = {f.name for f in (*form.study_fields, *form.arm_fields)}
    return name not in taken and any(f.name == name for f in form.outcome_fields)


def subgroup_path(form: Form, analysis: Analysis, outcome: str | None = None) -> str | None:
    """Where an outcome-field subgroup is stored (None for study or arm subgroups), for
    the analysis's outcome or one of its entry outcomes."""
    if analysis.subgroup and _is_outcome_field(form, analysis.subgroup):
        return f"outcome/{outcome or analysis.outcome}/{analysis.subgroup}"
    return None


def load_analyses(folder: Path, form: Form) -> list[Analysis]:
    path, text = _analyses_text(folder)
    return parse_analyses(text, form, str(path))


def _analyses_text(folder: Path) -> tuple[Path, str]:
    path = folder / ANALYSES_FILE
    if not path.is_file():
        raise ReviewflowError(f"{path}: not found; 'reviewflow analyse --init' writes a "
                              "commented starter from the extraction form (the keys: "
                              "'reviewflow analyse --help')")
    try:
        return path, path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ReviewflowError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def declared_names(folder: Path) -> list[str]:
    """The analyses ``analyses.toml`` declares, by name, the file checked against its
    schema only: rating an outcome (``grade set``) needs its name, and checking each
    analysis against the form and the pooling engine's options would load the numeric
    stack (``analyse`` and ``grade summary`` check them all)."""
    path, text = _analyses_text(folder)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewflowError(f"{path}: not valid TOML ({exc})") from None
    return [d.name for d in validated(AnalysesFile, data, str(path)).analysis]


def select_analyses(analyses: list[Analysis], name: str | None, run_all: bool) -> list[Analysis]:
    if run_all or name is None:
        if not run_all and len(analyses) != 1:
            raise ReviewflowError("name an analysis or pass --all (declared: "
                                  f"{', '.join(a.name for a in analyses) or 'none'})")
        return analyses
    for a in analyses:
        if a.name == name:
            return [a]
    raise ReviewflowError(f"no analysis called {name!r} (declared: "
                          f"{', '.join(a.name for a in analyses) or 'none'})")


def analysis_input(reader: Reader, analysis: Analysis, *, form: Form | None = None,
                   reconciled: Reconciled | None = None) -> AnalysisInput:
    """The typed, traced pooling input of one analysis (its ``frame()`` is the
    ``reviewflow pool`` CSV); the form in force and the reconciled extraction are read
    through ``reader`` unless given."""
    from reviewflow.pooling.comparisons import analysis_input as build
    from reviewflow.pooling.comparisons import mark_entries
    from reviewflow.pooling.reported_effects import generic_input
    from reviewflow.pooling.trial_data import Handling, MultiArm
    from reviewflow.pooling.types import DataType

    form = form or read_form_in_force(reader).form
    rec = reconciled or read_reconciled(reader)
    outcome = form.outcome(analysis.outcome)
    excluded = {s.lower() for s in analysis.exclude}
    candidates = [s for s in rec.values if s.lower() not in excluded]
    _block_on_discrepancies(analysis, form, rec, candidates)
    studies = []
    entries: list[int] = []
    outcomes = [form.outcome(o) for o in analysis.outcomes()]
    for study in sorted(candidates):
        data = rec.values[study]
        if any(data.get(study_path(k), "").lower() != v.lower()
               for k, v in analysis.where.items()):
            continue
        for k, entry in enumerate(outcomes, start=1):
            if not _reports(form, entry, data):
                continue  # most studies report few outcomes: skip the full check
            arms = _study_arms(form, analysis, entry, study, data)
            if arms:
                studies.append(arms)
                entries.append(k)
    as_entered = entries if analysis.repeated_study_entries else None
    if not studies:
        raise ReviewflowError(f"analysis {analysis.name!r}: no study has reconciled data for "
                              f"outcome {outcome.id!r}")
    try:
        if outcome.type == "generic":
            data = generic_input([a[0] for a in studies], subgroup=analysis.subgroup,
                                 measure=analysis.measure, icc=analysis.icc)
            if as_entered:
                data = replace(data, comparisons=tuple(
                    mark_entries(list(data.comparisons), as_entered)))
        else:
            data = build(studies, DataType(outcome.type), multi_arm=MultiArm(analysis.multi_arm),
                         conversion=analysis.conversion(),
                         subgroup=analysis.subgroup, entries=as_entered)
    except ReviewflowError as exc:
        raise ReviewflowError(f"analysis {analysis.name!r}: {exc}") from None
    if not analysis.subgroup:
        return data
    key = _subgroup_order(form, analysis)
    entered = Handling.AS_ENTERED
    ordered = sorted(data.comparisons, key=lambda c: (*key({
        "study": c.study if c.handling is entered else c.label,
        analysis.subgroup: c.subgroup}), c.share[0]))
    return replace(data, comparisons=tuple(ordered))


def _reports(form: Form, outcome, data: dict[str, str]) -> bool:
    """Whether the study has any statistic of the outcome (else it has no arms for it)."""
    return any(stat_path(outcome.id, a.id, s) in data for a in form.arms
               for s in outcome.stats) or any(effect_path(outcome.id, s) in data
                                               for s in outcome.effect_stats)


def _study_arms(form: Form, analysis: Analysis, outcome, study: str, data: dict[str, str]):
    """The study's arm reports for this analysis ([] when it does not report the outcome);
    problems are refused naming analysis, study, arm and field."""
    treat, ctrl = analysis.arms(form)
    cells = {column(s, a.id): data.get(stat_path(outcome.id, a.id, s))
             for a in form.arms for s in outcome.stats}
    cells |= {f"effect_{s}": data.get(effect_path(outcome.id, s)) for s in outcome.effect_stats}
    problems = outcome_problems(outcome, form.arms, cells)
    if problems:
        col_name, problem = problems[0]
        raise ReviewflowError(f"analysis {analysis.name!r}: study {study!r}, field "
                              f"{col_name}: {problem}")
    if outcome.type == "generic":
        attrs = {analysis.subgroup: _generic_subgroup(form, analysis, data, outcome.id)} \
            if analysis.subgroup else {}
        effect = effect_report(study, outcome, cells, attrs)
        return [effect] if effect is not None else []
    if analysis.swap_events and outcome.type == "dichotomous":
        cells = _swapped(cells, form)
    per_outcome = subgroup_path(form, analysis, outcome.id)
    out = []
    for arm_id, role in [*((a, "intervention") for a in treat), *((a, "control") for a in ctrl)]:
        arm = form.arm(arm_id)
        attrs = {}
        if analysis.subgroup:
            attrs[analysis.subgroup] = ((data.get(per_outcome) if per_outcome else None)
                                        or data.get(arm_field_path(arm.id, analysis.subgroup))
                                        or data.get(study_path(analysis.subgroup))
                                        or "not reported")
        report = arm_report(study, outcome, arm, cells, attrs, role)
        if report is not None:
            out.append(report)
    roles = {r.role for r in out}
    return out if len(roles) == 2 else []


def _generic_subgroup(form: Form, analysis: Analysis, data: dict[str, str],
                      outcome: str) -> str:
    per_outcome = subgroup_path(form, analysis, outcome)
    return ((data.get(per_outcome) if per_outcome else None)
            or data.get(study_path(str(analysis.subgroup)), "not reported"))


def _swapped(cells: dict[str, str | None], form: Form) -> dict[str, str | None]:
    """RevMan's "swap events": the analysis pools non-events (n - events)."""
    out = dict(cells)
    for a in form.arms:
        e, n = cells.get(column("events", a.id)), cells.get(column("n", a.id))
        if e is not None and n is not None:
            out[column("events", a.id)] = str(int(float(n)) - int(float(e)))
    return out


def _subgroup_order(form: Form, analysis: Analysis):
    """Subgroups in the form's order of choices, or the order an imported RevMan
    analysis lists (as RevMan keeps the author's order), else alphabetical;
    studies alphabetical within each."""
    name = str(analysis.subgroup)
    if _is_outcome_field(form, name):
        listed = analysis.revman.get("subgroups", [])
        choices = [str(c).lower() for c in listed] if isinstance(listed, list) else []
    else:
        fields = {f.name: f for f in (*form.study_fields, *form.arm_fields)}
        choices = [c.lower() for c in fields[name].choices]

    def key(row: dict[str, object]) -> tuple[int, str, str]:
        group = str(row[name]).lower()
        rank = choices.index(group) if group in choices else len(choices)
        return rank, group, str(row["study"])

    return key


def _block_on_discrepancies(analysis: Analysis, form: Form, rec: Reconciled,
                            studies: list[str]) -> None:
    paths = []
    for outcome in (form.outcome(o) for o in analysis.outcomes()):
        paths += [stat_path(outcome.id, a.id, s) for a in form.arms for s in outcome.stats]
        paths += [effect_path(outcome.id, s) for s in outcome.effect_stats]
        per_outcome = subgroup_path(form, analysis, outcome.id)
        paths += [per_outcome] if per_outcome else []
    paths += [study_path(k) for k in [*analysis.where, analysis.subgroup] if k]
    if analysis.subgroup:
        paths += [arm_field_path(a.id, analysis.subgroup) for a in form.arms]
    open_ = rec.unresolved_for(paths, studies)
    if open_:
        listed = "; ".join(d.describe() for d in open_[:6])
        more = f"; and {len(open_) - 6} more" if len(open_) > 6 else ""
        raise ReviewflowError(
            f"analysis {analysis.name!r} blocked by {len(open_)} unresolved extraction "
            f"discrepancies: {listed}{more}. Resolve them ('reviewflow extraction compare', "
            "'reviewflow extraction resolve') first")
