"""The extraction form: which fields a study has, read from TOML kept with the review.

A form is plain text so a team can read it, diff it and keep it in version
control; every distinct text is stored as a new :class:`ExtractionForm` version
so values can always be traced to the form they were entered against.

Field paths address one value:

* ``study/<field>`` — a study-level field (country, cell_source ...);
* ``arm/<arm>/<field>`` — a per-arm field (description ...);
* ``outcome/<outcome>/<field>`` — a per-study detail of an outcome (scale, time point);
* ``outcome/<outcome>/arm/<arm>/<stat>`` — ``mean``/``sd``/``n`` (continuous)
  or ``events``/``n`` (dichotomous), plus the statistics an outcome lists in
  ``reported`` (median, q1, q3, min, max, se, ci_low, ci_high; percent; a cluster
  trial's clusters or cluster_size with its icc): what trials report instead,
  converted at analysis time with the method named.

A form has any number of arms (two or more), each an intervention or a control
(``role``; by default the last arm is the control); a study fills the arms it has.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

from reviewflow.config_schema import validated
from reviewflow.errors import ReviewflowError

FIELD_TYPES = ("text", "integer", "number", "choice")
OUTCOME_TYPES = ("continuous", "dichotomous", "generic")
DIRECTIONS = ("lower_is_better", "higher_is_better")
STATS = {"continuous": ("mean", "sd", "n"), "dichotomous": ("events", "n"), "generic": ()}
# A cluster-randomised trial's arm gives its number of clusters or mean cluster size and
# its ICC; the analysis then uses the effective sample size (Handbook 23.1.4).
CLUSTER = ("clusters", "cluster_size", "icc")
REPORTED = {"continuous": ("median", "q1", "q3", "min", "max", "se", "ci_low", "ci_high",
                           "mean_baseline", "sd_baseline", "mean_final", "sd_final", *CLUSTER),
            "dichotomous": ("percent", *CLUSTER), "generic": ()}
REPORTED_ALL = tuple(dict.fromkeys(s for kind in REPORTED.values() for s in kind))
# A generic outcome is one reported effect per study (MD, SMD, or a ratio on its natural
# scale) with its SE, 95% CI or P; a cluster trial adds its mean cluster size and ICC; a
# cross-over trial may give its period means and SDs with a within-patient correlation
# (or the SD of the differences) and its number of participants instead.
EFFECT = ("estimate", "se", "ci_low", "ci_high", "p", "cluster_size", "icc", "mean_e", "mean_c",
          "sd_e", "sd_c", "sd_diff", "corr", "n")
STAT_TYPES = {"mean": "number", "sd": "number", "n": "integer", "events": "integer",
              **{s: "number" for s in REPORTED_ALL}, "clusters": "integer",
              **{s: "number" for s in EFFECT if s != "n"}}
STAT_LABELS = {"mean": "Mean", "sd": "SD", "n": "N", "events": "Events", "median": "Median",
               "q1": "Q1", "q3": "Q3", "min": "Minimum", "max": "Maximum", "se": "SE",
               "ci_low": "95% CI low", "ci_high": "95% CI high", "percent": "Percent",
               "estimate": "Estimate", "p": "P", "cluster_size": "Mean cluster size",
               "icc": "ICC", "mean_e": "Mean, intervention period",
               "mean_c": "Mean, control period", "sd_e": "SD, intervention period",
               "sd_c": "SD, control period", "sd_diff": "SD of differences",
               "corr": "Within-patient correlation", "mean_baseline": "Baseline mean",
               "sd_baseline": "Baseline SD",
               "mean_final": "Final mean", "sd_final": "Final SD",
               "clusters": "Clusters"}
ROLES = ("intervention", "control")
FORM_FILE = "extraction_form.toml"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # ids become paths, columns and widget ids


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str = "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArmDef:
    id: str
    label: str
    role: str = "intervention"  # or "control"


@dataclass(frozen=True)
class OutcomeDef:
    id: str
    label: str
    type: str
    unit: str = ""
    time_point: str = ""
    direction: str = "lower_is_better"
    reported: tuple[str, ...] = ()  # statistics beyond STATS that trials report
    ratio: bool = False  # generic outcomes: effects are ratios (RR, OR, HR), natural scale
    # Generic outcomes: each arm's number of participants, as RevMan keeps them beside a
    # reported effect (its forest plot shows them); never pooled.
    group_totals: bool = False

    @property
    def stats(self) -> tuple[str, ...]:
        totals = ("n",) if self.group_totals and self.type == "generic" else ()
        return STATS[self.type] + totals + self.reported

    @property
    def effect_stats(self) -> tuple[str, ...]:
        return EFFECT if self.type == "generic" else ()


@dataclass(frozen=True)
class Form:
    name: str
    study_fields: tuple[FieldDef, ...]
    arms: tuple[ArmDef, ...]
    arm_fields: tuple[FieldDef, ...]
    outcomes: tuple[OutcomeDef, ...]
    outcome_fields: tuple[FieldDef, ...] = ()
    text: str = ""

    def outcome(self, outcome_id: str) -> OutcomeDef:
        for o in self.outcomes:
            if o.id == outcome_id:
                return o
        known = ", ".join(o.id for o in self.outcomes)
        raise ReviewflowError(f"unknown outcome {outcome_id!r} (form has: {known})")

    def study_field(self, name: str) -> FieldDef:
        for f in self.study_fields:
            if f.name == name:
                return f
        known = ", ".join(f.name for f in self.study_fields)
        raise ReviewflowError(f"unknown study field {name!r} (form has: {known})")

    def field_paths(self) -> list[str]:
        """Every path of the form, in display order."""
        paths = [study_path(f.name) for f in self.study_fields]
        paths += [arm_field_path(a.id, f.name) for a in self.arms for f in self.arm_fields]
        for o in self.outcomes:
            paths += [outcome_field_path(o.id, f.name) for f in self.outcome_fields]
            paths += [stat_path(o.id, a.id, s) for a in self.arms for s in o.stats]
            paths += [effect_path(o.id, s) for s in o.effect_stats]
        return paths

    def find_outcome(self, text: str) -> OutcomeDef:
        """An outcome by id or by label (case-insensitive), as spreadsheets name them."""
        key = text.strip().lower()
        for o in self.outcomes:
            if key in (o.id.lower(), o.label.lower()):
                return o
        return self.outcome(text.strip())

    def field_def(self, path: str) -> FieldDef:
        """The definition a path refers to (stats get a synthetic numeric FieldDef)."""
        parts = path.split("/")
        if parts[0] == "study" and len(parts) == 2:
            return self.study_field(parts[1])
        if parts[0] == "arm" and len(parts) == 3:
            self.arm(parts[1])
            for f in self.arm_fields:
                if f.name == parts[2]:
                    return f
        if parts[0] == "outcome" and len(parts) == 3:
            self.outcome(parts[1])
            for f in self.outcome_fields:
                if f.name == parts[2]:
                    return f
        if parts[0] == "outcome" and len(parts) == 4 and parts[2] == "effect" and \
                parts[3] in self.outcome(parts[1]).effect_stats:
            return FieldDef(parts[3], STAT_LABELS[parts[3]], STAT_TYPES[parts[3]])
        if parts[0] == "outcome" and len(parts) == 5 and parts[2] == "arm":
            out = self.outcome(parts[1])
            self.arm(parts[3])
            if parts[4] in out.stats:
                return FieldDef(parts[4], parts[4].upper(), STAT_TYPES[parts[4]])
        raise ReviewflowError(f"{path!r} is not a field of the extraction form")

    def arm(self, arm_id: str) -> ArmDef:
        for a in self.arms:
            if a.id == arm_id:
                return a
        raise ReviewflowError(f"unknown arm {arm_id!r} (form has: "
                              f"{', '.join(a.id for a in self.arms)})")

    def label(self, path: str) -> str:
        parts = path.split("/")
        if parts[0] == "outcome" and len(parts) == 3:
            return f"{self.outcome(parts[1]).label} · {self.field_def(path).label}"
        if parts[0] == "outcome" and len(parts) == 4:
            return f"{self.outcome(parts[1]).label} · effect · {STAT_LABELS[parts[3]]}"
        if parts[0] == "outcome":
            stat = STAT_LABELS[parts[4]]
            return f"{self.outcome(parts[1]).label} · {self.arm(parts[3]).label} · {stat}"
        return self.field_def(path).label if parts[0] == "study" else \
            f"{self.arm(parts[1]).label} · {self.field_def(path).label}"


def stat_path(outcome: str, arm: str, stat: str) -> str:
    """The path of one arm's statistic of one outcome."""
    return f"outcome/{outcome}/arm/{arm}/{stat}"


def effect_path(outcome: str, stat: str) -> str:
    """The path of a study's reported effect statistic (generic outcomes)."""
    return f"outcome/{outcome}/effect/{stat}"


def outcome_field_path(outcome: str, name: str) -> str:
    return f"outcome/{outcome}/{name}"


def study_path(name: str) -> str:
    return f"study/{name}"


def arm_field_path(arm: str, name: str) -> str:
    return f"arm/{arm}/{name}"


def normalise_value(form: Form, path: str, raw: str | None) -> str | None:
    """Check one value against its field and return its canonical text (None = empty).

    Only single-field rules live here (numbers, SD > 0, n >= 1, choices); rules
    across fields (events <= n, both arms present) are in ``validation``.
    """
    fdef = form.field_def(path)
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if fdef.type == "text":
        return text
    if fdef.type == "choice":
        for c in fdef.choices:
            if c.lower() == text.lower():
                return c
        raise ReviewflowError(f"{text!r} is not one of: {', '.join(fdef.choices)}")
    number = _number(text)
    if fdef.type == "integer":
        if number != int(number):
            raise ReviewflowError(f"{text!r} is not a whole number")
        return _check_stat(fdef.name, str(int(number)), int(number))
    return _check_stat(fdef.name, entered_decimals(text, number), number)


def entered_decimals(text: str, number: float) -> str:
    """The number as entered, to the decimals entered ("7.0" stays "7.0", "7,50" becomes
    "7.50"): a trial reports its precision and the forest plot shows it (RevMan does)."""
    plain = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        exact = Decimal(plain.lstrip("+"))
    except InvalidOperation:
        return _format_number(number)
    if exact.as_tuple().exponent > 0 or "e" in plain.lower():  # type: ignore[operator]
        return _format_number(number)  # 1e3, 2E-4: no decimals were typed as such
    return str(exact)


def _number(text: str) -> float:
    try:
        value = float(text.replace(",", ".") if text.count(",") == 1 and "." not in text
                      else text)
    except ValueError:
        raise ReviewflowError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ReviewflowError(f"{text!r} is not a finite number")
    return value


def _format_number(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


def _check_stat(name: str, text: str, value: float) -> str:
    if name in ("sd", "se", "cluster_size", "sd_baseline", "sd_final") and value <= 0:
        raise ReviewflowError(f"{name.upper()} must be > 0 (got {text})")
    if name == "percent" and not 0 <= value <= 100:
        raise ReviewflowError(f"percent must be between 0 and 100 (got {text})")
    if name in ("n", "clusters") and value < 1:
        raise ReviewflowError(f"{name} must be at least 1 (got {text})")
    if name == "icc" and not 0 <= value < 1:
        raise ReviewflowError(f"ICC must be at least 0 and below 1 (got {text})")
    if name in ("events", "sample_size") and value < 0:
        raise ReviewflowError(f"{name} cannot be negative (got {text})")
    return text


def default_form_text() -> str:
    """The generic RCT form ``extraction form --init`` writes."""
    return resources.files("reviewflow.extraction").joinpath("default_form.toml").read_text(
        encoding="utf-8")


EXAMPLE_SUFFIX = "_extraction_form.toml"


def example_forms() -> list[str]:
    """Names of the shipped worked examples (``--init --example NAME``), e.g. msc."""
    folder = resources.files("reviewflow.extraction").joinpath("examples")
    return sorted(p.name.removesuffix(EXAMPLE_SUFFIX) for p in folder.iterdir()
                  if p.name.endswith(EXAMPLE_SUFFIX))


def example_form_text(name: str) -> str:
    if name not in example_forms():
        raise ReviewflowError(f"no example form {name!r} (examples: "
                              f"{', '.join(example_forms())})")
    return resources.files("reviewflow.extraction").joinpath(
        "examples", f"{name}{EXAMPLE_SUFFIX}").read_text(encoding="utf-8")


def parse_form(text: str, source: str = FORM_FILE) -> Form:
    """Parse and check a form definition; errors name the source and the problem."""
    from reviewflow.extraction.form_schema import FormFile  # pydantic: only when a form is read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewflowError(f"{source}: not valid TOML ({exc})") from None
    validated(FormFile, data, source)  # keys and types; the rules across fields follow
    try:
        form = Form(
            name=str(data.get("form", {}).get("name", "extraction form")),
            study_fields=tuple(_field(d) for d in data.get("study_fields", [])),
            arms=_arms(data.get("arms", [])),
            arm_fields=tuple(_field(d) for d in data.get("arm_fields", [])),
            outcomes=tuple(_outcome(d) for d in data.get("outcomes", [])),
            outcome_fields=tuple(_field(d) for d in data.get("outcome_fields", [])),
            text=text,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReviewflowError(f"{source}: {exc}") from None
    _check_form(form, source)
    return form


def _arms(defs: list[dict]) -> tuple[ArmDef, ...]:
    """Arms with their roles; without any role given, the last arm is the control."""
    explicit = any("role" in d for d in defs)
    out = []
    for i, d in enumerate(defs):
        role = str(d.get("role", "control" if not explicit and i == len(defs) - 1
                         else "intervention")).lower()
        if role not in ROLES:
            raise ValueError(f"arm {d.get('id')!r}: role must be intervention or control")
        out.append(ArmDef(str(d["id"]), str(d.get("label", d["id"])), role))
    return tuple(out)


def _field(d: dict) -> FieldDef:
    ftype = str(d.get("type", "text"))
    if ftype not in FIELD_TYPES:
        raise ValueError(f"field {d.get('name')!r}: type must be one of {', '.join(FIELD_TYPES)}")
    return FieldDef(str(d["name"]), str(d.get("label", d["name"])), ftype,
                    tuple(str(c) for c in d.get("choices", ())))


def _outcome(d: dict) -> OutcomeDef:
    otype = str(d.get("type", ""))
    if otype not in OUTCOME_TYPES:
        raise ValueError(f"outcome {d.get('id')!r}: type must be continuous, dichotomous or "
                         "generic")
    direction = str(d.get("direction", "lower_is_better"))
    if direction not in DIRECTIONS:
        raise ValueError(f"outcome {d.get('id')!r}: direction must be one of "
                         f"{', '.join(DIRECTIONS)}")
    reported = d.get("reported", ())
    reported = REPORTED[otype] if reported == "all" else tuple(str(r) for r in reported)
    unknown = [r for r in reported if r not in REPORTED[otype]]
    if unknown:
        raise ValueError(f"outcome {d.get('id')!r}: {unknown[0]!r} is not a reported statistic "
                         f"of a {otype} outcome (use {', '.join(REPORTED[otype])} or \"all\")")
    group_totals = bool(d.get("group_totals", False))
    if group_totals and otype != "generic":
        raise ValueError(f"outcome {d.get('id')!r}: group_totals is for generic outcomes "
                         f"(a {otype} outcome has n per arm already)")
    return OutcomeDef(str(d["id"]), str(d.get("label", d["id"])), otype,
                      str(d.get("unit", "")), str(d.get("time_point", "")), direction,
                      tuple(reported), bool(d.get("ratio", False)), group_totals)


def _check_form(form: Form, source: str) -> None:
    if len(form.arms) < 2 or {a.role for a in form.arms} != set(ROLES):
        raise ReviewflowError(f"{source}: a form needs at least two arms, at least one an "
                              "intervention and one a control (role = \"control\")")
    for kind, names in (("study field", [f.name for f in form.study_fields]),
                        ("arm", [a.id for a in form.arms]),
                        ("arm field", [f.name for f in form.arm_fields]),
                        ("outcome field", [f.name for f in form.outcome_fields]),
                        ("outcome", [o.id for o in form.outcomes])):
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ReviewflowError(f"{source}: {kind} defined twice: {', '.join(sorted(dupes))}")
        bad = [n for n in names if not NAME.fullmatch(n)]
        if bad:
            raise ReviewflowError(f"{source}: bad {kind} name {bad[0]!r} (use letters, digits "
                                  "and _ only)")
    labels = [a.label.lower() for a in form.arms]
    if len(set(labels)) != len(labels):
        raise ReviewflowError(f"{source}: two arms share a label (labels name the comparisons "
                              "of multi-arm studies)")
    columns = [f.name for f in (*form.study_fields, *form.outcome_fields)]
    columns += [f"{a.id}_{f.name}" for a in form.arms for f in form.arm_fields]
    stats = ("mean", "sd", "events", "n", *REPORTED_ALL)
    columns += [f"{s}_{a.id}" for a in form.arms for s in stats]
    clash = sorted({c for c in columns if columns.count(c) > 1} | (
        {"study", "outcome", "outcome_type"} & set(columns)))
    if clash:
        raise ReviewflowError(f"{source}: field names clash in the spreadsheet layout: "
                              f"{', '.join(clash)}")
    for f in (*form.study_fields, *form.arm_fields, *form.outcome_fields):
        if f.type == "choice" and not f.choices:
            raise ReviewflowError(f"{source}: choice field {f.name!r} lists no choices")
