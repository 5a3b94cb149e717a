"""Risk of bias: Cochrane RoB 1 (RevMan 5.4's seven domains) and RoB 2.

Judgements are append-only :class:`RobJudgement` rows, dual and reconciled
exactly like extracted values: the latest row per (study, tool, domain,
reviewer) is that reviewer's judgement; a consensus row settles the domain.
RoB 2 judges a result, not a trial, so judgements may name an outcome; every
function takes ``outcome`` (None = judgements for the whole study, as RoB 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from reviewflow.errors import ReviewflowError

if TYPE_CHECKING:
    from sqlmodel import Session

    from reviewflow.store.db import Store
    from reviewflow.store.reader import Reader
    from reviewflow.store.writer import Writer

# The store is imported by the functions that read it: a drawing worker unpickling a
# RobTable for the traffic-light plot needs these classes, not SQLAlchemy (issue 22).


@dataclass(frozen=True)
class Domain:
    id: str
    label: str
    # An author's item that is a RoB 1 domain in other words (RevMan 5.0's questions):
    # the ids of the RoB 1 domains it stands for, and in whose place it is shown.
    stands_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tool:
    id: str
    name: str
    domains: tuple[Domain, ...]
    judgements: tuple[str, ...]  # best to worst
    overall: bool  # whether the last domain is the overall judgement

    def domain(self, text: str) -> Domain:
        """A domain by id, label or position (D1, D2 ... as robvis numbers them)."""
        key = text.strip().lower()
        for i, d in enumerate(self.domains, start=1):
            short = d.label.lower().split(" (")[0]
            if key in (d.id, d.label.lower(), short, f"d{i}", *d.stands_for):
                return d
        raise ReviewflowError(f"unknown {self.name} domain {text!r}; use one of: "
                              f"{', '.join(d.id for d in self.domains)}")

    def judgement(self, text: str) -> str:
        key = text.strip().lower().replace(" ", "_").replace("-", "_")
        key = {"low_risk": "low", "high_risk": "high", "unclear_risk": "unclear",
               "some": "some_concerns", "?": "unclear", "+": "low", "x": "high"}.get(key, key)
        if key not in self.judgements:
            raise ReviewflowError(f"{self.name}: judgement {text!r} must be one of "
                                  f"{', '.join(self.judgements)}")
        return key


ROB1 = Tool("rob1", "RoB 1", (
    Domain("random_sequence", "Random sequence generation (selection bias)"),
    Domain("allocation_concealment", "Allocation concealment (selection bias)"),
    Domain("blinding_participants", "Blinding of participants and personnel (performance bias)"),
    Domain("blinding_outcome", "Blinding of outcome assessment (detection bias)"),
    Domain("incomplete_outcome", "Incomplete outcome data (attrition bias)"),
    Domain("selective_reporting", "Selective reporting (reporting bias)"),
    Domain("other_bias", "Other bias"),
), ("low", "unclear", "high"), overall=False)

ROB2 = Tool("rob2", "RoB 2", (
    Domain("randomisation", "Bias arising from the randomization process"),
    Domain("deviations", "Bias due to deviations from intended intervention"),
    Domain("missing_data", "Bias due to missing outcome data"),
    Domain("measurement", "Bias in measurement of the outcome"),
    Domain("selection", "Bias in selection of the reported result"),
    Domain("overall", "Overall risk of bias"),
), ("low", "some_concerns", "high"), overall=True)

TOOLS = {t.id: t for t in (ROB1, ROB2)}
CUSTOM_DOMAIN_MAX = 100  # RobJudgement.domain's length


# RevMan 5.0 asked RoB 1's domains as questions (Handbook 5.0, table 8.5.a); RevMan 5.1
# renamed them to the Handbook 5.1 (chapter 8) domains. "Blinding?" asked one question
# for participants, personnel and outcome assessors: it stands for both the performance
# and the detection bias domain, as one item, which is what RevMan 5.1 made of it
# ("Blinding (performance bias and detection bias)") rather than copying one answer
# into two domains no one judged apart.
REVMAN5_QUESTIONS: dict[str, tuple[str, ...]] = {
    "adequate sequence generation?": ("random_sequence",),
    "allocation concealment?": ("allocation_concealment",),
    "blinding?": ("blinding_participants", "blinding_outcome"),
    "incomplete outcome data addressed?": ("incomplete_outcome",),
    "free of selective reporting?": ("selective_reporting",),
    "free of other bias?": ("other_bias",),
}


def with_custom_domains(base: Tool, ids: Iterable[str]) -> Tool:
    """RoB 1 as a review used it: RevMan lets authors add their own items ("Blinding
    (performance bias and detection bias)", "Baseline imbalance"), kept under their own
    names after the seven domains so they are shown and exported where RoB 1 is. An item
    that is a RoB 1 domain in RevMan 5.0's words ("Adequate sequence generation?") is
    kept in those words and takes that domain's place (unless the review also judges the
    domain itself). RoB 2 has a fixed set with an overall judgement: unchanged."""
    if base.overall:
        return base
    used = list(dict.fromkeys(ids))
    known = {d.id for d in base.domains}
    judged = known.intersection(used)
    domains = list(base.domains)
    extra = []
    for i in used:
        if i in known:
            continue
        covers = REVMAN5_QUESTIONS.get(i.strip().lower(), ())
        place = [n for n, d in enumerate(domains) if d.id in covers]
        if covers and not judged.intersection(covers) and len(place) == len(covers):
            domains[place[0]] = Domain(i, i, covers)
            domains = [d for n, d in enumerate(domains) if n not in place[1:]]
        else:
            extra.append(Domain(i, i))
    return replace(base, domains=(*domains, *extra)) if used and set(used) - known else base


LABELS = {"low": "Low", "unclear": "Unclear", "some_concerns": "Some concerns", "high": "High"}


def in_use(store: Store, rob_tool: Tool) -> Tool:
    """The tool with the domains this review added (RoB 1 items imported from RevMan),
    for screens that list every domain before any judgement is read."""
    with store.session() as s:
        return in_use_in(s, rob_tool)


def in_use_in(session: Session, rob_tool: Tool) -> Tool:
    """:func:`in_use` in the caller's transaction."""
    from reviewflow.store.reader import session_reader

    return read_in_use(session_reader(session), rob_tool)


def read_in_use(reader: Reader, rob_tool: Tool) -> Tool:
    """:func:`in_use` through a reader (a writer's reads see its own rows)."""
    domains = [d for (d,) in reader.rows("SELECT domain FROM rob_judgement WHERE tool = ? "
                                         "ORDER BY id", (rob_tool.id,))]
    return with_custom_domains(rob_tool, domains)


def tool(name: str) -> Tool:
    key = name.strip().lower().replace(" ", "").replace("-", "")
    if key not in TOOLS:
        raise ReviewflowError(f"unknown tool {name!r}; use rob1 or rob2")
    return TOOLS[key]


@dataclass(frozen=True)
class Judgement:
    judgement: str
    support: str | None = None


@dataclass
class RobTable:
    """Reconciled judgements: study -> domain id -> Judgement, and the disagreements."""

    tool: Tool
    outcome: str | None = None
    judgements: dict[str, dict[str, Judgement]] = field(default_factory=dict)
    discrepancies: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def overall(self, study: str) -> str:
        """The study's overall risk of bias ("none" when not judged).

        RoB 2 has an overall domain. RoB 1 has none, so it is summarised as the
        Handbook (5.1, table 8.7.a) does across domains: low if every domain is
        low, high if any is high, otherwise unclear.
        """
        given = self.judgements.get(study, {})
        if self.tool.overall:
            j = given.get("overall")
            return j.judgement if j else "none"
        values = [j.judgement for j in given.values()]
        if not values:
            return "none"
        if "high" in values:
            return "high"
        if len(values) == len(self.tool.domains) and all(v == "low" for v in values):
            return "low"
        return "unclear"


def write_judgements(*, writer: Writer, rob_tool: Tool, reviewer_id: int,
                     entries: Iterable[tuple[int, str, str, str | None]],
                     consensus: bool = False, outcome: str | None = None) -> int:
    """Append (study id, domain, judgement, support) entries in the caller's transaction;
    every entry is checked before any row is added."""
    rows = [(sid, rob_tool.domain(d).id, rob_tool.judgement(j), s or None)
            for sid, d, j, s in entries]
    for sid, domain, judgement, support in rows:
        writer.insert("rob_judgement", study_id=sid, tool=rob_tool.id, domain=domain,
                      judgement=judgement, support=support, reviewer_id=reviewer_id,
                      is_consensus=consensus, outcome=outcome or None)
    return len(rows)


def record_judgements(*, session: Session, rob_tool: Tool, reviewer_id: int,
                      entries: Iterable[tuple[int, str, str, str | None]],
                      consensus: bool = False, outcome: str | None = None) -> int:
    """:func:`write_judgements` in a session (the TUI, the demo, PostgreSQL)."""
    from reviewflow.store.writer import session_writer

    return write_judgements(writer=session_writer(session), rob_tool=rob_tool,
                            reviewer_id=reviewer_id, entries=entries, consensus=consensus,
                            outcome=outcome)


Mine = dict[tuple[int, str, int], Judgement]  # (study, domain, reviewer) -> latest
Agreed = dict[tuple[int, str], Judgement]  # (study, domain) -> the latest consensus


def current_judgements(store: Store, rob_tool: Tool, outcome: str | None = None,
                       ) -> tuple[Mine, Agreed]:
    """:func:`read_current_judgements` in one session."""
    from reviewflow.store.reader import session_reader

    with store.session() as s:
        return read_current_judgements(session_reader(s), rob_tool, outcome)


def read_current_judgements(reader: Reader, rob_tool: Tool, outcome: str | None = None,
                            ) -> tuple[Mine, Agreed]:
    """(per-reviewer latest, consensus latest) keyed by (study, domain[, reviewer])."""
    from reviewflow.store.study_merges import read_study_merge_map

    sql = ("SELECT study_id, domain, reviewer_id, judgement, support, is_consensus "
           "FROM rob_judgement WHERE tool = ? AND ")
    params: tuple[object, ...] = (rob_tool.id,)
    if outcome:
        sql, params = sql + "outcome = ?", (*params, outcome)
    else:
        sql += "outcome IS NULL"
    rows = reader.rows(sql + " ORDER BY id", params)
    merges = read_study_merge_map(reader)  # a merged study's judgements count for its study
    mine: Mine = {}
    agreed: Agreed = {}
    for study_id, domain, reviewer_id, judgement, support, consensus in rows:
        sid = merges.get(study_id, study_id)
        if consensus:
            agreed[(sid, domain)] = Judgement(judgement, support)
        else:
            mine[(sid, domain, reviewer_id)] = Judgement(judgement, support)
    return mine, agreed


def reconcile_rob(store: Store, rob_tool: Tool, outcome: str | None = None) -> RobTable:
    """:func:`read_rob_table` in one session."""
    from reviewflow.store.reader import session_reader

    with store.session() as s:
        return read_rob_table(session_reader(s), rob_tool, outcome)


def read_rob_table(reader: Reader, rob_tool: Tool, outcome: str | None = None) -> RobTable:
    """Consensus, else the judgement every assessor of the study gave; else a discrepancy."""
    mine, agreed = read_current_judgements(reader, rob_tool, outcome)
    names: dict[int, str] = dict(reader.rows("SELECT id, name FROM reviewer"))  # type: ignore[arg-type]
    labels: dict[int, str] = dict(reader.rows("SELECT id, label FROM study"))  # type: ignore[arg-type]
    rob_tool = with_custom_domains(rob_tool, [*(d for _s, d, _r in mine),
                                              *(d for _s, d in agreed)])
    table = RobTable(rob_tool, outcome or None)
    assessors: dict[int, set[int]] = {}
    for sid, _d, rid in mine:
        assessors.setdefault(sid, set()).add(rid)
    keys = {(sid, d) for sid, d, _r in mine} | set(agreed)
    order = {d.id: i for i, d in enumerate(rob_tool.domains)}  # the tool's domain order
    for sid, dom in sorted(keys, key=lambda k: (labels.get(k[0], ""), order.get(k[1], 99))):
        label = labels.get(sid, str(sid))
        if (sid, dom) in agreed:
            table.judgements.setdefault(label, {})[dom] = agreed[(sid, dom)]
            continue
        seen = {names[r]: mine.get((sid, dom, r)) for r in sorted(assessors.get(sid, ()),
                                                           key=lambda i: names[i])}
        given = {r.judgement for r in seen.values() if r is not None}
        if len(seen) >= 2 and len(given) == 1 and None not in seen.values():
            supports = [r.support for r in seen.values() if r is not None and r.support]
            table.judgements.setdefault(label, {})[dom] = Judgement(
                given.pop(), " | ".join(dict.fromkeys(supports)) or None)
        else:
            table.discrepancies.append((label, dom, {n: (r.judgement if r else "(none)")
                                                     for n, r in seen.items()}))
    return table
