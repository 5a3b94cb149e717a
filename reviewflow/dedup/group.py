"""Turning certain pairs into groups without chaining.

Plain connected components would let A~B and B~C put A and C together even
when A and C are two different studies (a conference abstract "bridging" two
papers, a record with a missing title matching both). Groups are therefore
grown greedily from the strongest pair down, and two groups are joined only
if *every* cross pair is itself at least a possible duplicate (complete
linkage). A refused join is queued for a person instead.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewflow.dedup.result import ScoredPair
from reviewflow.dedup.verdict import Verdict

Judge = Callable[[int, int], Verdict]


def complete_linkage(certain: list[ScoredPair], judge: Judge,
                     ) -> tuple[list[list[int]], list[list[ScoredPair]], list[ScoredPair]]:
    """(groups, links per group, refused pairs) from certain pairs, strongest first."""
    group_of: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    links: dict[int, list[ScoredPair]] = {}
    refused: list[ScoredPair] = []
    for pair in sorted(certain, key=lambda p: (-p.score, p.a, p.b)):
        ga = group_of.setdefault(pair.a, pair.a)
        gb = group_of.setdefault(pair.b, pair.b)
        members.setdefault(ga, [pair.a])
        members.setdefault(gb, [pair.b])
        links.setdefault(ga, [])
        links.setdefault(gb, [])
        if ga == gb:
            continue
        if not _compatible(members[ga], members[gb], judge, pair):
            refused.append(pair)
            continue
        keep, drop = (ga, gb) if len(members[ga]) >= len(members[gb]) else (gb, ga)
        for member in members[drop]:
            group_of[member] = keep
        members[keep].extend(members.pop(drop))
        links[keep].extend(links.pop(drop))
        links[keep].append(pair)
    groups = [sorted(m) for m in members.values() if len(m) > 1]
    group_links = [links[k] for k, m in members.items() if len(m) > 1]
    return groups, group_links, refused


def _compatible(left: list[int], right: list[int], judge: Judge, pair: ScoredPair) -> bool:
    for x in left:
        for y in right:
            if {x, y} == {pair.a, pair.b}:
                continue
            if judge(min(x, y), max(x, y)).outcome not in ("certain", "possible"):
                return False
    return True
