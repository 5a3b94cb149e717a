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

from sqlmodel import select

from reviewflow.screening.conflicts import list_conflicts, resolve_conflict
from reviewflow.screening.decisions import ensure_reviewer
from reviewflow.screening.decisions_file import load_decisions_file, write_decisions
from reviewflow.screening.settings import ScreeningSettings, save_settings
from reviewflow.stages import FULL_TEXT, TITLE_ABSTRACT
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.store.location import ReviewConfig

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
    save_settings(store, ScreeningSettings(
        include_keywords=tuple(highlight.get("include", ())),
        exclude_keywords=tuple(highlight.get("exclude", ())),
        exclusion_reasons=tuple(screening.get("exclusion_reasons", ())) or
        ScreeningSettings().exclusion_reasons,
    ))
    for name in REVIEWERS:
        ensure_reviewer(store, name)
    ensure_reviewer(store, ARBITER, "arbiter")
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


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["record_id", "decision", "reason"])
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
            rows.append({"record_id": rid, "decision": decision, "reason": reason})
        path = _write_csv(ctx.scripted / f"{prefix}_{who}.csv", rows)
        checked = load_decisions_file(ctx.store, settings, path, stage)
        person = ensure_reviewer(ctx.store, who)
        assert person.id is not None
        loaded[who] = write_decisions(ctx.store, checked, stage, person.id)[0]
    return loaded


def resolve_stage(ctx: DemoContext, stage: str) -> int:
    """The arbiter settles every open conflict at ``stage`` from the ground truth."""
    from reviewflow.screening.settings import load_settings

    settings = load_settings(ctx.store)
    truth = record_truth(ctx)
    arbiter = ensure_reviewer(ctx.store, ARBITER, "arbiter")
    with ctx.store.session() as s:
        conflicts = list_conflicts(s, stage)
    key = "relevant_ta" if stage == TITLE_ABSTRACT else "relevant_ft"
    for c in conflicts:
        row = truth.get(c.status.record_id, {})
        include = row.get(key) == "1"
        reason = None
        if stage == FULL_TEXT and not include:
            reason = row.get("ft_exclusion_reason") or "wrong population"
        resolve_conflict(ctx.store, settings, record_id=c.status.record_id, stage=stage,
                         decision="include" if include else "exclude", resolver=arbiter,
                         method="arbiter", reason=reason,
                         note="Settled by the arbiter after discussion (demo script).")
    return len(conflicts)


def searched_on(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
