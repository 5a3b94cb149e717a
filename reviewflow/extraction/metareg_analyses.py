"""Meta-regressions declared in ``analyses.toml``, run on a declared analysis.

    [[meta_regression]]
    name = "oa_vas_source"              # used in file names
    analysis = "oa_vas"                 # the [[analysis]] whose studies and options it uses
    moderators = ["cell_source", "follow_up_months"]   # study-level fields of the form
    tau2 = "REML"                       # optional: DL | REML | PM (default REML, as metafor)
    hksj = true                         # optional: Knapp-Hartung tests (default false)
    permutations = 1000                 # optional: permutation test of the moderators

A field whose reconciled values are all numbers is a covariate, otherwise a
factor (first level in sorted order is the reference). The model is the
analysis's effect measure and model (fixed, or random effects); a random-effects
meta-regression estimates the residual tau^2 by REML unless ``tau2`` says
otherwise. A study without a value for a moderator stops the meta-regression
with its name, as a discrepancy stops an analysis.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewflow.errors import ReviewflowError
from reviewflow.extraction.analyses import Analysis
from reviewflow.extraction.form import Form
from reviewflow.extraction.reconcile import Reconciled
from reviewflow.store.reader import Reader
from reviewflow.wording import plural

KEYS = {"name", "analysis", "moderators", "permutations", "title", "tau2", "hksj"}


@dataclass(frozen=True)
class MetaRegressionSpec:
    name: str
    analysis: str
    moderators: tuple[str, ...]
    permutations: int = 0
    title: str = ""
    tau2: str = "REML"
    hksj: bool = False


@dataclass(frozen=True)
class MetaRegressionRun:
    spec: MetaRegressionSpec
    fit: Any  # pooling.metareg.MetaRegression
    y: tuple[float, ...]
    v: tuple[float, ...]
    studies: tuple[str, ...]
    ratio: bool
    measure: str


def parse_metaregressions(text: str, analyses: list[Analysis], form: Form,
                          source: str = "analyses.toml") -> list[MetaRegressionSpec]:
    """The ``[[meta_regression]]`` tables; ``analyses`` are the declared ones they may use."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReviewflowError(f"{source}: not valid TOML ({exc})") from None
    names = {a.name for a in analyses}
    out = []
    for i, d in enumerate(data.get("meta_regression", []), start=1):
        where = f"{source}, meta_regression {d.get('name', i)!r}"
        unknown = set(d) - KEYS
        if unknown:
            raise ReviewflowError(f"{where}: {plural(len(unknown), 'unknown key')}: "
                                  f"{', '.join(sorted(unknown))}")
        for key in ("name", "analysis", "moderators"):
            if key not in d:
                raise ReviewflowError(f"{where}: missing key '{key}'")
        if d["analysis"] not in names:
            raise ReviewflowError(f"{where}: no analysis called {d['analysis']!r}")
        mods = d["moderators"]
        if not isinstance(mods, list) or not mods:
            raise ReviewflowError(f"{where}: moderators must be a list of study fields")
        for m in mods:
            try:
                form.study_field(str(m))
            except ReviewflowError as exc:
                raise ReviewflowError(f"{where}: {exc}") from None
        perms = d.get("permutations", 0)
        if not isinstance(perms, int) or perms < 0:
            raise ReviewflowError(f"{where}: permutations must be a whole number")
        tau2 = str(d.get("tau2", "REML")).upper()
        if tau2 not in ("DL", "REML", "PM"):
            raise ReviewflowError(f"{where}: tau2 must be DL, REML or PM")
        out.append(MetaRegressionSpec(str(d["name"]), str(d["analysis"]),
                                      tuple(str(m) for m in mods), perms,
                                      str(d.get("title", "")), tau2, bool(d.get("hksj", False))))
    return out


def load_metaregressions(folder: Path, analyses: list[Analysis],
                         form: Form) -> list[MetaRegressionSpec]:
    path = folder / "analyses.toml"
    if not path.is_file():
        return []
    return parse_metaregressions(path.read_text(encoding="utf-8"), analyses, form, str(path))


def run_metaregression(spec: MetaRegressionSpec, run, rec: Reconciled) -> MetaRegressionRun:
    """Fit the spec on an analysis run (``extraction.run_analysis.AnalysisRun``)."""
    from reviewflow.pooling import make_options, table_from_frame
    from reviewflow.pooling.beyond_pooling import estimable_effects, regress
    from reviewflow.pooling.metareg import Moderator

    opts = make_options(**{**run.analysis.options(), "tau2_method": spec.tau2,
                           "hksj": spec.hksj})
    table = table_from_frame(run.data, measure=opts.measure)
    mods = [Moderator(name, _values(spec, name, run, table.studies, rec))
            for name in spec.moderators]
    fit = regress(table, opts, mods, permutations=spec.permutations)
    eff = estimable_effects(table, opts)
    return MetaRegressionRun(spec, fit, tuple(eff.y.tolist()), tuple(eff.v.tolist()),
                             eff.studies, opts.ratio, str(opts.measure))


def _values(spec: MetaRegressionSpec, name: str, run, studies: tuple[str, ...],
            rec: Reconciled) -> tuple[float | str, ...]:
    """One value per pooled row: the row's own column when the analysis input carries it
    (an arm's cell source in a split multi-arm trial), else the study's reconciled field."""
    from reviewflow.pooling.forest_rob import trial_of

    in_data = name in run.data.columns and len(run.data) == len(studies)
    cells = []
    for i, study in enumerate(studies):
        value = str(run.data[name].iloc[i]).strip() if in_data else ""
        if not value:
            fields = rec.values.get(study) or rec.values.get(trial_of(study), {})
            value = fields.get(f"study/{name}", "").strip()
        if not value:
            raise ReviewflowError(f"meta-regression {spec.name!r}: study {study!r} has no "
                                  f"reconciled value for {name!r}")
        cells.append(value)
    numbers = [_number(c) for c in cells]
    if all(n is not None for n in numbers):
        return tuple(n for n in numbers if n is not None)
    return tuple(cells)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def write_outputs(mr: MetaRegressionRun, out_dir: Path) -> list[Path]:
    """The text summary and a bubble plot per covariate."""
    from reviewflow import drawing

    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    text = out_dir / f"{mr.spec.name}_metareg.txt"
    text.write_text("\n".join(summary_lines(mr)) + "\n", encoding="utf-8")
    files.append(text)
    for mod in mr.fit.design.moderators:
        if mod.categorical:
            continue
        bubble = out_dir / f"{mr.spec.name}_bubble_{mod.name}.png"
        files.append(drawing.submit("reviewflow.pooling.bias_plots:draw", bubble, "bubble",
                                    bubble, mr.y, mr.v, mr.fit, mod.name, label=mr.measure,
                                    ratio=mr.ratio, studies=mr.studies,
                                    title=mr.spec.title or None))
    return files


def summary_lines(mr: MetaRegressionRun) -> list[str]:
    from reviewflow.pooling.beyond_text import metareg_text

    head = f"{mr.spec.name}: meta-regression of {mr.spec.analysis} on " \
           f"{', '.join(mr.spec.moderators)}"
    return [head, *[line for line in metareg_text(mr.fit, ratio=mr.ratio) if line]]


def run_declared(reader: Reader, form: Form, folder: Path, runs: list, out_dir: Path, *,
                 reconciled: Reconciled | None = None
                 ) -> list[tuple[MetaRegressionRun, list[Path]]]:
    """Every ``[[meta_regression]]`` whose analysis is among ``runs``, with its files;
    ``reconciled``: the extraction the runs were pooled from, when the caller has it."""
    from reviewflow.extraction.analyses import load_analyses
    from reviewflow.extraction.reconcile import read_reconciled

    specs = load_metaregressions(folder, load_analyses(folder, form), form)
    if not specs:
        return []
    by_name = {r.analysis.name: r for r in runs}
    rec = reconciled if reconciled is not None else read_reconciled(reader)
    out = []
    for spec in specs:
        if spec.analysis not in by_name:
            continue
        mr = run_metaregression(spec, by_name[spec.analysis], rec)
        out.append((mr, write_outputs(mr, out_dir)))
    return out
