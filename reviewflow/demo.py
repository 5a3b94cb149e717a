"""The demo: a whole review built from ``sample_exports/``, every stage through the real code.

The two reviewers' and the arbiter's calls are scripted from the ground-truth
file that comes with the made-up exports (``truth.csv``): the demo writes each
reviewer's decisions to a CSV in the review folder and loads it with the same
function as ``reviewflow decide --from``, resolves duplicate pairs and
conflicts with the same functions the TUI calls, and so on. Nothing is
computed on the side: PRISMA, kappa and the analyses are derived from the store.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from reviewflow.screening.conflicts import Conflict, list_conflicts, resolve_conflict
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.screening.decisions_file import load_decisions_file, write_decisions
from reviewflow.screening.settings import ScreeningSettings, save_settings
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig
from reviewflow.store.writer import session_writer

Say = Callable[[str], None]
REVIEWERS = ("reviewer_a", "reviewer_b")
ARBITER = "arbiter"


def samples_dir() -> Path:
    """The bundled sample exports (repo checkout or installed package data)."""
    here = Path(__file__).resolve()
    for cand in (here.parent / "_samples", here.parents[1] / "sample_exports"):
        if (cand / "review.toml").is_file():
            return cand
    raise FileNotFoundError("sample_exports/ not found")


@dataclass
class DemoContext:
    """What the steps share."""

    folder: Path
    samples: Path
    store: Store
    definition: dict
    say: Say
    truth: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    scripted: Path = field(init=False)

    def __post_init__(self) -> None:
        self.scripted = self.folder / "scripted"
        self.scripted.mkdir(exist_ok=True)
        with (self.samples / "truth.csv").open(encoding="utf-8", newline="") as fh:
            self.truth = {(r["file"], int(r["position"])): r for r in csv.DictReader(fh)}


def create_review(folder: Path, samples: Path, say: Say) -> DemoContext:
    """Step 1: the review folder, its store and settings from ``review.toml``."""
    definition = tomllib.loads((samples / "review.toml").read_text(encoding="utf-8"))
    title = definition["title"]
    question = " ".join(definition.get("question", "").split())
    config = ReviewConfig(folder=folder, title=title)
    store = Store.create(config.database_url(), title=title, question=question)
    config.save()
    screening = definition.get("screening", {})
    highlight = definition.get("highlight", {})
    with store.write() as s:
        save_settings(ScreeningSettings(
            include_keywords=tuple(highlight.get("include", ())),
            exclude_keywords=tuple(highlight.get("exclude", ())),
            exclusion_reasons=tuple(screening.get("exclusion_reasons", ())) or
            ScreeningSettings().exclusion_reasons,
        ), session=s)
    with store.write() as s:  # the team, as 'reviewer add' would make it
        for name in REVIEWERS:
            ensure_reviewer(session=s, name=name)
        ensure_reviewer(session=s, name=ARBITER, role="arbiter")
    say(f"[1] Review created in {folder}")
    return DemoContext(folder, samples, store, definition, say)


def record_truth(ctx: DemoContext) -> dict[int, dict[str, str]]:
    """Each stored record's ground-truth row, found through its import provenance."""
    p, imp = models.RecordProvenance, models.SearchImport
    with ctx.store.session() as s:
        rows = s.exec(select(p.record_id, imp.file_name, p.position)
                      .join(imp, p.import_id == imp.id)).all()  # type: ignore[arg-type]
    out = {}
    for record_id, file_name, position in rows:
        row = ctx.truth.get((Path(file_name).name, position))
        if row is not None:
            out[record_id] = row
    return out


def _write_csv(path: Path, rows: list[dict[str, object]],
               columns: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or ["record_id", "decision", "reason"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def screen_stage(ctx: DemoContext, stage: str) -> dict[str, int]:
    """Both reviewers' scripted decisions at ``stage``, loaded as ``decide --from`` does."""
    from reviewflow.screening.settings import load_settings
    from reviewflow.screening.state import eligible_ids

    settings = load_settings(ctx.store)
    truth = record_truth(ctx)
    with ctx.store.session() as s:
        ids = eligible_ids(s, stage)
    prefix = "ta" if stage == TITLE_ABSTRACT else "ft"
    loaded = {}
    for who, column in zip(REVIEWERS, ("a", "b"), strict=True):
        rows = []
        for rid in ids:
            row = truth.get(rid)
            decision = (row or {}).get(f"{prefix}_reviewer_{column}") or "exclude"
            reason = None
            if stage == FULL_TEXT and decision == "exclude":
                reason = (row or {}).get("ft_exclusion_reason") or "wrong population"
                if reason == "not retrievable":  # a PRISMA box of its own, not a reason
                    decision, reason = "not_retrieved", None
            rows.append({"record_id": rid, "decision": decision, "reason": reason})
        path = _write_csv(ctx.scripted / f"{prefix}_{who}.csv", rows)
        with ctx.store.write() as s:  # one screener's file: one transaction
            person = ensure_reviewer(session=s, name=who)
            assert person.id is not None
            writer = session_writer(s)
            checked = load_decisions_file(settings, path, stage, reader=writer.reader)
            loaded[who] = write_decisions(checked, stage, person.id, writer=writer)[0]
    return loaded


def resolve_stage(ctx: DemoContext, stage: str) -> int:
    """The arbiter settles every open conflict at ``stage`` from the ground truth."""
    from reviewflow.screening.settings import load_settings

    settings = load_settings(ctx.store)
    truth = record_truth(ctx)
    with ctx.store.session() as s:
        conflicts = list_conflicts(s, stage)
    key = "relevant_ta" if stage == TITLE_ABSTRACT else "relevant_ft"
    with ctx.store.write() as s:  # the arbiter's sitting: one transaction
        arbiter = ensure_reviewer(session=s, name=ARBITER, role="arbiter")
        for c in conflicts:
            _settle(s, c, truth, key, stage, settings, arbiter)
    return len(conflicts)


def _settle(session: Session, c: Conflict, truth: dict[int, dict[str, str]], key: str,
            stage: str, settings: ScreeningSettings, arbiter: models.Reviewer) -> None:
    """The arbiter's call on one conflict: what the demo's truth table says."""
    row = truth.get(c.status.record_id, {})
    decision = "include" if row.get(key) == "1" else "exclude"
    reason = None
    if stage == FULL_TEXT and decision == "exclude":
        reason = row.get("ft_exclusion_reason") or "wrong population"
        if reason == "not retrievable":
            decision, reason = "not_retrieved", None
    resolve_conflict(session=session, settings=settings, record_id=c.status.record_id,
                     stage=stage, decision=decision, resolver=arbiter,
                     method="arbiter", reason=reason,
                     note="Settled by the arbiter after discussion (demo script).")


def searched_on(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


Progress = Callable[[str, int, int], None]  # (label, done, total)


def import_sources(ctx: DemoContext, progress: Progress | None = None) -> list:
    """Step 2: every search export named in ``review.toml``, one transaction each."""
    from reviewflow.store.imports import import_file

    outcomes = []
    for source in ctx.definition.get("sources", []):
        path = ctx.samples / source["file"]
        label = source.get("database", path.name)

        def advance(done: int, total: int, label: str = label) -> None:
            if progress is not None:
                progress(label, done, total)

        with ctx.store.write() as session:
            outcome = import_file(
                session=session, path=path, database=source.get("database"),
                searched_on=searched_on(source.get("searched")), query=source.get("query"),
                format=source.get("format"), progress=advance,
            )
        outcomes.append(outcome)
        ctx.say(f"    {label:<32} {outcome.stored:>4} records  ({outcome.format}, "
                f"{outcome.encoding}, {len(outcome.warnings)} warnings)")
    return outcomes


def deduplicate(ctx: DemoContext) -> tuple[object, int, int]:
    """Step 3: automatic merges, then a person's verdict on each queued pair.

    The "person" is scripted from the ground truth: records of one report share
    ``duplicate_group`` in ``truth.csv``.
    """
    from reviewflow.store import dedup_store

    with ctx.store.session() as s:
        plan = dedup_store.plan_run(session=s)
    with ctx.store.write() as s:
        summary = dedup_store.store_run(session=s, plan=plan)
    truth = record_truth(ctx)
    with ctx.store.write() as s:
        person = ensure_reviewer(session=s, name=REVIEWERS[0])
    with ctx.store.session() as s:
        queue = dedup_store.open_pairs(s)
    same = 0
    for pair in queue:
        a = truth.get(pair.record_a_id, {}).get("duplicate_group")
        b = truth.get(pair.record_b_id, {}).get("duplicate_group")
        verdict = "duplicate" if a and a == b else "distinct"
        same += verdict == "duplicate"
        with ctx.store.write() as s:
            dedup_store.resolve(pair.id or 0, verdict, person.id, session=s)
    return summary, len(queue), same


def agreement(ctx: DemoContext) -> None:
    """Step 5: Cohen's kappa and percent agreement per stage, derived from the decisions."""
    from reviewflow.review_state import load_review_state
    from reviewflow.stages import LABELS, STAGES

    with ctx.store.session() as s:
        state = load_review_state(s)
    for stage in STAGES:
        for a in state.stage(stage).agreement():
            kappa = "n/a" if a.kappa is None else f"{a.kappa:.2f}"
            ctx.say(f"[5] Agreement at {LABELS[stage].lower()}: {a.n} records, "
                    f"{a.percent:.1f}% agreement, Cohen's kappa {kappa} (independent votes)")


def finish(ctx: DemoContext) -> None:
    """Last steps: PRISMA counts and diagram, the HTML report."""
    from reviewflow.cli.prisma import format_counts
    from reviewflow.prisma.derive import prisma_counts
    from reviewflow.prisma.diagram import draw
    from reviewflow.report.html import build_report

    with ctx.store.session() as s:
        counts = prisma_counts(s)
    out = ctx.folder / "output"
    out.mkdir(exist_ok=True)
    draw(counts, out / "prisma.svg", out / "prisma.png")
    ctx.say("[8] PRISMA 2020 counts (diagram: output/prisma.png):")
    for line in format_counts(counts.to_json()).splitlines():
        ctx.say(f"    {line}")
    errors = counts.identity_errors()
    ctx.say("    identities hold" if not errors else f"    CHECK: {'; '.join(errors)}")
    from reviewflow.store.reader import store_reader

    with store_reader(ctx.store) as reader:
        path = build_report(reader, ctx.folder / "report", ctx.folder,
                            source=ctx.store.display_url)
    ctx.say(f"[9] Report: {path}")


def extract_and_analyse(ctx: DemoContext):  # -> DemoExtraction
    """Steps 7-8: link included reports to their studies, extract, assess bias, analyse."""
    from reviewflow.extraction.demo_step import run_demo_extraction
    from reviewflow.extraction.run_analysis import summary_lines
    from reviewflow.extraction.studies import included_record_ids, link_record, list_studies

    with (ctx.samples / "extraction.csv").open(encoding="utf-8", newline="") as fh:
        sheet_rows = list(csv.DictReader(fh))
    label_of = {row["study_key"]: row["study"] for row in sheet_rows}
    truth = record_truth(ctx)
    with ctx.store.session() as s:
        included = included_record_ids(s)
    # Each study is created linked to an included report: the sheet names it by record_id.
    report_of: dict[str, int] = {}
    for rid in included:
        report_of.setdefault(truth.get(rid, {}).get("study_key", ""), rid)
    linked_sheet = _write_csv(ctx.scripted / "extraction_linked.csv", [
        {**row, "record_id": report_of.get(row["study_key"], "")} for row in sheet_rows],
        [*sheet_rows[0], "record_id"])
    result = run_demo_extraction(ctx.store, ctx.folder, ctx.samples, linked_sheet)
    linked_already = {rid for st in list_studies(ctx.store) for rid in st.record_ids}
    linked = 0
    with ctx.store.write() as session:  # one step: every remaining report, or none
        for rid in sorted(set(included) - linked_already):
            label = label_of.get(truth.get(rid, {}).get("study_key", ""))
            if label:
                link_record(session=session, label=label, record_id=rid)
                linked += 1
    ctx.say(f"[6] Extraction: {result.studies} studies, {result.values} values from two "
            f"reviewers, {result.judgements} risk-of-bias judgements; {linked} included "
            "reports linked to their studies")
    ctx.say("[7] Analyses (forest plots in analyses/):")
    for run in result.outputs.runs:
        for line in summary_lines(run):
            ctx.say(f"    {line}")
    return result
