"""Prioritised screening over the store: one reviewer's "most relevant first" order.

This is the glue between the pure ranking package and the store. It keeps the
blinding rule twice over: it loads only the reviewer's *own* decisions (plus
resolved conflicts and the team's known-relevant seeds) and then passes them
through :func:`reviewflow.ranking.training_labels`, so another reviewer's open
decision can never reach the model, whatever the caller does.

Everything here may be slow (the TF-IDF features of every record are built once
per :class:`Prioritiser`), so the TUI calls :meth:`Prioritiser.refresh` from a
worker thread and only applies the finished order on the UI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from reviewflow.review_state import load_review_state
from reviewflow.screening.blinding import Viewer
from reviewflow.screening.seeds import known_relevant
from reviewflow.store import models
from reviewflow.store.db import Store
from reviewflow.titles import titles_of

if TYPE_CHECKING:  # scikit-learn and scipy load on first use, never at TUI start-up
    from reviewflow.ranking import ScreeningRanker, StoppingEstimate

_AS_LABEL = {"include": "include", "exclude": "exclude"}  # maybe / not_retrieved: no label
RELEVANT = frozenset({"include", "maybe"})


def _label_value(decision: str) -> str:
    return _AS_LABEL.get(decision, "maybe")


def record_texts(session: Session, ids: list[int]) -> list[str]:
    """Title, English title (a Chinese record's ``TT``) and abstract per id, in the order of
    ``ids``. The English title gives a Chinese record words it shares with English ones in
    a mixed set; bench/chinese_sets.py measures the ranking on exactly this text."""
    r = models.RecordRow
    wanted = set(ids)
    text = {rid: f"{' '.join(p for p in (t, tt) if p)}. {a or ''}"
            for rid, t, tt, a in session.exec(
                select(r.id, r.title, r.translated_title, r.abstract)).all()
            if rid in wanted}
    return [text.get(i, "") for i in ids]


@dataclass(frozen=True)
class TrainingData:
    """What may train one reviewer's ranking at one stage (blinding applied)."""

    labels: dict[int, int]
    seeds: frozenset[int]
    own: int = 0  # the reviewer's own current decisions (any value), for the refit cadence

    @property
    def enough(self) -> bool:
        """Rank once there is an include and an exclude, or a seed (else: file order)."""
        return bool(self.seeds) or {0, 1} <= set(self.labels.values())


def training_data(session: Session, store: Store, viewer: Viewer, stage: str) -> TrainingData:
    """The viewer's own decisions and resolved conflicts as labels, plus the seeds."""
    from reviewflow.ranking.blinding import training_labels

    st = load_review_state(session).stage(stage)
    mine = st.decisions_of(viewer.reviewer_id)
    decisions = [(rid, viewer.name, _label_value(d)) for rid, d in mine.items()]
    # As on screen (screening.blinding): a blinded screener learns a resolution
    # only on a record they decided themselves (matters with three screeners).
    resolutions = [(rid, _label_value(status.resolution.decision))
                   for rid, status in st.decided.items()
                   if status.resolution is not None and (viewer.sees_all or rid in mine)]
    labels = training_labels(decisions, resolutions, viewer.name)
    return TrainingData({int(k): v for k, v in labels.items()},  # type: ignore[call-overload]
                        frozenset(known_relevant(store)), len(mine))


@dataclass(frozen=True)
class Priority:
    """A finished refit: ``order`` is every eligible id, most relevant first (None: file order)."""

    active: bool
    n_labels: int
    order: list[int] | None
    own: int = 0  # the reviewer's own decisions when it was computed (refit cadence)
    seconds: float = 0.0  # how long the refit took (refit cadence)


REFIT_FRACTION = 0.05  # a slow refit waits for 5% more decisions
# A refit this fast runs after every decision, as in the ASReview simulation
# studies: a reviewer reads for seconds per record, so the order can follow
# each decision. Slower refits (large record sets) fall back to REFIT_FRACTION.
FAST_REFIT_S = 0.5


class RefitCadence:
    """When to refit, decided on the UI thread from the last finished refit (constant time)."""

    last: Priority | None = None

    def due(self, n_decided: int, enough_hint: bool) -> bool:
        """Is a refit worth starting after ``n_decided`` own decisions?

        Counted in the reviewer's own decisions, so that seeds and resolutions,
        which also train the model, do not delay the next refit: after every
        decision while a refit takes under ``FAST_REFIT_S``, else every 5%.
        """
        if self.last is None or not self.last.active:
            return enough_hint
        fast = self.last.seconds <= FAST_REFIT_S
        step = 1 if fast else max(1, int(REFIT_FRACTION * n_decided))
        return abs(n_decided - self.last.own) >= step

    def close(self) -> None:
        """Release whatever the refits hold (nothing here)."""


class Prioritiser(RefitCadence):
    """One reviewer's ranking at one stage, kept between refits (features built once)."""

    def __init__(self, store: Store, viewer: Viewer, stage: str) -> None:
        self.store, self.viewer, self.stage = store, viewer, stage
        self._ranker: ScreeningRanker | None = None
        self._ids: frozenset[int] = frozenset()
        self._lock = threading.Lock()  # one refit at a time, whoever calls

    def refresh(self) -> Priority:
        """Refit on what this viewer may see and rank every eligible record (slow: a worker)."""
        with self._lock:
            started = time.perf_counter()
            self.last = replace(self._refresh(), seconds=time.perf_counter() - started)
            return self.last

    def _refresh(self) -> Priority:
        from reviewflow.ranking import ScreeningRanker

        with self.store.session() as s:
            ids = list(load_review_state(s).stage(self.stage).eligible)
            data = training_data(s, self.store, self.viewer, self.stage)
            if not data.enough:
                return Priority(False, len(data.labels), None, data.own)
            if self._ranker is None or frozenset(ids) != self._ids:
                self._ranker = ScreeningRanker(ids, record_texts(s, ids), self.viewer.name)
                self._ids = frozenset(ids)
        ranker = self._ranker
        n = ranker.refit([(rid, self.viewer.name, y) for rid, y in data.labels.items()],
                         known_relevant=[i for i in data.seeds if i in self._ids])
        if not ranker.ready:
            return Priority(False, n, None, data.own)
        order = [int(i) for i in ranker.order(ids)]  # type: ignore[call-overload]
        return Priority(True, n, order, data.own)


def relevance_in_order(session: Session, stage: str, reviewer_id: int) -> list[int]:
    """1/0 per record the reviewer decided, in the order of their latest decision."""
    d = models.ScreeningDecision
    rows = session.exec(
        select(d.id, d.record_id, d.decision)
        .where(d.stage == stage, d.reviewer_id == reviewer_id).order_by(d.id)  # type: ignore[arg-type]
    ).all()
    latest: dict[int, tuple[int, str]] = {}
    for row_id, rid, decision in rows:
        latest[rid] = (row_id, decision)
    ordered = sorted((row_id, dec) for row_id, dec in latest.values() if dec != "retracted")
    return [int(dec in RELEVANT) for _, dec in ordered]


def stage_estimate(session: Session, viewer: Viewer, stage: str,
                   n_total: int) -> StoppingEstimate | None:
    """The stopping heuristic for the viewer's own screening (None before any decision)."""
    labels = relevance_in_order(session, stage, viewer.reviewer_id)
    if not labels or n_total <= 0:
        return None
    from reviewflow.ranking.stopping import stopping_estimate

    return stopping_estimate(labels[:n_total], n_total)


def rank_listing(store: Store, viewer: Viewer, stage: str,
                 limit: int) -> tuple[Priority, list[int], Mapping[int, str]]:
    """The CLI's view: the next ``limit`` undecided records (relevance order when active)."""
    priority = Prioritiser(store, viewer, stage).refresh()
    with store.session() as s:
        st = load_review_state(s).stage(stage)
        ids, mine = st.eligible, st.decisions_of(viewer.reviewer_id)
        order = priority.order if priority.order is not None else sorted(ids)
        nxt = [i for i in order if i not in mine][:limit]
        r = models.RecordRow
        titles = {rid: titles_of(t, tt, lang).line(100)  # original / English [language]
                  for rid, t, tt, lang in s.exec(select(
                      r.id, r.title, r.translated_title, r.language)
                      .where(r.id.in_(nxt))).all()}  # type: ignore[union-attr]
    return priority, nxt, titles
